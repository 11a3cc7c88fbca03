"""The formulas the learner knows: Nielsen's BP1–BP4 and Ng's dZ/dW/db, next to the learner's lines.

The two textbook programs run on the tiny example (the notebook's cells, re-run
here in a fresh namespace) and must give the learner's dW, db, dW2, db2 to 1e-12.
"""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from chainrule.cli import app
from chainrule.explain.bridge import TOL
from chainrule.render import render

runner = CliRunner()
SEVEN = ["dscores[range(num_examples),y] -= 1", "dW2 = np.dot(hidden_layer.T, dscores)",
         "db2 = np.sum(dscores, axis=0, keepdims=True)", "dhidden = np.dot(dscores, W2.T)",
         "dhidden[hidden_layer <= 0] = 0", "dW = np.dot(X.T, dhidden)",
         "db = np.sum(dhidden, axis=0, keepdims=True)"]
NIELSEN = ["BP1", "BP4", "BP3", "BP2, first half", "BP2", "BP4", "BP3"]
NG = ["dZ^[2]", "dW^[2]", "db^[2]", "dA^[1]", "dZ^[1]", "dW^[1]", "db^[1]"]


def run_proofs(report, replace=None):
    ns: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(report.setup_code, "<setup>", "exec"), ns)
        for proof in report.bridge.proofs:
            code = proof.code.replace(*replace) if replace and replace[0] in proof.code else proof.code
            exec(compile(code, f"<{proof.notation}>", "exec"), ns)
    return ns


def test_nielsen_loop_and_ng_equal_the_learners_lines_to_1e_12(report):
    ns = run_proofs(report)
    for name in ("dW", "db", "dW2", "db2"):
        yours = ns["yours"][name]
        for key in ("nielsen", "ng"):
            assert ns[key][name].shape == yours.shape
            assert np.max(np.abs(ns[key][name] - yours)) <= TOL == 1e-12
    # the textbooks' own layout is the transpose of the learner's
    assert ns["nabla_w"][1].shape == (2, 3) and ns["grads"]["dW1"].shape == (3, 2)
    # and what the report shows is what those cells computed
    for proof in report.bridge.proofs:
        assert set(proof.differences) == {"dW", "db", "dW2", "db2"}
        assert all(0 <= d <= 1e-12 for d in proof.differences.values())
        assert "largest |yours" in proof.output and proof.values


