"""Renderers: lay a :class:`chainrule.report.Report` out (terminal, md, html, ipynb, json).

No renderer computes maths; everything shown is in the Report.

>>> from chainrule.render import render, FORMATS
>>> html_page = render(report, "html")          # doctest: +SKIP
>>> render_terminal(report)                      # doctest: +SKIP

For Jupyter, :func:`report_repr_html` and :func:`report_repr_markdown` back a
Report wrapper's ``_repr_html_`` / ``_repr_markdown_`` (or use
:class:`ReportReprMixin`).
"""

from __future__ import annotations

from typing import Callable

from chainrule.errors import ChainruleError
from chainrule.render.html import render_html, report_repr_html
from chainrule.render.jsonout import render_json, report_dict
from chainrule.render.markdown import render_markdown
from chainrule.render.notebook import build_notebook, render_notebook
from chainrule.render.terminal import render_terminal, terminal_text
from chainrule.report import Report

FORMATS = ("terminal", "md", "html", "ipynb", "json")

#: File extension of each format, for ``--out`` defaults.
EXTENSIONS = {"terminal": ".txt", "md": ".md", "html": ".html", "ipynb": ".ipynb",
              "json": ".json"}

_RENDERERS: dict[str, Callable[[Report], str]] = {
    "terminal": terminal_text,
    "md": render_markdown,
    "html": render_html,
    "ipynb": render_notebook,
    "json": render_json,
}


def render(report: Report, fmt: str) -> str:
    """Render ``report`` in format ``fmt`` (one of :data:`FORMATS`) and return the text.

    ``"terminal"`` returns the plain-text (uncoloured, 100 columns) terminal
    layout; use :func:`render_terminal` to print with colours.

    Raises
    ------
    ChainruleError
        For an unknown format (exit code 2), naming the valid ones.
    """
    try:
        renderer = _RENDERERS[fmt]
    except (KeyError, TypeError):
        raise ChainruleError(f"Unknown output format {fmt!r}: choose one of "
                             f"{', '.join(FORMATS)}.") from None
    return renderer(report)


def report_repr_markdown(report: Report) -> str:
    """Markdown for Jupyter's ``_repr_markdown_`` (the whole Markdown report)."""
    return render_markdown(report)


class ReportReprMixin:
    """Give a class holding ``self.report`` Jupyter reprs (HTML and Markdown)."""

    report: Report

    def _repr_html_(self) -> str:
        return report_repr_html(self.report)

    def _repr_markdown_(self) -> str:
        return report_repr_markdown(self.report)


__all__ = ["FORMATS", "EXTENSIONS", "render", "render_terminal", "terminal_text",
           "render_markdown", "render_html", "render_notebook", "build_notebook",
           "render_json", "report_dict", "report_repr_html", "report_repr_markdown",
           "ReportReprMixin"]
