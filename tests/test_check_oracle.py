"""Oracle: the replay reproduces the script's numbers, its gradients are autograd's, each standard loss is inferred."""

from __future__ import annotations

import textwrap

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

from chainrule.check import check_script
from chainrule.check.analysis import analyse

PRELUDE = '''
import numpy as np
np.random.seed(3)
N, D, K = 20, 3, 4
X = np.random.randn(N, D)
y = np.random.randint(0, K, size=N)
Y = np.eye(K)[y]
W = 0.3 * np.random.randn(D, K)
for it in range(3):
'''

# backward passes with no loss line: (the loss they are the gradient of, the lines)
NO_LOSS = {
    "softmax_ce_scores": ("softmax", '''
    s = X @ W
    e = np.exp(s - s.max(axis=1, keepdims=True)); p = e / e.sum(axis=1, keepdims=True)
    ds = p - Y
    W -= 0.1 * X.T @ ds / N
'''),
    "bce": ("bce", '''
    a = 1 / (1 + np.exp(-(X @ W)))
    dz = a - Y
    W -= 0.1 * X.T @ dz / N
'''),
    "mse_half_sum": ("mse", '''
    out = X @ W
    err = Y - out
    W += 0.01 * X.T @ err
'''),
    "mse_mean": ("mse", '''
    out = X @ W
    dout = 2 * (out - Y) / out.size
    W -= 0.1 * X.T @ dout
'''),
    "hinge": ("hinge", '''
    s = X @ W
    margins = np.maximum(0, s - s[np.arange(N), y][:, None] + 1)
    margins[np.arange(N), y] = 0
    bin_ = (margins > 0).astype(float)
    bin_[np.arange(N), y] = -bin_.sum(axis=1)
    W -= 0.1 * X.T @ bin_ / N
'''),
}


@pytest.mark.parametrize("name", sorted(NO_LOSS))
def test_each_standard_loss_is_inferred(tmp_path, name):
    kind, body = NO_LOSS[name]
    p = tmp_path / "s.py"
    p.write_text(PRELUDE + textwrap.indent(textwrap.dedent(body), "    "))
    r = check_script(p)
    assert r.ok, [(d["line"], d["message"]) for d in r.lines if d["verdict"] == "wrong"]
    assert r.loss["inferred"] is True
    if kind == "softmax":
        assert r.loss["kind"] in ("softmax_ce", "ce")
    else:
        assert r.loss["kind"] == kind
    assert any("never computes this loss" in n for n in r.notes)


def test_replay_reproduces_the_recorded_values_and_autograd_agrees(tmp_path):
    p = tmp_path / "s.py"
    p.write_text(PRELUDE + textwrap.indent(textwrap.dedent('''
        s = np.tanh(X @ W)
        loss = 0.5 * np.sum((s - Y) ** 2) / N
        ds = (s - Y) / N * (1 - s ** 2)
        W -= 0.1 * X.T @ ds
    '''), "    "))
    a = analyse(str(p))
    assert not a.truth.mismatch and a.truth.fd_error < 1e-6
    for n in a.truth.order:  # the oracle's forward values are the script's own numbers
        v = a.truth.values.get(n.id)
        if v is not None and isinstance(n.value, np.ndarray) and n.value.dtype.kind == "f":
            np.testing.assert_allclose(v, n.value, rtol=1e-12, atol=1e-15)
    X, Y, W = (next(n.value for n in a.graph.nodes if a.label(n) == k and a.graph.is_input(n)) for k in ("X", "Y", "W"))
    want = autograd.grad(lambda w: 0.5 * anp.sum((anp.tanh(X @ w) - Y) ** 2) / len(X))(W)
    np.testing.assert_allclose(a.truth.g0[a.graph.params[0].leaf.id], want, rtol=1e-12)


def test_kinks_bracket_the_subgradients(tmp_path):
    """Rows of X that are zero put the ReLU exactly at its kink: any subgradient in [0, 1] is accepted."""
    text = PRELUDE.replace("X = np.random.randn(N, D)", "X = np.random.randn(N, D); X[:4] = 0.0; b = np.zeros((1, K))") \
        + textwrap.indent(textwrap.dedent('''
        h = np.maximum(0, X @ W + b)
        loss = 0.5 * np.sum((h - Y) ** 2)
        dh = h - Y
        dz = dh * (X @ W + b >= 0)   # subgradient 1 at the kink
        W -= 0.01 * X.T @ dz
        b -= 0.01 * dz.sum(axis=0, keepdims=True)
    '''), "    ")
    p = tmp_path / "s.py"
    p.write_text(text)
    a = analyse(str(p))
    assert a.truth.kinks and a.ok
    bias = next(q for q in a.graph.params if q.name == "b").leaf.id
    assert np.abs(a.truth.g0[bias] - a.truth.g1[bias]).max() > 1e-3  # the kink rows change ∂L/∂b
    r = check_script(p)
    assert r.kinks and r.kinks[0]["rows"][:4] == [0, 1, 2, 3] and r.kinks[0]["subgradient"] == 1
