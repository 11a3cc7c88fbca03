"""The notebook runs top to bottom in a fresh kernel and every assertion cell passes."""

from __future__ import annotations

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")


def test_notebook_executes(report):
    from chainrule.render import render

    nb = nbformat.reads(render(report, "ipynb"), as_version=4)
    first = nb.cells[0].source
    assert "autograd" in first and "installs nothing" in first  # says what it needs
    sources = [c.source for c in nb.cells if c.cell_type == "code"]
    assert not any("pip install" in s and not s.lstrip().startswith("#") for s in sources)
    training = [c for c in nb.cells if c.cell_type == "code" and "for i in range(3000)" in c.source]
    assert len(training) == 1  # the training section runs the learner's whole script
    training[0].source = training[0].source.replace("range(3000)", "range(201)")  # keep the test short
    assert any(c.cell_type == "markdown" and "chainrule explain my_script.py" in c.source
               for c in nb.cells)  # the "your script" pointer
    client = nbclient.NotebookClient(nb, timeout=180, kernel_name="python3")
    client.execute()  # raises CellExecutionError on a failing assert
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert text.count("relative error") >= 12
    assert "largest |yours - Nielsen's|" in text and "largest |yours - Ng's|" in text
    assert "i: 200 loss:" in text and "training accuracy" in text
