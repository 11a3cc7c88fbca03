"""The whole network's gradients against autograd, for many architectures."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from autograd.scipy.special import logsumexp

from chainrule.gradcheck import check_directions, rel_error
from chainrule.network import MLP, init_params
from chainrule.rng import make_rng

ACTS = {"relu": lambda z: anp.maximum(0, z), "leaky_relu": lambda z: anp.where(z > 0, z, 0.01 * z),
        "tanh": anp.tanh, "sigmoid": lambda z: 1 / (1 + anp.exp(-z))}


def oracle_loss(flat, X, y, activation, loss, reg):
    """The same network written independently with autograd.numpy."""
    out = X
    pairs = list(zip(flat[::2], flat[1::2]))
    for W, b in pairs[:-1]:
        out = ACTS[activation](anp.dot(out, W) + b)
    S = anp.dot(out, pairs[-1][0]) + pairs[-1][1]
    N = X.shape[0]
    if loss == "softmax":
        data = anp.mean(logsumexp(S, axis=1) - S[anp.arange(N), y])
    else:
        correct = S[anp.arange(N), y][:, None]
        data = anp.sum(anp.maximum(0, S - correct + 1) * (1 - anp.eye(S.shape[1])[y])) / N
    return data + sum(0.5 * reg * anp.sum(W * W) for W, _ in pairs)


@pytest.mark.parametrize("hidden", [(7,), (5, 4), (3, 4, 5)])
@pytest.mark.parametrize("activation", list(ACTS))
@pytest.mark.parametrize("loss,reg", [("softmax", 0.0), ("softmax", 0.3), ("hinge", 0.1)])
def test_network_gradients_match_autograd(hidden, activation, loss, reg):
    rng = np.random.default_rng(len(hidden) * 7 + len(activation))
    N, D, K = 6, 3, 3
    X = rng.standard_normal((N, D))
    y = rng.integers(0, K, N)
    params = init_params([D, *hidden, K], rng, scale=0.8)
    params = [(W, b + 0.1 * rng.standard_normal(b.shape)) for W, b in params]  # off the kinks
    net = MLP(params, activation=activation, loss=loss, reg=reg)
    g = net.gradients(X, y)
    flat = [p for pair in params for p in pair]
    assert np.isclose(g.loss, oracle_loss(flat, X, y, activation, loss, reg), rtol=1e-12)
    oracle = autograd.grad(oracle_loss)(flat, X, y, activation, loss, reg)
    mine = [d for pair in g.grads for d in pair]
    for i, (a, o) in enumerate(zip(mine, oracle)):
        assert rel_error(a, o) < 1e-7, f"parameter {i}: rel error {rel_error(a, o)}"
    # and along random directions with finite differences, on the first weight matrix
    W0 = params[0][0]

    def f(w):
        p = [(w, params[0][1])] + params[1:]
        return MLP(p, activation=activation, loss=loss, reg=reg).loss(X, y)

    assert check_directions(f, W0, mine[0]) < 1e-6


def test_default_network_is_the_learners():
    net = MLP.create([2, 1000, 2], make_rng(0, "legacy"))
    assert net.sizes == [2, 1000, 2]
    rs = np.random.RandomState(0)
    np.testing.assert_array_equal(net.params[0][0], 0.01 * rs.randn(2, 1000))
    np.testing.assert_array_equal(net.params[1][0], 0.01 * rs.randn(1000, 2))
    assert not net.params[0][1].any() and net.params[0][1].shape == (1, 1000)


def test_predict_and_loss_consistent():
    rng = np.random.default_rng(1)
    net = MLP.create([2, 8, 3], rng, scale=1.0)
    X = rng.standard_normal((10, 2))
    S = net.forward(X)
    np.testing.assert_array_equal(net.predict(X), S.argmax(1))
