"""A learner's Jupyter notebook through explain and serve: every line named by its cell, the code as written.

The notebooks are written here with nbformat, as learners write them: a markdown cell, ``!pip install``,
data in one cell (with ``%matplotlib inline``), weights in another, the forward and backward passes as
functions in two more, the loop in a sixth, a plot last.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from chainrule.explain import explain
from chainrule.render import render
from chainrule.serve import load_page

DATA = """import numpy as np
import matplotlib.pyplot as plt
%matplotlib inline
np.random.seed(1)
X = np.random.randn(60, 2)
y = (X[:, 0] * X[:, 1] > 0).astype(int)"""
WEIGHTS = """W1 = 0.1 * np.random.randn(2, 8)
b1 = np.zeros((1, 8))
W2 = 0.1 * np.random.randn(8, 2)
b2 = np.zeros((1, 2))
lr = 0.5
m = X.shape[0]"""
FORWARD = """def forward(X, W1, b1, W2, b2):
    h = np.maximum(0, X.dot(W1) + b1)
    s = h.dot(W2) + b2
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return h, e / e.sum(axis=1, keepdims=True)"""
BACKWARD = """def backward(X, y, h, p, W2):
    d = p.copy()
    d[np.arange(len(y)), y] -= 1
    d /= len(y)
    dW2 = h.T.dot(d)
    db2 = d.sum(axis=0, keepdims=True)
    dh = d.dot(W2.T)
    dh[h <= 0] = 0
    return X.T.dot(dh), dh.sum(axis=0, keepdims=True), dW2, db2"""
LOOP = """for it in range(50):
    h, p = forward(X, W1, b1, W2, b2)
    loss = -np.log(p[np.arange(m), y]).mean()
    dW1, db1, dW2, db2 = backward(X, y, h, p, W2)
    W1 -= lr * dW1
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2"""


@pytest.fixture(scope="module")
def notebook(tmp_path_factory) -> Path:
    nb = new_notebook()
    nb.cells = [new_markdown_cell("# My net"), new_code_cell("!pip install numpy"), new_code_cell(DATA),
                new_code_cell(WEIGHTS), new_code_cell(FORWARD), new_code_cell(BACKWARD), new_code_cell(LOOP),
                new_code_cell("plt.plot([1, 2])")]
    path = tmp_path_factory.mktemp("nb") / "my net é.ipynb"  # a space and an accent, as learners name files
    nbformat.write(nb, str(path))
    return path


@pytest.fixture(scope="module")
def report(notebook):
    return explain(notebook).report


def test_explain_names_the_cell_and_the_line(report):
    md = render(report, "md")
    # cell 6 is the backward function; its line 3 is the −1 at the class
    assert "| [2](#step-2) | 6, 3 | `d[np.arange(len(y)), y] -= 1` |" in md
    assert "| Step | Cell, line | Your code |" in md
    assert "### Step 2 · d: softmax + cross-entropy backward (cell 6, line 3)" in md
    assert "(cell 7, line 5)" in md  # the update `W1 -= lr * dW1`, in the loop's cell
    assert "Backward (cell: line numbers): ∂L/∂S (cell 6: 3–4)" in md
    html = render(report, "html")
    assert "cell 6, line 3" in html and "<th scope=\"col\" class=\"cr-num\">Cell, line</th>" in html
    text = render(report, "terminal")
    assert "cell 6, line 3" in text and "(line 3" not in text


def test_a_script_keeps_plain_line_numbers(tmp_path):
    path = tmp_path / "net.py"
    path.write_text("\n".join(c.replace("%matplotlib inline\n", "") for c in (DATA, WEIGHTS, FORWARD, BACKWARD, LOOP)) + "\n")
    md = render(explain(path).report, "md")
    assert "| Step | Line | Your code |" in md and "(cell " not in md and "Backward (line numbers)" in md
    assert "| [2](#step-2) | 19 | `d[np.arange(len(y)), y] -= 1` |" in md and "(line 19)" in md


def test_the_page_shows_the_cells_as_written(notebook):
    page = load_page(notebook).json
    heads = [line["header"] for line in page["lines"] if line.get("header")]
    assert heads == [f"cell {n}" for n in range(2, 9)]
    text = [line["text"] for line in page["lines"] if not line.get("header")]
    assert text[0] == "!pip install numpy" and text[3] == "%matplotlib inline" and "pass" not in text
    numbers = [line["n"] for line in page["lines"]]
    assert numbers[:9] == [0, 1, 0, 1, 2, 3, 4, 5, 6]  # header, cell 2's line, header, cell 3's six lines
    stop = next(s for s in page["stops"] if s["code"] == "d[np.arange(len(y)), y] -= 1")
    assert stop["where"] == "cell 6, line 3"
    shown = {line["key"]: line["text"] for line in page["lines"]}
    assert shown[stop["lines"][0]] == "    d[np.arange(len(y)), y] -= 1"
    update = next(s for s in page["stops"] if s["code"] == "W1 -= lr * dW1")
    assert update["where"] == "cell 7, line 5"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "chainrule", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "100"})


@pytest.mark.parametrize("content, words", [
    ("not json {", "is not a readable Jupyter notebook"),
    ('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', "has no code cells"),
])
@pytest.mark.parametrize("command", [["explain", "--format", "md"], ["serve", "--no-browser"]])
def test_a_broken_notebook_is_one_paragraph_exit_2(tmp_path, content, words, command):
    bad = tmp_path / "broken.ipynb"
    bad.write_text(content)
    r = _run(*command, str(bad))
    assert r.returncode == 2 and r.stderr.startswith("error: broken.ipynb") and words in r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""


def test_the_network_line_is_words_not_python(report):
    """Was ``loss inferred: False · … · params: W1=[2, 8], … · optimizer: ['gd']``."""
    md = render(report, "md")
    line = next(x for x in md.splitlines() if x.startswith("**Network:**"))
    assert "loss variable: loss" in line and "loss inferred: no" in line and "optimizer: gd" in line
    assert "params: W1 (2, 8), b1 (1, 8), W2 (8, 2), b2 (1, 2)" in line
    assert "[" not in line and "False" not in line


def test_an_intermediate_line_says_what_it_holds_once(report):
    """``d = p.copy()``: the verdict and "Holds after this line" say it; the chain rule did a third time."""
    md = render(report, "md")
    step1 = md.split('<a id="step-1"></a>')[1].split('<a id="step-2"></a>')[0]
    assert step1.count("d holds an intermediate value, not yet a gradient") == 2
    assert "**Chain rule:**" not in step1
    step2 = md.split('<a id="step-2"></a>')[1].split('<a id="step-3"></a>')[0]
    assert "**Chain rule:** The loss of row i" in step2  # a real chain-rule paragraph stays


SLOW = "import time\nimport numpy as np\nW = np.zeros(2)\ntime.sleep(30)\nfor i in range(3):\n    W -= 0.1 * W\n"


@pytest.mark.parametrize("command", [["explain", "--format", "md"], ["serve", "--no-browser"]])
def test_timeout_the_message_names_exists(tmp_path, command):
    """The timeout message says "raise --timeout": explain and serve now have it (only check had)."""
    slow = tmp_path / "slow.py"
    slow.write_text(SLOW)
    r = _run(*command, "--timeout", "1", str(slow))
    assert r.returncode == 2 and "ran for more than 1 s" in r.stderr and "--timeout" in r.stderr
    bad = _run(*command, "--timeout", "0", str(slow))
    assert bad.returncode == 2 and "Invalid value 0" in bad.stderr and "--timeout" in bad.stderr
    assert "Traceback" not in r.stderr + bad.stderr


def test_the_network_line_of_a_script_that_raises_has_no_empty_items():
    """Was ``loss: None · … · params:  · optimizer: `` for a script whose backward line raises."""
    corpus = Path(__file__).resolve().parents[1] / "check" / "corpus"
    md = render(explain(corpus / "mut_no_transpose.py").report, "md")
    line = next(x for x in md.splitlines() if x.startswith("**Network:**"))
    assert line == ("**Network:** loss function: computed by the script · loss inferred: no · "
                    "layout: one example per row (X @ W)")


def test_the_graph_names_the_cell(report, notebook):
    """The SVG's backward labels and the page's graph edges: "cell 6: 5", not the joined program's line."""
    html = render(report, "html")
    labels = re.findall(r'fill="#b35900">([^<]+)</text>', html)
    assert "cell 6: 5" in labels and "cell 6: 3–4" in labels and not any(x.startswith("line") for x in labels)
    edges = load_page(notebook).json["graph"]["edges"]
    assert {e["where"] for e in edges if e.get("backward_line")} >= {"cell 6, line 5", "cell 6, line 8"}


def test_the_html_listing_is_cell_by_cell_and_the_steps_link_into_it(report):
    html = render(report, "html")
    assert "Your notebook's code (7 code cells)" in html
    heads = re.findall(r'<p class="cr-cell-head"><strong>(cell \d+)</strong></p>', html)
    assert heads == [f"cell {n}" for n in range(2, 9)]
    # step 2 (cell 6, line 3) links to the anchor of its line in cell 6's listing, and that line is its code
    links = re.findall(r'<a class="cr-lineno" href="#([^"]+)">cell 6, line 3</a>', html)
    assert links == ["cr-L-c6-3"]
    at = html.index('id="cr-L-c6-3"')
    assert "np.arange" in re.sub(r"<[^>]+>", "", html[at:at + 600]).split("\n")[0]
