"""``explain SCRIPT`` speaks the textbooks: the notation follows the script's layout, every backward line the
analysis understood has its Nielsen and Ng forms, the bridge's rules quote the script's own lines, and the
graph is the script's network with each node linked to the step that computes its gradient.

Three styles: the learner's row-major script (code notation), deeplearning.ai's column-major planar network
(Ng), and Nielsen's network.py taking one example at a time (Nielsen, one walkthrough line per statement,
not one per example).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from chainrule.check import explain_script

CORPUS = Path(__file__).parent / "corpus"
ROWS = CORPUS / "cs231n" / "learner_seed.py"
NG = CORPUS / "dlai_w3" / "planar_tanh.py"
NIELSEN = CORPUS / "nielsen" / "ce_l2_net.py"
SRC = Path(__file__).resolve().parents[1] / "src"


@pytest.fixture(scope="module")
def reports():
    return {k: explain_script(p) for k, p in (("rows", ROWS), ("ng", NG), ("nielsen", NIELSEN))}


def _step(rep, code: str):
    return next(s for s in rep.steps if s.code == code)


def _chain(rep) -> list[str]:
    return [n.label for n in rep.graph.nodes if n.kind != "param"]


def test_default_notation_follows_the_layout(reports):
    assert {k: r.notation for k, r in reports.items()} == {"rows": "code", "ng": "ng", "nielsen": "nielsen"}


def test_row_major_script_in_both_textbooks(reports):
    rep = reports["rows"]
    dW2 = _step(rep, "dW2 = np.dot(hidden_layer.T, dscores)")
    assert dW2.textbook["nielsen"].name == "BP4" and dW2.textbook["ng"].name == "dW^[2]"
    assert dW2.textbook["ng"].symbol == "dW^[2]ᵀ"  # rows: the code's dW2 is Ng's dW^[2] transposed
    mask = _step(rep, "dhidden[hidden_layer <= 0] = 0")
    assert mask.textbook["nielsen"].name == "BP2" and r"\mathbb{1}[z > 0]" in mask.textbook["nielsen"].latex
    start = _step(rep, "dscores[range(num_examples),y] -= 1")
    assert start.textbook["nielsen"].name == "BP1" and "softmax output" in start.textbook["nielsen"].translation
    assert [r.code for r in rep.bridge.rows] == [
        "dscores[range(num_examples),y] -= 1", "dscores /= num_examples", "dW2 = np.dot(hidden_layer.T, dscores)",
        "db2 = np.sum(dscores, axis=0, keepdims=True)", "dhidden = np.dot(dscores, W2.T)",
        "dhidden[hidden_layer <= 0] = 0", "dW = np.dot(X.T, dhidden)", "db = np.sum(dhidden, axis=0, keepdims=True)"]
    rules = {r.title: r.code for r in rep.bridge.rules}
    assert rules == {"Rows, not columns": "dhidden = np.dot(dscores, W2.T)",
                     "A batch, not one example": "dW2 = np.dot(hidden_layer.T, dscores)",
                     "Where 1/N lives": "dscores /= num_examples"}


def test_column_major_script_reads_as_ng(reports):
    rep = reports["ng"]
    dW2 = _step(rep, "dW2 = (1 / m) * np.dot(dZ2, A1.T)")
    ng = dW2.textbook["ng"]
    assert ng.latex == r"dW^{[2]} = \frac{1}{m}\, dZ^{[2]} A^{[1]\top}" and "no transpose" in ng.translation
    dZ2 = _step(rep, "dZ2 = A2 - Y")
    assert dZ2.textbook["ng"].latex == "dZ^{[2]} = A^{[2]} - Y" and dZ2.textbook["ng"].symbol == "dZ^[2]"
    assert "sigmoid output with the cross-entropy cost" in dZ2.textbook["nielsen"].translation
    dZ1 = _step(rep, "dZ1 = np.multiply(np.dot(W2.T, dZ2), 1 - np.power(A1, 2))")
    assert dZ1.textbook["nielsen"].name == "BP2" and r"1 - \tanh^{2} z" in dZ1.textbook["nielsen"].latex
    assert dZ1.textbook["ng"].symbol == "dZ^[1]"  # the line holds m·∂L/∂Z1: Ng's dZ has no 1/m
    assert [r.title for r in rep.bridge.rules] == ["Columns, like Ng", "A batch, not one example", "Where 1/m lives"]
    assert len(rep.bridge.rows) == 6


def test_nielsen_script_is_one_example_at_a_time(reports):
    rep = reports["nielsen"]
    backward = [s for s in rep.steps if s.holds != "update"]
    assert len(backward) == 19  # one example's 13 lines and the 6 mini-batch sums, not 16 × 21 runs
    bp4 = [s for s in rep.steps if s.code == "dw[l] = np.dot(delta, acts[l].transpose())"]
    assert [s.textbook["nielsen"].latex for s in bp4] == [
        r"\frac{\partial C_x}{\partial w^{%d}} = \delta^{%d}\,(a^{%d})^{\top}" % (l, l, l - 1) for l in (4, 3, 2)]
    sums = [s for s in rep.steps if s.code.startswith("sum_w = ")]
    assert [s.textbook["nielsen"].name for s in sums] == ["mini-batch sum"] * 3
    decay = [s for s in rep.steps if s.code.startswith("self.weights = ")]
    assert all(s.textbook["nielsen"].name == "update with L2" for s in decay)
    assert "once per example" in rep.intro


@pytest.mark.parametrize("key, chain, params", [
    ("rows", ["X", "Z", "H", "S", "P", "L"], ["W", "b", "W₂", "b₂"]),
    ("ng", ["X", "Z₁", "H₁", "Z₂", "H₂", "L"], ["W₁", "b₁", "W₂", "b₂"]),
    ("nielsen", ["X", "Z₁", "H₁", "Z₂", "H₂", "Z₃", "H₃"], ["W₁", "b₁", "W₂", "b₂", "W₃", "b₃"]),
])
def test_graph_is_the_scripts_network(reports, key, chain, params):
    rep = reports[key]
    assert _chain(rep) == chain
    assert sorted(n.label for n in rep.graph.nodes if n.kind == "param") == sorted(params)
    for n in rep.graph.nodes:
        assert 0 < n.x < 1 and 0 < n.y < 1 and n.width > 0 and n.height > 0
        if n.kind == "param":  # each weight links to the line that computes its gradient
            s = rep.steps[n.step]
            assert s.holds == "gradient" and s.gradient_of == n.name


def test_graph_values_are_the_scripts_arrays(reports):
    rep = reports["rows"]
    X = next(n for n in rep.graph.nodes if n.label == "X")
    from chainrule.check.analysis import analyse

    a = analyse(ROWS)
    data = next(n for n in a.graph.nodes if a.graph.names.get(n.id) == "X")
    assert np.allclose(np.asarray(X.value, dtype=float), np.asarray(data.value)[:len(X.value), :2], atol=5e-4)


def _explain_json(script: Path, *args: str) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-m", "chainrule", "explain", str(script), "--format", "json", *args],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def test_notation_option_for_a_script():
    assert _explain_json(NG)["notation"] == "ng"
    assert _explain_json(NG, "--notation", "nielsen")["notation"] == "nielsen"
    assert _explain_json(ROWS, "--notation", "ng")["notation"] == "ng"
