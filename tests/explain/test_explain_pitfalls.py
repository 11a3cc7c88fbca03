"""Each pitfall is demonstrated with numbers: re-run its code and look at them."""

from __future__ import annotations

import numpy as np

from chainrule.explain.pitfalls import execute


def by_id(report):
    return {p.id: p for p in report.pitfalls}


def test_all_pitfalls_present_and_shown(report):
    ids = [p.id for p in report.pitfalls]
    assert ids == ["alias", "overflow", "relu_kink", "n_comment", "python2_print",
                   "regularisation", "one_over_n"]
    for p in report.pitfalls:
        assert p.shown, p.id
        assert p.code and p.output and p.explanation and p.fix
        out, _ = execute(p.code)
        assert out == p.output  # the output is what the code prints


def test_alias_changes_probs(report):
    _, ns = execute(by_id(report)["alias"].code)
    assert ns["dscores"] is ns["probs"]
    assert np.allclose(ns["probs"].sum(axis=1), 0.0)  # no longer probabilities


def test_overflow_nan_then_shifted_fix(report):
    _, ns = execute(by_id(report)["overflow"].code)
    assert np.isnan(ns["probs_yours"][0]).all()
    assert np.isfinite(ns["probs"]).all()
    assert np.allclose(ns["probs"][0], ns["probs_yours"][1])  # same differences, same softmax
    assert "nan" in by_id(report)["overflow"].output


def test_kink_at_the_centre_point_and_subgradients(report):
    p = by_id(report)["relu_kink"]
    _, ns = execute(p.code)
    assert np.all(ns["X"][0] == 0.0) and np.all(ns["b"] == 0.0)  # the centre point, first pass
    assert np.all(ns["Z"][0] == 0.0)
    assert np.all(ns["dhidden"][0] == 0.0)  # the code picks 0
    assert float(ns["grad"](lambda z: ns["anp"].maximum(0.0, z))(0.0)) == 0.5  # autograd 0.5
    dH = np.dot(ns["dscores"], ns["W2"].T)[0]
    assert np.allclose(ns["dZ_autograd"][0], 0.5 * dH)
    assert "-> 0.5" in p.output and "-> 0.0" in p.output
    at_zero = [k for k in report.kinks if k["pass"] == 0]
    assert at_zero and all(k["z"] == 0.0 and k["code_gradient"] == 0.0
                           and k["autograd_gradient"] == 0.5 for k in at_zero)


def test_the_kink_is_explained_once_in_its_own_pitfall(report):
    """The ReLU-at-0 story lives in its pitfall; the steps at most point to it."""
    words = ("kink", "subgradient", "no derivative")
    for s in report.steps:
        text = " ".join((s.chain, s.holds_text, s.shape_reason, s.message))
        assert "kink" not in text and "subgradient" not in text, s.code
    assert sum("no derivative" in (s.chain + s.message) for s in report.steps) <= 1
    pit = by_id(report)["relu_kink"]
    assert all(w in pit.explanation or w == "kink" for w in words)
    assert "kink" not in pit.explanation.lower()


def test_n_comment_counts(report):
    _, ns = execute(by_id(report)["n_comment"].code)
    assert ns["X"].shape == (800, 2) and ns["N"] == 200
    assert list(np.bincount(ns["y"])) == [400, 400]


def test_python2_print_fails_in_python3(report):
    out = by_id(report)["python2_print"].output
    assert "Missing parentheses in call to 'print'" in out
    assert "IndentationError" in out


def test_regularisation_terms_checked(report):
    p = by_id(report)["regularisation"]
    _, ns = execute(p.code)
    assert "NameError: name 'reg' is not defined" in p.output
    assert ns["rel_error"](ns["dW"], ns["dW_true"]) < 1e-7
    assert ns["rel_error"](ns["dW2"], ns["dW2_true"]) < 1e-7
    assert ns["rel_error"](ns["dW"] - ns["reg"] * ns["W"], ns["dW_true"]) > 1e-3


def test_one_over_n(report):
    _, ns = execute(by_id(report)["one_over_n"].code)
    rel = ns["rel_error"]
    assert rel(ns["dW"], ns["dW_true"]) < 1e-7
    assert rel(ns["dW"] / ns["num_examples"], ns["dW_true"]) > 0.1
    nz = np.abs(ns["dW"]) > 0
    assert np.allclose(ns["dW_sum"][nz] / ns["dW"][nz], ns["num_examples"])


def test_pitfalls_leave_numpy_global_state_alone(report):
    state = np.random.get_state()[1].copy()
    execute(by_id(report)["n_comment"].code)
    assert np.array_equal(np.random.get_state()[1], state)
