"""chainrule check on optimizer steps and local Jacobians: weight decay inside the update, Adam's bias
corrections, and a softmax's Jacobian built example by example or as one (N, K, K) array.

Each script is tiny and written here; each mistake is one line, and the test asserts the verdict of that
line (and that the correct variants pass).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from chainrule.check import check_script

NET = '''import numpy as np

np.random.seed(3)
N, D, H, K = 40, 3, 6, 3
X = np.random.randn(N, D)
y = np.random.randint(0, K, N)
W1 = 0.5 * np.random.randn(D, H)
b1 = np.zeros((1, H))
W2 = 0.5 * np.random.randn(H, K)
b2 = np.zeros((1, K))
params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
lr, wd = 0.1, 0.02
OPTIMIZER_SETUP
for it in range(20):
    h = np.tanh(X @ params["W1"] + params["b1"])
    s = h @ params["W2"] + params["b2"]
    e = np.exp(s - s.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(N), y]).mean()
    ds = p.copy()
    ds[np.arange(N), y] -= 1
    ds /= N
    grads = {"W2": h.T @ ds, "b2": ds.sum(axis=0, keepdims=True)}
    dz = (ds @ params["W2"].T) * (1 - h ** 2)
    grads["W1"] = X.T @ dz
    grads["b1"] = dz.sum(axis=0, keepdims=True)
    for k in params:
OPTIMIZER_STEP
'''


def _script(tmp_path: Path, setup: str, step: str, name: str = "net.py") -> Path:
    path = tmp_path / name
    path.write_text(NET.replace("OPTIMIZER_SETUP", setup).replace("OPTIMIZER_STEP", step))
    return path


def _culprit_message(r) -> str:
    return next(d["message"] for d in r.lines if d["line"] == r.culprit_line and d["verdict"] == "wrong")


def _line(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if line.strip() == text.strip())


def _updates(r) -> list[dict]:
    return [d for d in r.lines if d["verdict"] in ("update", "wrong") and "update" in d["code"] or
            d["verdict"] == "update"]


# ---------------------------------------------------------------- weight decay inside the update
DECAY = "        params[k] = (1 - lr * FACTOR) * params[k] - lr * grads[k]"


def test_weight_decay_that_shrinks_passes_and_is_named(tmp_path):
    r = check_script(_script(tmp_path, "", DECAY.replace("FACTOR", "wd")))
    assert r.ok, r.to_json()
    msgs = {d["gradient_of"]: d["message"] for d in r.lines if d["verdict"] == "update"}
    assert len(msgs) == 4
    for w in ('params["W1"]', 'params["W2"]'):  # the biases start at zero: a decay of zero is invisible
        assert "weight decay" in msgs[w] and "0.998·" in msgs[w]


@pytest.mark.parametrize("factor, word, shrink", [("15", "flips the sign of", -0.5), ("-wd", "grows", 1.002),
                                                   ("10", "zeroes", 0.0)])
def test_weight_decay_outside_0_1_is_wrong_on_the_update(tmp_path, factor, word, shrink):
    path = _script(tmp_path, "", DECAY.replace("FACTOR", factor))
    r = check_script(path)
    assert not r.ok and r.culprit_line == _line(path, DECAY.replace("FACTOR", factor))
    msg = _culprit_message(r)
    assert "wrong weight decay" in msg and word in msg and f"= {shrink:g}" in msg


def test_plain_step_without_decay_is_not_called_decay(tmp_path):
    r = check_script(_script(tmp_path, "", "        params[k] = params[k] - lr * grads[k]"))
    assert r.ok and not any("decay" in d["message"] for d in r.lines)


# ---------------------------------------------------------------- Adam, first step from zero moments
ADAM_SETUP = '''state = {k: {"m": np.zeros_like(v), "v": np.zeros_like(v)} for k, v in params.items()}
b1_, b2_, eps, t = 0.9, 0.999, 1e-8, 0'''
ADAM = '''        if k == "W1":
            t += 1
        st = state[k]
        st["m"] = b1_ * st["m"] + (1 - b1_) * grads[k]
        st["v"] = b2_ * st["v"] + (1 - b2_) * grads[k] ** 2
        m_hat = st["m"] / (1 - b1_ ** t)
        v_hat = st["v"] / (1 - b2_ ** t)
        params[k] = params[k] - lr * m_hat / (np.sqrt(v_hat) + eps)'''


def _adam(tmp_path, old: str = "", new: str = "") -> Path:
    return _script(tmp_path, ADAM_SETUP, ADAM.replace(old, new) if old else ADAM)


def test_textbook_adam_passes_and_is_named_adam(tmp_path):
    r = check_script(_adam(tmp_path))
    assert r.ok, r.to_json()
    ups = [d for d in r.lines if d["verdict"] == "update"]
    assert len(ups) == 4 and all("Adam step" in d["message"] for d in ups)


def test_adam_without_first_moment_correction_is_wrong_where_m_hat_is_named(tmp_path):
    path = _adam(tmp_path, 'm_hat = st["m"] / (1 - b1_ ** t)', 'm_hat = st["m"]')
    r = check_script(path)
    assert not r.ok and r.culprit_line == _line(path, '        m_hat = st["m"]')
    msg = _culprit_message(r)
    assert "bias correction" in msg and "t = 1" in msg and "0.1" in msg


@pytest.mark.parametrize("old, new", [
    # neither moment corrected: the original "biased" Adam, a legitimate variant
    ('m_hat = st["m"] / (1 - b1_ ** t)', 'm_hat = st["m"]'),
    # the paper's folded form: η_t = η·√(1 − β₂ᵗ)/(1 − β₁ᵗ), v used as it is
    ('params[k] = params[k] - lr * m_hat / (np.sqrt(v_hat) + eps)',
     'params[k] = params[k] - lr * np.sqrt(1 - b2_ ** t) / (1 - b1_ ** t) * st["m"] / (np.sqrt(st["v"]) + eps)'),
])
def test_adam_variants_that_cannot_be_proven_wrong_pass(tmp_path, old, new):
    path = _adam(tmp_path, old, new)
    if "m_hat = st" in new:
        path.write_text(path.read_text().replace('v_hat = st["v"] / (1 - b2_ ** t)', 'v_hat = st["v"]'))
    r = check_script(path)
    assert r.ok, [d["message"] for d in r.lines if d["verdict"] == "wrong"]


def test_adam_with_lazily_created_state_is_named_adam(tmp_path):
    """State made with setdefault inside the first iteration (CS231n's optim.adam): still Adam, not plain GD."""
    setup = 'configs = {k: {} for k in params}\nb1_, b2_, eps = 0.9, 0.999, 1e-8'
    step = '''        c = configs[k]
        c.setdefault("m", np.zeros_like(params[k]))
        c.setdefault("v", np.zeros_like(params[k]))
        c["t"] = c.get("t", 0) + 1
        c["m"] = b1_ * c["m"] + (1 - b1_) * grads[k]
        c["v"] = b2_ * c["v"] + (1 - b2_) * grads[k] ** 2
        params[k] = params[k] - lr * (c["m"] / (1 - b1_ ** c["t"])) / (np.sqrt(c["v"] / (1 - b2_ ** c["t"])) + eps)'''
    r = check_script(_script(tmp_path, setup, step))
    assert r.ok
    assert all("Adam step" in d["message"] for d in r.lines if d["verdict"] == "update")


# ---------------------------------------------------------------- a softmax's Jacobian
JAC = '''import numpy as np

np.random.seed(8)
N, K = 24, 3
X = np.random.randn(N, 2)
Y = np.eye(K)[np.random.randint(0, K, N)]
W = 0.4 * np.random.randn(2, K)
for epoch in range(30):
    z = X @ W
    ex = np.exp(z - np.max(z, axis=1, keepdims=True))
    probs = ex / np.sum(ex, axis=1, keepdims=True)
    loss = -np.mean(np.sum(Y * np.log(probs), axis=1))
    dprobs = -Y / probs / N
    dz = np.empty_like(dprobs)
BACKWARD
    dW = X.T @ dz
    W -= 0.5 * dW
'''
ROWS = '''    for i, (s, g) in enumerate(zip(probs, dprobs)):
        s = s.reshape(-1, 1)
        jac = np.diagflat(s) - np.dot(s, s.T)
        dz[i] = np.dot(jac, g)'''
BATCHED = '''    jac = probs[:, :, None] * np.eye(K)[None, :, :] - probs[:, :, None] * probs[:, None, :]
    dz = np.einsum("nij,nj->ni", jac, dprobs)'''


def _jac(tmp_path, body: str) -> Path:
    path = tmp_path / "jac.py"
    path.write_text(JAC.replace("BACKWARD", body))
    return path


@pytest.mark.parametrize("body", [ROWS, BATCHED], ids=["row_by_row", "batched"])
def test_softmax_jacobian_is_recognised(tmp_path, body):
    r = check_script(_jac(tmp_path, body))
    assert r.ok, [d["message"] for d in r.lines if d["verdict"] == "wrong"]
    jl = [d for d in r.lines if d["code"].startswith("jac =")]
    assert jl and all("softmax's local Jacobian" in d["message"] for d in jl)


@pytest.mark.parametrize("old, new, words", [
    ("np.dot(s, s.T)", "np.dot(s.T, s)", "inner product"),
    ("np.diagflat(s) - np.dot(s, s.T)", "np.diagflat(s)", "only diag(s)"),
    ("np.diagflat(s) - np.dot(s, s.T)", "np.dot(s, s.T) - np.diagflat(s)", "negative"),
])
def test_wrong_row_jacobian_is_blamed_where_it_is_built(tmp_path, old, new, words):
    path = _jac(tmp_path, ROWS.replace(old, new))
    r = check_script(path)
    assert not r.ok
    assert r.culprit_line == _line(path, "        jac = " + ROWS.split("jac = ")[1].split("\n")[0].replace(old, new))
    assert words in _culprit_message(r)


def test_wrong_batched_jacobian_is_blamed_where_it_is_built(tmp_path):
    path = _jac(tmp_path, BATCHED.replace(" - probs[:, :, None] * probs[:, None, :]", ""))
    r = check_script(path)
    assert not r.ok and r.culprit_line == _line(path, "    jac = probs[:, :, None] * np.eye(K)[None, :, :]")
    assert "only diag(s)" in _culprit_message(r)


def test_jacobian_truth_is_diag_minus_outer(tmp_path):
    """The Jacobians the checker compares with (autograd, K vector-Jacobian products) equal diag(s) − s·sᵀ."""
    from chainrule.check.analysis import analyse

    a = analyse(_jac(tmp_path, ROWS))
    (sm,) = a.softmaxes
    J = sm.jacobians(a.graph)
    P = np.asarray(a.values64.get(sm.A.id, sm.A.value))
    assert J.shape == (24, 3, 3)
    for e in (0, 7, 23):
        assert np.allclose(J[e], np.diag(P[e]) - np.outer(P[e], P[e]), rtol=0, atol=1e-15)
