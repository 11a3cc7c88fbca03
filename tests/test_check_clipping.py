"""Gradient clipping by value (``np.clip(dW, -c, c)`` before the step) is part of the optimizer, not a wrong gradient.

Before: with an active clip every clipped gradient line was blamed ("grads[k] = 0.07994 × ∂L/∂b2: a stray
factor") and the script called wrong although it is a correct, common technique.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from chainrule.check import check_script

HEAD = '''import numpy as np
rng = np.random.default_rng(0)
X = rng.standard_normal((40, 3))
y = (X[:, 0] > 0).astype(float).reshape(-1, 1)
W = rng.standard_normal((3, 1))
b = np.zeros((1, 1))
for it in range(5):
    p = 1 / (1 + np.exp(-(X @ W + b)))
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    dz = (p - y) / len(X)
    dW = X.T @ dz
    db = dz.sum(axis=0, keepdims=True)
'''  # logistic regression: the loop up to its gradients
SCRIPT = HEAD + '''    dW = np.clip(dW, -CLIP, CLIP)
    db = db.clip(-CLIP, CLIP)
    W -= 0.5 * dW
    b -= 0.5 * db
'''


def _first_gradients() -> tuple[np.ndarray, np.ndarray]:
    """The true first-iteration gradients of the mean BCE, by hand (same data as SCRIPT)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3))
    y = (X[:, 0] > 0).astype(float).reshape(-1, 1)
    W = rng.standard_normal((3, 1))
    p = 1 / (1 + np.exp(-(X @ W)))
    dz = (p - y) / len(X)
    return X.T @ dz, dz.sum(axis=0, keepdims=True)


def _write(tmp_path: Path, clip: float, body: str = SCRIPT) -> Path:
    path = tmp_path / "clipped.py"
    path.write_text(body.replace("CLIP", repr(clip)))
    return path


def _entry(r, code: str) -> dict:
    return next(d for d in r.lines if d["code"].strip() == code)


def test_active_clipping_is_part_of_the_optimizer(tmp_path):
    dW, db = _first_gradients()
    clip = 0.5 * float(np.max(np.abs(dW)))  # clips the largest entry of dW: the clip is active
    assert np.any(np.abs(dW) > clip)
    r = check_script(_write(tmp_path, clip))
    assert r.ok and r.exit_code == 0, [d["message"] for d in r.lines if d["verdict"] == "wrong"]
    assert _entry(r, "dW = X.T @ dz")["verdict"] == "gradient"
    line = _entry(r, f"dW = np.clip(dW, -{clip!r}, {clip!r})")
    assert line["verdict"] == "intermediate" and "gradient clipping" in line["message"]
    up = _entry(r, "W -= 0.5 * dW")
    assert up["verdict"] == "update"
    assert "0.5·clip(∂L/∂W)" in up["message"] and f"[{-clip:g}, {clip:g}]" in up["message"]


def test_a_wrong_gradient_behind_a_clip_is_still_wrong(tmp_path):
    dW, _ = _first_gradients()
    clip = 0.5 * float(np.max(np.abs(dW)))
    bad = SCRIPT.replace("dz = (p - y) / len(X)", "dz = (y - p) / len(X)")
    r = check_script(_write(tmp_path, clip, bad))
    assert not r.ok
    assert r.culprit_line == 10  # the flipped sign, not the clip lines


def test_a_clip_that_cannot_keep_the_sign_is_no_gradient_clipping(tmp_path):
    """np.clip(dW, 0, c) zeroes every negative entry: that is a wrong gradient, not clipping."""
    body = SCRIPT.replace("dW = np.clip(dW, -CLIP, CLIP)", "dW = np.clip(dW, 0, CLIP)")
    r = check_script(_write(tmp_path, 10.0, body))
    dW, _ = _first_gradients()
    assert np.any(dW < 0)  # so the clip changes dW
    assert not r.ok and r.culprit_line == 13


def test_clipping_the_weights_is_blamed_on_the_clip(tmp_path):
    """The learner meant gradient clipping but clipped the weights: entries of W beyond ±c move with no gradient."""
    body = SCRIPT.replace("dW = np.clip(dW, -CLIP, CLIP)", "W = np.clip(W, -CLIP, CLIP)")
    rng = np.random.default_rng(0)
    rng.standard_normal((40, 3))
    W0 = rng.standard_normal((3, 1))  # the script's starting weights
    assert np.sum(np.abs(W0) > 0.5) >= 1  # so a clip at 0.5 moves at least one weight
    r = check_script(_write(tmp_path, 0.5, body))
    assert not r.ok and r.culprit_line == 13
    msg = r.line(13)["message"]
    assert "clips W itself" in msg and f"{int(np.sum(np.abs(W0) > 0.5))} of its 3 entries" in msg
    assert r.line(15)["verdict"] == "wrong" and "line 13" in r.line(15)["message"]


def test_clipped_after_the_step_is_blamed_on_the_update(tmp_path):
    body = SCRIPT.replace("    W -= 0.5 * dW\n", "    W = np.clip(W - 0.5 * dW, -0.5, 0.5)\n")
    r = check_script(_write(tmp_path, 10.0, body))
    assert not r.ok and r.culprit_line == 15 and "clips W itself" in r.line(15)["message"]


NORM = HEAD + '''    norm = np.sqrt(np.sum(dW ** 2) + np.sum(db ** 2))
    if norm > MAXNORM:
        dW = dW * (MAXNORM / norm)
        db = db * (MAXNORM / norm)
    W -= 0.5 * dW
    b -= 0.5 * db
'''


def test_clipping_by_global_norm_is_part_of_the_optimizer(tmp_path):
    dW, db = _first_gradients()
    norm = float(np.sqrt(np.sum(dW ** 2) + np.sum(db ** 2)))
    limit = 0.25 * norm  # active: every gradient is scaled by 1/4
    r = check_script(_write(tmp_path, limit, NORM.replace("MAXNORM", repr(limit))))
    assert r.ok, [d["message"] for d in r.lines if d["verdict"] == "wrong"]
    line = r.line(15)
    assert "gradient clipping by norm" in line["message"] and "0.25 × ∂L/∂W" in line["message"]
    up = r.line(17)
    assert up["verdict"] == "update" and abs(up["factor"] - 0.5) < 1e-9  # the rate, not 0.5 · 0.25


def test_a_norm_scaling_that_grows_the_gradient_is_wrong(tmp_path):
    dW, db = _first_gradients()
    limit = 0.25 * float(np.sqrt(np.sum(dW ** 2) + np.sum(db ** 2)))
    body = NORM.replace("dW = dW * (MAXNORM / norm)", "dW = dW * (norm / MAXNORM)").replace("MAXNORM", repr(limit))
    r = check_script(_write(tmp_path, limit, body))
    assert not r.ok and r.culprit_line == 15 and "4 × ∂L/∂W" in r.line(15)["message"].replace("4.000", "4")
