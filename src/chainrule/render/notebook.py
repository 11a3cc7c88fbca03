"""A Jupyter notebook (nbformat v4) that walks through the report and re-checks it.

Cells: the title (and what the notebook needs: numpy and autograd; it
installs nothing), ``report.setup_code`` (rebuilds the tiny example), the
backward lines at a glance, the graph (SVG attachment), the forward chain, the
textbook section with its two proofs as code cells, then per backward step a
Markdown cell and a code cell with ``step.check_code`` (which recomputes the
step and asserts the check), the pitfalls (explanation + demonstration code),
the glossary, the training section (summary with its plots as attachments, and
the learner's whole script as a cell) and a pointer for one's own script.
Empty code is skipped.
"""

from __future__ import annotations

import base64
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from chainrule.render.common import notation_of
from chainrule.render.markdown import (bridge_markdown, fix_markdown, forward_markdown,
                                       glance_markdown, glossary_markdown, graph_markdown,
                                       header_markdown, md_text, pitfall_markdown,
                                       step_markdown, training_markdown)
from chainrule.report import Report, Training

NEEDS = ("This notebook needs **numpy** and **autograd** (`pip install numpy autograd`). It "
         "installs nothing by itself, and it does not need chainrule. Run the cells from top to "
         "bottom. Each check cell runs one line of your backward pass on a tiny example. Then it "
         "asserts that the line gives the true gradient.")

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def _code(source: str, output: str = "") -> list[Any]:
    """A code cell for ``source`` (with ``output`` pre-filled as stdout), or nothing if blank."""
    if not source or not source.strip():
        return []
    outputs = [new_output("stream", name="stdout", text=output)] if output else []
    return [new_code_cell(source.strip("\n"), outputs=outputs)]


def _md(source: str, **kwargs: Any) -> list[Any]:
    return [new_markdown_cell(source, **kwargs)] if source and source.strip() else []


def graph_cell(report: Report) -> list[Any]:
    """The computation graph: the same SVG as the HTML page, as a cell attachment."""
    if report.graph is None:
        return []
    from chainrule.render.svg import graph_svg

    svg = graph_svg(report.graph, notation_of(report), standalone=True, cells=report.cells)
    return _md(graph_markdown(report, image="attachment:graph.svg"),
               attachments={"graph.svg": {"image/svg+xml": svg}})


def training_cells(report: Report) -> list[Any]:
    """The training section: the summary (with plots) when trained, and the learner's script to run."""
    cells = training_cell(report.training) if report.training is not None else _md("## Training")
    if report.training_code:
        cells += _md("The next cell runs your whole script on the full data, with numpy only. "
                     "It prints the loss every 100 passes, as your script does.")
        cells += _code(report.training_code)
    return cells


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
    cells += _md(header_markdown(report) + "\n\n" + NEEDS)
    cells += _code(report.setup_code)
    cells += _md(glance_markdown(report))
    cells += graph_cell(report)
    cells += _md(forward_markdown(report.forward, report.cells))
    cells += _md(bridge_markdown(report, proofs=False))
    for p in report.bridge.proofs if report.bridge is not None else []:
        cells += _md(f"### {md_text(p.title)}\n\n{md_text(p.explanation)}")
        cells += _code(p.code, p.output)
    if report.steps:
        cells += _md("## Backward steps")
    for i, step in enumerate(report.steps, 1):
        cells += _md(step_markdown(i, step, report=report))
        cells += _code(step.check_code)
    if report.pitfalls:
        cells += _md("## Pitfalls")
    for p in report.pitfalls:
        cells += _md(pitfall_markdown(p, full=False))
        cells += _code(p.code, p.output)
        cells += _md(fix_markdown(p))
    cells += _md(glossary_markdown(report))
    if report.training is not None or report.training_code:
        cells += training_cells(report)
    if report.script_hint:
        cells += _md("## Your script\n\n" + md_text(report.script_hint))
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def render_notebook(report: Report) -> str:
    """The notebook as a JSON string (``.ipynb`` contents)."""
    return nbformat.writes(build_notebook(report), version=4)
