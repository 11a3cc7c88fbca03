"""The mean's 1/N may sit in the update line: ``dW = X.T @ dz`` then ``W -= lr * dW / len(X)`` is right.

Before: the checker required the array fed to the update to be ∂L/∂W itself, so this correct script was
called wrong ("dW1 = 12 × ∂L/∂W1: a division by len(X) (= 12) is missing").  The same script without the
division in one update is still wrong.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from chainrule.check import check_script

SCRIPT = '''import numpy as np
rng = np.random.default_rng(3)
X = rng.uniform(-1, 1, (12, 3))
t = X[:, :1] - 2 * X[:, 1:2] * X[:, 2:3]
W1 = rng.standard_normal((3, 3))
w2 = rng.standard_normal((3, 1))
for epoch in range(4):
    a = np.tanh(X @ W1)
    err = a @ w2 - t
    loss = 0.5 * np.mean(err ** 2)
    dw2 = a.T @ err
    dz = err @ w2.T * (1 - a ** 2)
    dW1 = X.T @ dz
    W1 -= 0.1 * dW1 / len(X)
    w2 -= 0.1 * dw2 / len(X)
'''


def _check(tmp_path: Path, body: str):
    path = tmp_path / "divides.py"
    path.write_text(body)
    return check_script(path)


def _true_dw2() -> np.ndarray:
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, (12, 3))
    t = X[:, :1] - 2 * X[:, 1:2] * X[:, 2:3]
    W1 = rng.standard_normal((3, 3))
    w2 = rng.standard_normal((3, 1))
    a = np.tanh(X @ W1)
    return a.T @ (a @ w2 - t) / 12  # ∂/∂w2 of 0.5 · mean(err²)


def test_division_in_the_update_line_is_right(tmp_path):
    r = _check(tmp_path, SCRIPT)
    assert r.ok, [d["message"] for d in r.lines if d["verdict"] == "wrong"]
    dw2 = r.line(11)
    assert dw2["verdict"] == "scaled" and dw2["factor"] == 12.0
    assert "12 × ∂L/∂w2" in dw2["message"] and "divides it by len(X)" in dw2["message"]
    up = r.line(15)
    assert up["verdict"] == "update" and abs(up["factor"] - 0.1) < 1e-12  # the rate along ∂L/∂w2, not 0.1/12
    assert np.linalg.norm(_true_dw2()) > 0


def test_forgetting_the_division_in_one_update_is_still_wrong(tmp_path):
    r = _check(tmp_path, SCRIPT.replace("    W1 -= 0.1 * dW1 / len(X)\n", "    W1 -= 0.1 * dW1\n"))
    assert not r.ok
    assert r.culprit_line in (12, 13) and "len(X)" in r.line(r.culprit_line)["message"]
    assert r.line(15)["verdict"] == "update"  # w2's own update still divides: right


def test_a_division_by_a_number_that_is_no_size_is_not_the_mean(tmp_path):
    """dW = 12·∂L/∂W but the update divides by 6: wrong (the fed array must then be ∂L/∂W itself)."""
    r = _check(tmp_path, SCRIPT.replace("w2 -= 0.1 * dw2 / len(X)", "w2 -= 0.1 * dw2 / 6"))
    assert not r.ok and r.line(11)["verdict"] == "wrong"