def test_the_learners_lines_are_the_true_gradient_too(report):
    """`yours` is not just self-consistent: it is autograd's gradient of the loss."""
    ns = run_proofs(report)
    g = ns["grad"](ns["loss_of_params"], 2)(ns["W_start"], ns["b_start"], ns["W2_start"], ns["b2_start"])
    assert np.allclose(ns["yours"]["dW2"], g, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("wrong", [
    ("nabla_w[0].T / n", "nabla_w[0].T"),  # forgot Nielsen's 1/n
    ("delta3 @ a2.T", "a2 @ delta3.T"),  # BP4 the wrong way round
    ("(z2 > 0)", "(z2 >= -1)"),  # no ReLU derivative in BP2
    ("np.sum(dZ2, axis=1, keepdims=True)", "np.sum(dZ2, axis=0, keepdims=True).T[:2]"),
])
def test_the_proofs_have_teeth(report, wrong):
    with pytest.raises((AssertionError, ValueError)):
        run_proofs(report, replace=wrong)


def test_the_seven_backward_formulas_in_both_notations(report):
    by = {s.code: s for s in report.steps}
    for code, nielsen, ng in zip(SEVEN, NIELSEN, NG):
        tb = by[code].textbook
        assert tb["nielsen"].name == nielsen and tb["ng"].name == ng, code
        for n in ("nielsen", "ng"):
            f = tb[n]
            assert f.latex and f.text and f.translation and f.symbol, (code, n)
            assert "\\" not in f.text and "^{" not in f.text and "_{" not in f.text
    assert "BP4 transposed" in by[SEVEN[1]].textbook["nielsen"].translation
    assert "`hidden_layer.T @ dscores`" in by[SEVEN[1]].textbook["nielsen"].translation
    assert "`dscores @ W2.T`" in by[SEVEN[3]].textbook["nielsen"].translation
    assert "axis=1" in by[SEVEN[2]].textbook["ng"].translation  # Ng's columns vs your rows
    assert by[SEVEN[1]].textbook["ng"].symbol == "dW^[2]ᵀ"
    assert by["dscores /= num_examples"].textbook["ng"].symbol == "dZ^[2]ᵀ/m"


def test_the_translation_rules_are_spelled_out(report):
    rules = {r.title: r for r in report.bridge.rules}
    assert set(rules) == {"Rows, not columns", "A batch, not one example", "Where 1/N lives"}
    assert "Your `W` is Nielsen's (w²)ᵀ and Ng's (W^[1])ᵀ" in rules["Rows, not columns"].text
    assert rules["Rows, not columns"].code == "dscores @ W2.T"
    assert rules["A batch, not one example"].code == "hidden_layer.T @ dscores"
    assert "`dscores /= num_examples`" in rules["Where 1/N lives"].text
    assert len(report.bridge.rows) == 8  # the seven formulas and the division by N
    assert [n.id for n in report.bridge.notations] == ["code", "nielsen", "ng"]


@pytest.mark.parametrize("notation,symbol,header", [
    ("code", "∂L/∂W₂ = Hᵀ · ∂L/∂S", "Formula (your code)"),
    ("nielsen", "∂C/∂w³ = (1/n) Σₓ δ³ₓ (a²ₓ)ᵀ", "Formula (Nielsen)"),
    ("ng", "dW^[2] = (1/m)·dZ^[2]·A^[1]ᵀ", "Formula (Ng)"),
])
def test_notation_option_chooses_the_symbols(notation, symbol, header):
    res = runner.invoke(app, ["explain", "--no-train", "--format", "terminal", "--notation", notation])
    assert res.exit_code == 0, res.output
    text = res.stdout
    assert header in text and symbol in text
    if notation != "code":
        assert f"In {'Nielsen' if notation == 'nielsen' else 'Ng'}'s notation:" in text
    data = json.loads(runner.invoke(app, ["explain", "--no-train", "--format", "json",
                                          "--notation", notation]).stdout)
    assert data["notation"] == notation
    assert all(set(s["textbook"]) == {"code", "nielsen", "ng"} for s in data["steps"])


def test_notation_in_html_and_markdown(report):
    report.notation = "nielsen"
    try:
        md, html = render(report, "md"), render(report, "html")
    finally:
        report.notation = "code"
    assert "Formula (Nielsen)" in md and "Formula (Nielsen)" in html
    assert "In Nielsen's notation, `dW2` now holds (∂C/∂w³)ᵀ." in md
    # the chosen notation's box comes first on the card
    card = html[html.index('id="cr-step-4"'):]
    assert card.index("Nielsen · BP4") < card.index("Ng · dW^[2]")


def test_bad_notation_is_one_paragraph_exit_2():
    res = runner.invoke(app, ["explain", "--no-train", "--notation", "bishop"])
    assert res.exit_code == 2
    assert "--notation" in res.stderr or "--notation" in res.output
    assert "Traceback" not in res.output


def test_pieces_take_their_inputs_from_report_data_only(report):
    """A Report built by someone else (a learner's script) gets the same forms, bridge and graph."""
    import copy

    from chainrule.explain.bridge import textbook_bridge
    from chainrule.explain.build import QUANTITIES
    from chainrule.explain.graph import build_graph
    from chainrule.notation import fill_textbook

    other = copy.deepcopy(report)
    for s in other.steps:
        s.textbook = {}
    other.graph = other.bridge = None
    fill_textbook(other.steps, QUANTITIES)
    assert [s.textbook for s in other.steps] == [s.textbook for s in report.steps]
    assert build_graph(other, QUANTITIES) == report.graph
    b = textbook_bridge(other.steps)
    assert b.rows == report.bridge.rows and b.proofs == [] and "Then two" not in b.intro
    # a column-major script: no transposes in the translation or the symbols
    fill_textbook(other.steps, QUANTITIES, layout="columns")
    ng = other.steps[3].textbook["ng"]
    assert ng.symbol == "dW^[2]" and "no transpose" in ng.translation
