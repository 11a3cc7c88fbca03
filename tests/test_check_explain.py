"""``chainrule explain SCRIPT``: the learner's own script as a Report with formulas, numbers and proofs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from chainrule.check import explain_script
from chainrule.check.analysis import analyse
from chainrule.render import render

CORPUS = Path(__file__).parent / "check" / "corpus"


@pytest.fixture(scope="module")
def learner():
    return explain_script(CORPUS / "learner.py")


@pytest.fixture(scope="module")
def learner_analysis():
    return analyse(str(CORPUS / "learner.py"))


def step(rep, start):
    return next(s for s in rep.steps if s.code.startswith(start))


def test_forward_chain_has_symbols_and_formulas(learner):
    fw = learner.forward
    assert all(f.formula_latex and f.formula_text and f.symbol for f in fw)
    by = {(f.symbol, f.name): f for f in fw}
    # the ReLU line gives two links: the unnamed pre-activation and the activation
    z, h = by[("Z", "np.dot(X, W) + b")], by[("H", "hidden_layer")]
    assert z.line == h.line == 29 and z.shape == h.shape == [800, 1000]
    assert r"\max(0, Z)" in h.formula_latex and r"\texttt{hidden\_layer}" in h.formula_latex
    s = by[("S", "scores")]
    assert "W_2" in s.formula_latex and "S = H·W₂ + b₂" in s.formula_text and "S = scores" in s.formula_text
    assert by[("P", "probs")].formula_latex.startswith(r"P = \operatorname{softmax}(S)")
    assert "log" in by[("L_data", "data_loss")].formula_text
    assert s.values and s.values[0].shape == [4, 2]


def test_dw2_step(learner, learner_analysis):
    dw2 = step(learner, "dW2 =")
    assert dw2.formula_keys == ["linear.dW"] and dw2.holds == "gradient"
    assert dw2.formula_latex and "X^{\\top}" in dw2.formula_latex
    assert "hidden_layer.T" in dw2.shape_reason and "(1000, 2)" in dw2.shape_reason
    assert "upstream" in dw2.chain and "`dscores`" in dw2.chain and "scores" in dw2.chain
    assert "∂L/∂`W2`" in dw2.holds_text
    # the numbers are windows of the script's own arrays in the analysed iteration
    line = next(L for L in learner_analysis.lines if L.code.startswith("dW2 ="))
    hidden = next(n for n in learner_analysis.graph.nodes if learner_analysis.label(n) == "hidden_layer")
    vals = {v.name: v for v in dw2.values}
    assert set(vals) >= {"hidden_layer", "dscores", "dW2"}
    np.testing.assert_array_equal(np.array(vals["dW2"].data), line.node.value[:4, :4])
    np.testing.assert_array_equal(np.array(vals["hidden_layer"].data), hidden.value[:4, :4])
    assert "rows 0–3, columns 0–3 of (800, 1000)" in vals["hidden_layer"].note
    assert any(x != 0 for row in vals["dW2"].data for x in row)


def test_relative_errors_of_gradient_steps(learner):
    grads = [s for s in learner.steps if s.holds in ("gradient", "update")]
    assert len(grads) >= 10
    for s in grads:
        assert s.rel_error_autodiff is not None and s.rel_error_autodiff < 1e-7, s.code
        assert s.rel_error_fd is not None and s.rel_error_fd < 1e-7, (s.code, s.rel_error_fd)


def test_backward_keys_and_texts(learner):
    keys = {s.line: s.formula_keys for s in learner.steps}
    assert keys[44] == keys[45] == keys[46] == ["softmax_ce.backward"]
    assert keys[50] == ["linear.db"] and keys[52] == ["linear.dX"] and keys[54] == ["relu.backward"]
    assert all(keys[n] == ["update.gd"] for n in (59, 60, 61, 62))
    db2 = step(learner, "db2 =")
    assert "axis=0" in db2.shape_reason and "keepdims=True" in db2.shape_reason
    dh = step(learner, "dhidden = np.dot")
    assert "W2.T" in dh.shape_reason
    for s in learner.steps:
        assert s.chain and s.shape_reason and s.holds_text, s.code


@pytest.mark.parametrize("fmt", ["md", "html", "terminal", "json", "ipynb"])
def test_renders(learner, fmt):
    out = render(learner, fmt)
    assert "hidden_layer" in out


def test_render_markdown_shows_maths_and_numbers(learner):
    md = render(learner, "md")
    assert r"\max(0, Z)" in md and "finite differences (rel. error" in md and "hidden_layer.T" in md


@pytest.mark.parametrize("name, keys", [
    ("ok_svm.py", {"hinge.backward", "linear.dW", "linear.db", "relu.backward", "l2.backward"}),
    ("ok_sigmoid.py", {"sigmoid.backward", "linear.dW", "linear.dX", "softmax_ce.backward"}),
    ("ok_leaky.py", {"leaky_relu.backward"}),
    ("ok_tanh.py", {"tanh.backward"}),
    ("ok_tuple_helpers.py", {"tanh.backward", "linear.dX", "linear.db"}),
    ("ok_spiral_mean.py", {"softmax_ce.backward", "relu.backward"}),
])
def test_corpus_patterns(name, keys):
    rep = explain_script(CORPUS / name)
    found = {k for s in rep.steps for k in s.formula_keys}
    assert keys <= found, found
    assert all(f.formula_latex for f in rep.forward if f.symbol)
    assert sum(1 for f in rep.forward if f.formula_latex) >= 5
    render(rep, "md")
    render(rep, "html")


def test_forward_patterns_of_other_styles():
    svm = explain_script(CORPUS / "ok_svm.py")
    kinds = {f.symbol for f in svm.forward}
    assert {"Z", "H", "S", "M", "R", "L"} <= kinds
    sig = explain_script(CORPUS / "ok_sigmoid.py")
    h = next(f for f in sig.forward if f.name == "a1")
    assert r"\sigma" in h.formula_latex and h.symbol == "H"
    mean = explain_script(CORPUS / "ok_spiral_mean.py")
    loss = next(f for f in mean.forward if f.name == "loss")
    assert loss.symbol == "L" and "log" in loss.formula_latex


def test_wrong_line_keeps_intended_formula():
    rep = explain_script(CORPUS / "mut_sigmoid_deriv.py")
    bad = next(s for s in rep.steps if s.code.startswith("dz1 ="))
    assert not bad.ok and bad.formula_keys == ["sigmoid.backward"]
    assert "sigmoid" in bad.message and bad.rel_error_fd is None
