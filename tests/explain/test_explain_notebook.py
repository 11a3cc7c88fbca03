"""The notebook runs top to bottom in a fresh kernel and every assertion cell passes."""

from __future__ import annotations

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")


def test_notebook_executes(report):
    from chainrule.render import render

    nb = nbformat.reads(render(report, "ipynb"), as_version=4)
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3")
    client.execute()  # raises CellExecutionError on a failing assert
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert text.count("relative error") >= 12
