"""``chainrule explain``: which line of the learner's backprop is which formula, and is it right?

>>> import chainrule
>>> ex = chainrule.explain(train=False)   # doctest: +SKIP
>>> ex                                     # in Jupyter: renders itself (HTML / Markdown)
>>> ex.report.steps[3].gradient_of         # doctest: +SKIP
'W2'
>>> ex.save("walkthrough.ipynb")           # doctest: +SKIP

:func:`build_report` does the analysis (a :class:`chainrule.report.Report`);
:func:`explain` wraps it in an :class:`Explanation` that renders itself.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Callable, Optional, Sequence, Union

from chainrule.errors import ChainruleError
from chainrule.explain.build import build_report, build_training
from chainrule.explain.tiny import check_tiny
from chainrule.report import NOTATIONS, Report

#: File suffix -> output format (for ``--out`` and :meth:`Explanation.save`).
SUFFIX_FORMATS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
                  ".ipynb": "ipynb", ".json": "json", ".txt": "terminal"}


def format_for_path(path: Union[str, Path]) -> str:
    """The output format a file name asks for, or a ChainruleError (exit 2) naming the choices."""
    suffix = Path(path).suffix.lower()
    try:
        return SUFFIX_FORMATS[suffix]
    except KeyError:
        raise ChainruleError(
            f"Cannot tell the output format from the file name {str(path)!r}: use a name ending "
            f"in .md, .html, .ipynb, .json or .txt, or pass --format.") from None


def parse_tiny(text: Union[str, Sequence[int]]) -> tuple[int, int, int]:
    """``"4,3,2"`` (or a 3-sequence) -> ``(N, h, K)``, validated; ChainruleError (exit 2) otherwise."""
    if isinstance(text, str):
        parts = [p.strip() for p in text.split(",")]
        if len(parts) != 3 or not all(p.lstrip("-").isdigit() for p in parts):
            raise ChainruleError(
                f"Invalid value {text!r} for --tiny: give three whole numbers N,H,K (points, "
                "hidden units, classes) separated by commas, e.g. --tiny 4,3,2.")
        return check_tiny(tuple(int(p) for p in parts))
    if len(tuple(text)) != 3:
        raise ChainruleError(f"Invalid value {text!r} for tiny: give (N, h, K), e.g. (4, 3, 2).")
    return check_tiny(tuple(text))


class Explanation:
    """The walkthrough: holds ``.report`` and renders itself in Jupyter.

    ``_repr_html_`` / ``_repr_markdown_`` draw the whole report; :meth:`to_json`
    is the public JSON; :meth:`save` writes any format, chosen by suffix.
    """

    def __init__(self, report: Report) -> None:
        self.report = report

    def render(self, fmt: str) -> str:
        from chainrule.render import render

        return render(self.report, fmt)

    def _repr_html_(self) -> str:
        from chainrule.render import report_repr_html

        return report_repr_html(self.report)

    def _repr_markdown_(self) -> str:
        from chainrule.render import report_repr_markdown

        return report_repr_markdown(self.report)

    def to_json(self) -> str:
        """The public JSON object (``chainrule explain --format json``) as text."""
        return self.render("json")

    def to_markdown(self) -> str:
        return self.render("md")

    def save(self, path: Union[str, Path], force: bool = False, fmt: Optional[str] = None) -> Path:
        """Write the report to ``path`` (format from the suffix unless ``fmt``); never overwrite without ``force``."""
        from chainrule.output import write_text

        return write_text(path, self.render(fmt or format_for_path(path)), force)

    def __repr__(self) -> str:
        r = self.report
        backward = [s for s in r.steps if s.holds != "update"]
        ok = sum(bool(s.ok) for s in backward)
        return (f"<Explanation {r.title!r}: {len(backward)} backward lines ({ok} check out), "
                f"{len(r.steps) - len(backward)} updates, "
                f"{len(r.pitfalls)} pitfalls, training {'included' if r.training else 'not run'}>")


def explain(script: Optional[Union[str, Path]] = None,
            tiny: Union[str, Sequence[int]] = (4, 3, 2), seed: int = 0, train: bool = True,
            iteration: int = 1, timeout: float = 60.0,
            progress: Optional[Callable[[int], None]] = None,
            notation: Optional[str] = None, plot_worker: bool = False) -> Explanation:
    """Explain the learner's network (``script=None``) or a learner's own SCRIPT.

    Parameters
    ----------
    script : path, optional
        A numpy training script to explain through :func:`chainrule.check.explain_script`;
        ``None`` explains the built-in learner's code with the learner's names.
    tiny : (N, h, K) or "N,H,K"
        The tiny example whose every matrix is printed (built-in network only).
    seed : int
        Legacy numpy seed (``np.random.seed(seed)`` before the script).
    train : bool
        Train the full-size network for the last section (built-in network only).
    iteration : int
        Which iteration of a SCRIPT's loop to analyse (1 = the first).
    timeout : float
        Seconds a SCRIPT may run up to the end of that iteration.
    notation : {"code", "nielsen", "ng"}, optional
        The symbols the renderers use (∂L/∂S, δ, or dZ); every notation is in the
        report either way.  Default: ``"code"`` (a SCRIPT: what the checker chose).
    plot_worker : bool
        Draw the training plots in a forked helper while the rest runs (the CLI does).
    """
    if notation is not None and notation not in NOTATIONS:
        raise ChainruleError(f"Invalid value {notation!r} for --notation: choose one of "
                             f"{', '.join(NOTATIONS)}.", option="--notation")
    if script is not None:
        from chainrule.check import explain_script

        from chainrule.check.source import load_script

        report = explain_script(script, iteration=iteration, seed=seed, timeout=timeout)
        report.cells = list(load_script(script).cells)  # a notebook's lines are named by cell
        if notation is not None:
            report.notation = notation
        return Explanation(report)
    return Explanation(build_report(parse_tiny(tiny), seed=seed, train=train, progress=progress,
                                    notation=notation or "code", plot_worker=plot_worker))


class _CallableModule(types.ModuleType):
    """Importing ``chainrule.explain`` (the package) sets the attribute ``chainrule.explain``
    to this module, shadowing the lazy function in ``chainrule/__init__.py``; calling the
    module therefore calls :func:`explain`, so ``chainrule.explain(...)`` always works."""

    def __call__(self, *args, **kwargs) -> Explanation:
        return explain(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule

__all__ = ["explain", "Explanation", "build_report", "build_training", "parse_tiny",
           "format_for_path", "SUFFIX_FORMATS"]
