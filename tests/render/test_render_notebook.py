"""The .ipynb: valid nbformat v4, and every cell runs (the checks assert)."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbclient import NotebookClient

from chainrule.render import render


@pytest.fixture(scope="module")
def executed(_report_master):
    nb = nbformat.reads(render(_report_master, "ipynb"), as_version=4)
    NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    return nb


def test_valid_and_structured(report):
    text = render(report, "ipynb")
    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)
    assert json.loads(text)["nbformat"] == 4
    assert nb.metadata.kernelspec.name == "python3"
    cells = nb.cells
    assert cells[0].cell_type == "markdown" and cells[0].source.startswith(f"# {report.title}")
    assert cells[1].cell_type == "code" and cells[1].source == report.setup_code.strip("\n")
    code = [c.source for c in cells if c.cell_type == "code"]
    for step in report.steps:
        assert step.check_code.strip("\n") in code
    assert report.pitfalls[0].code.strip("\n") in code
    md = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    for step in report.steps:
        assert f"$$\n{step.formula_latex}\n$$" in md
    assert all(c.source.strip() for c in cells)


def test_plots_are_attachments(report):
    nb = nbformat.reads(render(report, "ipynb"), as_version=4)
    last = nb.cells[-1]
    assert "## Training" in last.source
    assert set(last.attachments) == {"loss.png", "boundary.png"}
    assert "(attachment:loss.png)" in last.source


def test_empty_code_is_skipped(report):
    report.setup_code = "  \n"
    report.steps[0].check_code = ""
    nb = nbformat.reads(render(report, "ipynb"), as_version=4)
    nbformat.validate(nb)
    assert all(c.source.strip() for c in nb.cells if c.cell_type == "code")
    assert sum(c.cell_type == "code" for c in nb.cells) == len(report.steps) - 1 + 1


def test_minimal_notebook(minimal_report):
    nb = nbformat.reads(render(minimal_report, "ipynb"), as_version=4)
    nbformat.validate(nb)
    assert len(nb.cells) == 1


def test_executes_top_to_bottom(executed):
    outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    printed = "".join(o.get("text", "") for o in outputs)
    assert printed.count("rel. error") == 5
    assert "same array: True" in printed
