"""The 13 backward steps: what each line writes, what it holds, and the proof."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule.learner import SOURCE, line_of

EXPECTED = [
    # code, writes, holds, gradient_of, factor
    ("dscores = probs", "dscores", "intermediate", None, None),
    ("dscores[range(num_examples),y] -= 1", "dscores", "scaled", "scores", 800.0),
    ("dscores /= num_examples", "dscores", "gradient", "scores", 1.0),
    ("dW2 = np.dot(hidden_layer.T, dscores)", "dW2", "gradient", "W2", 1.0),
    ("db2 = np.sum(dscores, axis=0, keepdims=True)", "db2", "gradient", "b2", 1.0),
    ("dhidden = np.dot(dscores, W2.T)", "dhidden", "gradient", "hidden_layer", 1.0),
    ("dhidden[hidden_layer <= 0] = 0", "dhidden", "gradient", "np.dot(X, W) + b", 1.0),
    ("dW = np.dot(X.T, dhidden)", "dW", "gradient", "W", 1.0),
    ("db = np.sum(dhidden, axis=0, keepdims=True)", "db", "gradient", "b", 1.0),
    ("W += -step_size * dW", "W", "update", None, None),
    ("b += -step_size * db", "b", "update", None, None),
    ("W2 += -step_size * dW2", "W2", "update", None, None),
    ("b2 += -step_size * db2", "b2", "update", None, None),
]


def test_one_step_per_backward_statement(report):
    got = [(s.code, s.writes, s.holds, s.gradient_of, s.factor) for s in report.steps]
    assert got == EXPECTED


def test_lines_point_at_the_learners_code(report):
    for s in report.steps:
        assert s.line == line_of(s.code)
        assert SOURCE.splitlines()[s.line - 1].strip().startswith(s.code)


@pytest.mark.parametrize("k", range(13))
def test_every_gradient_is_proved(report, k):
    s = report.steps[k]
    if s.holds == "intermediate":
        assert s.rel_error_fd is None and s.rel_error_autodiff is None
        return
    assert s.rel_error_fd is not None and s.rel_error_fd < 1e-7
    assert s.rel_error_autodiff is not None and s.rel_error_autodiff < 1e-7
    assert s.ok


def test_full_size_shapes(report):
    shapes = {s.code: s.shapes for s in report.steps}
    assert shapes["dW2 = np.dot(hidden_layer.T, dscores)"] == {
        "hidden_layer.T": [1000, 800], "dscores": [800, 2], "dW2": [1000, 2]}
    assert shapes["db2 = np.sum(dscores, axis=0, keepdims=True)"] == {"dscores": [800, 2], "db2": [1, 2]}
    assert shapes["dhidden[hidden_layer <= 0] = 0"] == {"hidden_layer <= 0": [800, 1000],
                                                        "dhidden": [800, 1000]}
    assert shapes["dW = np.dot(X.T, dhidden)"]["dW"] == [2, 1000]
    assert shapes["dscores[range(num_examples),y] -= 1"]["dscores[range(num_examples),y]"] == [800]
    assert report.network["N"] == 800 and report.network["h"] == 1000 and report.network["K"] == 2


def test_every_step_has_both_forms_and_words(report):
    for s in report.steps:
        assert s.formula_latex and s.index_latex and s.formula_text
        assert s.chain and s.shape_reason and s.holds_text and s.title
        assert "⟨" not in s.holds_text + s.shape_reason + s.chain  # placeholders filled
        assert s.check_code.startswith(s.code)
        assert s.values, s.code
    dw2 = report.steps[3]
    assert r"\sum_{i=1}^{N} H[i,j]" in dw2.index_latex
    assert "hidden_layer.T" in dw2.shape_reason
    assert "keepdims" in report.steps[4].shape_reason


def test_holds_text_says_what_changes(report):
    by_code = {s.code: s for s in report.steps}
    assert "800" in by_code["dscores[range(num_examples),y] -= 1"].holds_text
    mask = by_code["dhidden[hidden_layer <= 0] = 0"].holds_text
    assert "∂L/∂Z" in mask and "no longer" in mask
    assert "same array" in by_code["dscores = probs"].holds_text


def test_values_are_snapshots_after_each_line(report):
    s1, s2, s3 = report.steps[:3]
    p = np.array(s1.values[0].data)  # dscores right after `dscores = probs`
    assert np.allclose(p.sum(axis=1), 1.0)
    after_minus = {v.name: np.array(v.data) for v in s2.values}
    assert np.allclose(after_minus["dscores"].sum(axis=1), 0.0)
    assert np.array_equal(after_minus["probs"], after_minus["dscores"])  # the alias, shown
    after_div = np.array(s3.values[0].data)
    assert np.allclose(after_div * report.network["tiny"]["N"], after_minus["dscores"])


def test_forward_chain(report):
    symbols = [f.symbol for f in report.forward]
    assert symbols == ["X", "Z", "H", "S", "P", "L"]
    shapes = {f.symbol: f.shape for f in report.forward}
    assert shapes == {"X": [800, 2], "Z": [800, 1000], "H": [800, 1000], "S": [800, 2],
                      "P": [800, 2], "L": []}
    assert report.forward[1].name == "np.dot(X, W) + b"
    assert all(f.line and f.values for f in report.forward)
    X = np.array(report.forward[0].values[0].data)
    assert X.shape == (4, 2) and not (~X.any(axis=1)).any()  # no point at the centre
