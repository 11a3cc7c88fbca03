"""A Jupyter notebook (nbformat v4) that walks through the report and re-checks it.

Cells: the title, ``report.setup_code`` (rebuilds the tiny example), the
forward chain, then per backward step a Markdown cell and a code cell with
``step.check_code`` (which recomputes the step and asserts the check), the
pitfalls (explanation + demonstration code) and the training summary with
its plots as cell attachments.  Empty code is skipped.
"""

from __future__ import annotations

import base64
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from chainrule.render.markdown import (fix_markdown, forward_markdown, header_markdown,
                                       pitfall_markdown,
                                       step_markdown, training_markdown)
from chainrule.report import Report, Training

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def _code(source: str, output: str = "") -> list[Any]:
    """A code cell for ``source`` (with ``output`` pre-filled as stdout), or nothing if blank."""
    if not source or not source.strip():
        return []
    outputs = [new_output("stream", name="stdout", text=output)] if output else []
    return [new_code_cell(source.strip("\n"), outputs=outputs)]


def _md(source: str, **kwargs: Any) -> list[Any]:
    return [new_markdown_cell(source, **kwargs)] if source and source.strip() else []


def training_cell(t: Training) -> list[Any]:
    """A Markdown cell with the training summary and its plots as attachments."""
    text = training_markdown(t, images=False)
    attachments = {}
    for name, alt, png in (("loss.png", "Loss during training", t.loss_png),
                           ("boundary.png", "Decision boundary", t.boundary_png)):
        if png:
            attachments[name] = {"image/png": base64.b64encode(png).decode("ascii")}
            text += f"\n\n![{alt}](attachment:{name})"
    return _md(text, attachments=attachments) if attachments else _md(text)


def build_notebook(report: Report) -> nbformat.NotebookNode:
    """The notebook as an :class:`nbformat.NotebookNode` (validated by the tests)."""
    cells: list[Any] = []
    cells += _md(header_markdown(report) +
                 "\n\nRun the cells top to bottom: each check cell recomputes one "
                 "line of the backward pass on a tiny example and asserts that it "
                 "matches the gradient.")
    cells += _code(report.setup_code)
    cells += _md(forward_markdown(report.forward))
    if report.steps:
        cells += _md("## Backward steps")
    for i, step in enumerate(report.steps, 1):
        cells += _md(step_markdown(i, step))
        cells += _code(step.check_code)
    if report.pitfalls:
        cells += _md("## Pitfalls")
    for p in report.pitfalls:
        cells += _md(pitfall_markdown(p, full=False))
        cells += _code(p.code, p.output)
        cells += _md(fix_markdown(p))
    if report.training is not None:
        cells += training_cell(report.training)
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def render_notebook(report: Report) -> str:
    """The notebook as a JSON string (``.ipynb`` contents)."""
    return nbformat.writes(build_notebook(report), version=4)
