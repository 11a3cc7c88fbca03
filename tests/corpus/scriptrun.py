"""Run a corpus script the way ``python script.py`` would, and snapshot arrays at its loop header.

This module is the proof harness's "run & record" half. It knows nothing about chainrule: it
reads the script (a ``.py`` file, possibly with a UTF-8 BOM or Jupyter ``%magic`` / ``!shell``
lines, or an ``.ipynb`` notebook whose code cells run in order), runs it with its folder as the
working directory and first on ``sys.path``, ``__name__ == "__main__"`` and matplotlib on Agg,
and traces *one* file with :func:`sys.settrace`. Every time the watched loop header line runs,
the caller's ``on_hit(frame, k)`` sees the frame (``k`` = 1 before the first iteration, 2 after
it, ...).

Notebook line numbers: a notebook's code cells are joined with one newline between cells, and
:func:`cell_of` maps a line of the joined source back to ``(cell, line)``, both 1-based, where
``cell`` counts *every* cell of the notebook (markdown cells too), as a learner counts them.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import json
import os
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

os.environ["MPLBACKEND"] = "Agg"


class StopRun(BaseException):
    """Raised from the tracer to end a script early (not an ``Exception``: scripts cannot catch it)."""


def is_magic(line: str) -> bool:
    """A Jupyter magic (``%matplotlib inline``, ``%%time``) or shell line (``!pip install numpy``)."""
    return line.lstrip().startswith(("%", "!"))


def _python_line(line: str) -> str:
    """The line as plain Python: magics become ``pass`` at the same indentation."""
    if is_magic(line):
        return line[: len(line) - len(line.lstrip())] + "pass"
    return line


def notebook_cells(path: Path) -> list[tuple[int, list[str]]]:
    """``(cell number, source lines)`` of every code cell, numbered among all cells from 1."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = []
    for number, cell in enumerate(nb["cells"], 1):
        if cell["cell_type"] == "code":
            source = cell["source"]
            text = "".join(source) if isinstance(source, list) else source
            cells.append((number, text.split("\n")))
    return cells


def source_lines(path: Path) -> list[str]:
    """The lines of the file as Python will run them (BOM dropped, magics turned into ``pass``)."""
    if path.suffix == ".ipynb":
        return [_python_line(line) for _, lines in notebook_cells(path) for line in lines]
    return [_python_line(line) for line in path.read_text(encoding="utf-8-sig").split("\n")]


def cell_of(path: Path, line: int) -> tuple[int | None, int]:
    """Map a line of the runnable source to ``(cell, line in cell)``; ``(None, line)`` for ``.py``."""
    if path.suffix != ".ipynb":
        return None, line
    start = 1
    for number, lines in notebook_cells(path):
        if line < start + len(lines):
            return number, line - start + 1
        start += len(lines)
    raise ValueError(f"{path.name} has no line {line}")


def find_line(path: Path, text: str) -> int:
    """The 1-based line of the runnable source of ``path`` whose stripped text is ``text``."""
    hits = [no for no, line in enumerate(source_lines(path), 1) if line.strip() == text.strip()]
    if len(hits) != 1:
        raise LookupError(f"{path.name}: {text!r} found {len(hits)} times, expected once")
    return hits[0]


class _IPythonStub:
    """What ``get_ipython()`` returns in a ``.py`` export: every magic is a no-op."""

    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *args, **kwargs: None


@dataclass
class RunResult:
    """How the run ended: ``error`` is the exception the script raised (``None``: it ended well)."""

    hits: int = 0
    error: BaseException | None = None
    error_line: tuple[str, int] | None = None  # (file name, line) of the script frame that raised
    stdout: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _raising_line(exc: BaseException, folder: Path) -> tuple[str, int] | None:
    """The innermost traceback frame inside ``folder``: where the script's own code failed."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        name = Path(tb.tb_frame.f_code.co_filename)
        if name.parent == folder:
            found = (name.name, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _exit_instead(code: int = 0) -> None:
    raise SystemExit(code)


def run_script(
    script: Path,
    watch_file: Path,
    watch_line: int,
    on_hit: Callable[[Any, int], bool],
) -> RunResult:
    """Run ``script``; call ``on_hit(frame, k)`` at the k-th run of ``watch_file:watch_line``.

    ``on_hit`` returns True to end the run right there (the script stops as if interrupted).
    ``sys.exit()`` / ``os._exit()`` in the script end the run normally (code 0 or None) or as an
    error (other codes). Sibling modules the script imported are removed from ``sys.modules``
    afterwards, so the next run (a mutant in another folder) imports its own copies.
    """
    script, watch_file = script.resolve(), watch_file.resolve()
    folder = script.parent
    source = "\n".join(source_lines(script))
    code = compile(source, str(script), "exec")
    watched = str(watch_file)
    result = RunResult()

    def local(frame, event, arg):
        if event == "line" and frame.f_lineno == watch_line:
            result.hits += 1
            if on_hit(frame, result.hits):
                raise StopRun
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code.co_filename == watched else None

    env = {"__name__": "__main__", "__file__": str(script), "__builtins__": builtins}
    if "get_ipython" in source:
        env["get_ipython"] = _IPythonStub
    before = set(sys.modules)
    saved = (os.getcwd(), list(sys.path), list(sys.argv), os._exit)
    out = io.StringIO()
    try:
        os.chdir(folder)
        sys.path.insert(0, str(folder))
        sys.argv = [str(script)]
        os._exit = _exit_instead
        with contextlib.redirect_stdout(out), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sys.settrace(tracer)
            try:
                exec(code, env)
            finally:
                sys.settrace(None)
    except StopRun:
        pass
    except SystemExit as exc:
        if exc.code not in (0, None):
            result.error = exc
    except Exception as exc:  # the script's own failure: that is a result, not a harness error
        result.error = exc
        result.error_line = _raising_line(exc, folder)
    finally:
        os.chdir(saved[0])
        sys.path[:], sys.argv[:], os._exit = saved[1], saved[2], saved[3]
        _forget_modules(before, folder)
        _close_figures()
    result.stdout = out.getvalue()
    return result


def _forget_modules(before: set[str], folder: Path) -> None:
    for name in set(sys.modules) - before:
        path = getattr(sys.modules[name], "__file__", None) or ""
        if path and Path(path).resolve().parent == folder:
            del sys.modules[name]


def _close_figures() -> None:
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")
