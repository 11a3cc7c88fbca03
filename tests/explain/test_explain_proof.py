"""The notebook's code: setup + every check cell run in order in one fresh namespace."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest

from chainrule.explain.build import build_report


def run_cells(report, replace=None):
    ns: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(report.setup_code, "<setup>", "exec"), ns)
        for s in report.steps:
            code = s.check_code
            if replace and replace[0] in code:
                code = code.replace(*replace)
            exec(compile(code, f"<{s.code}>", "exec"), ns)
            if s.rel_error_fd is not None:
                assert ns["err_fd"] == pytest.approx(s.rel_error_fd, rel=1e-6, abs=1e-18)
    return ns


def test_setup_and_checks_run_in_order(report):
    ns = run_cells(report)
    assert ns["dscores"] is ns["probs"]  # the learner's alias, reproduced
    assert np.allclose(ns["W"], ns["W_start"] - ns["dW"])  # the updates ran


def test_setup_needs_no_chainrule(report):
    assert "chainrule" not in report.setup_code.replace("chainrule.data.spiral", "")
    for s in report.steps:
        assert "chainrule" not in s.check_code


@pytest.mark.parametrize("wrong", [
    ("dscores /= num_examples", "dscores /= num_examples * 2"),
    ("dW = np.dot(X.T, dhidden)", "dW = np.dot(X.T, dhidden) / num_examples"),
    ("dW2 = np.dot(hidden_layer.T, dscores)", "dW2 = np.dot(hidden_layer.T, dscores) + 1e-9"),
    ("dhidden[hidden_layer <= 0] = 0", "dhidden[hidden_layer < -1] = 0"),
])
def test_checks_have_teeth(report, wrong):
    with pytest.raises(AssertionError):
        run_cells(report, replace=wrong)


@pytest.mark.parametrize("seed,tiny", [(1, (4, 3, 2)), (3, (4, 3, 2)), (7, (4, 3, 2)),
                                        (0, (6, 4, 3)), (2, (8, 5, 4)), (0, (4, 1, 2))])
def test_other_seeds_and_sizes_prove_too(seed, tiny):
    r = build_report(tiny, seed=seed, train=False)
    assert len(r.steps) == 13
    for s in r.steps:
        if s.holds != "intermediate":
            assert s.rel_error_fd < 1e-7 and s.rel_error_autodiff < 1e-7, (seed, tiny, s.code)
    run_cells(r)


def test_the_tiny_example_is_informative(report):
    """No point at the centre, no dead unit, a visible mask, probabilities off 0.5 and off 0/1."""
    X = np.array(report.forward[0].values[0].data)
    assert X.shape == (4, 2) and np.all(np.abs(X).sum(axis=1) > 0.1)  # no zero row of X
    Z = np.array(next(v.data for v in report.forward[1].values if v.name == "np.dot(X, W) + b"))
    assert np.abs(Z).min() >= 0.05  # away from z = 0
    on = Z > 0
    assert on.any(axis=0).all() and (~on).any(axis=0).all()  # every unit fires for some rows only
    P = np.array(report.steps[0].values[0].data)
    assert 0.1 <= P.min() and P.max() <= 0.9
    by = {s.writes: s for s in report.steps if s.holds == "gradient"}
    for name in ("dW", "db", "dW2", "db2"):
        g = np.array(next(v.data for v in by[name].values if v.name == name))
        assert np.all(np.abs(g) > 1e-3), name  # no zero column, no zero row
    assert report.kinks == [k for k in report.kinks if k.get("pass") == 0]  # only the pitfall's
    assert report.network["tiny"]["seed"] >= report.network["seed"]
    assert "origin_rows" not in report.network["tiny"] and "dead_units" not in report.network["tiny"]


@pytest.mark.parametrize("tiny,seed", [((4, 3, 2), 0), ((4, 3, 2), 5), ((6, 4, 3), 0), ((4, 1, 2), 3)])
def test_other_sizes_find_an_informative_example(tiny, seed):
    from chainrule.explain.tiny import build_tiny, informative

    t = build_tiny(tiny, seed)
    assert t.seed >= seed and informative(t.X, t.params, 3) and not t.at_kink.any()
