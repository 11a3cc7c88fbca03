"""A wrong line inside a per-example loop is blamed on itself, not on the accumulation that sums its results.

Before: ``dz = err * w2 * (1 - a) ** 2`` (tanh' written (1 − a)²) run once per example was called an
intermediate, and the culprit was ``dW1 += np.outer(x, dz)`` one line later.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from chainrule.check import check_script

SCRIPT = '''import numpy as np
rng = np.random.default_rng(3)
X = rng.uniform(-1, 1, (12, 3))
t = X[:, 0] - 2 * X[:, 1] * X[:, 2]
W1 = rng.standard_normal((3, 3))
w2 = rng.standard_normal(3)
for epoch in range(4):
    dW1 = np.zeros_like(W1)
    dw2 = np.zeros_like(w2)
    loss = 0.0
    for i in range(len(X)):
        a = np.tanh(X[i] @ W1)
        err = a @ w2 - t[i]
        loss += 0.5 * err ** 2 / len(X)
        dw2 += err * a
        dz = err * w2 * (1 - a ** 2)
        dW1 += np.outer(X[i], dz)
    W1 -= 0.1 * dW1 / len(X)
    w2 -= 0.1 * dw2 / len(X)
'''
DZ, OUTER = 16, 17


def _check(tmp_path: Path, old: str = "", new: str = ""):
    path = tmp_path / "per_example.py"
    path.write_text(SCRIPT.replace(old, new) if old else SCRIPT)
    return check_script(path)


def test_the_correct_loop_passes(tmp_path):
    r = _check(tmp_path)
    assert r.ok, [d["message"] for d in r.lines if d["verdict"] == "wrong"]


def test_wrong_derivative_in_every_example_is_blamed_on_its_line(tmp_path):
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, (12, 3))
    W1 = rng.standard_normal((3, 3))
    a = np.tanh(X @ W1)
    assert not np.allclose((1 - a) ** 2, 1 - a ** 2)  # the mistake changes the numbers
    r = _check(tmp_path, "dz = err * w2 * (1 - a ** 2)", "dz = err * w2 * (1 - a) ** 2")
    assert not r.ok and r.culprit_line == DZ
    runs = [d for d in r.lines if d["line"] == DZ]
    assert len(runs) == 12 and all(d["verdict"] == "wrong" for d in runs)  # every example's run, not one


def test_a_transposed_outer_product_stays_on_the_outer_line(tmp_path):
    r = _check(tmp_path, "dW1 += np.outer(X[i], dz)", "dW1 += np.outer(dz, X[i])")
    assert not r.ok and r.culprit_line == OUTER
    assert all(d["verdict"] != "wrong" for d in r.lines if d["line"] == DZ)
