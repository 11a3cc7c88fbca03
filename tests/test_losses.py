"""Losses: hand-computed values, finite differences, autograd, numerical stability."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
from autograd.scipy.special import logsumexp
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule.gradcheck import assert_gradient, rel_error
from chainrule.losses import Hinge, SoftmaxCrossEntropy, l2_gradient, l2_penalty, softmax


def ce_oracle(S, y):
    return anp.mean(logsumexp(S, axis=1) - S[anp.arange(len(y)), y])


def hinge_oracle(S, y):
    correct = S[anp.arange(len(y)), y][:, None]
    margins = anp.maximum(0, S - correct + 1.0)
    mask = 1.0 - anp.eye(S.shape[1])[y]
    return anp.sum(margins * mask) / len(y)


def test_softmax_ce_by_hand_2x2():
    S = np.array([[0.0, np.log(3.0)], [np.log(4.0), 0.0]])  # P rows: [1/4, 3/4], [4/5, 1/5]
    y = np.array([1, 1])
    ce = SoftmaxCrossEntropy()
    loss = ce.forward(S, y)
    np.testing.assert_allclose(ce.P, [[0.25, 0.75], [0.8, 0.2]])
    np.testing.assert_allclose(loss, -(np.log(0.75) + np.log(0.2)) / 2)
    # (P - Y)/N with Y = [[0,1],[0,1]]
    np.testing.assert_allclose(ce.backward(), [[0.125, -0.125], [0.4, -0.4]])


def test_softmax_backward_does_not_modify_probs():
    ce = SoftmaxCrossEntropy()
    ce.forward(np.array([[1.0, 2.0]]), np.array([0]))
    before = ce.P.copy()
    ce.backward()
    np.testing.assert_array_equal(ce.P, before)  # unlike the learner's `dscores = probs`


def test_softmax_is_stable_for_huge_scores():
    S = np.array([[1000.0, 999.0], [-1000.0, 0.0]])
    with np.errstate(over="raise", invalid="raise"):
        P = softmax(S)
        loss = SoftmaxCrossEntropy().forward(S, np.array([0, 1]))
    np.testing.assert_allclose(P[0], [1 / (1 + np.exp(-1)), np.exp(-1) / (1 + np.exp(-1))])
    assert np.isfinite(loss)


def test_hinge_by_hand():
    S = np.array([[3.0, 1.0, 2.5], [0.0, 0.2, -1.0]])
    y = np.array([0, 1])
    hl = Hinge()
    # row 0: max(0,1-3+1)=0, max(0,2.5-3+1)=0.5 ; row 1: max(0,0-0.2+1)=0.8, max(0,-1-0.2+1)=0
    assert np.isclose(hl.forward(S, y), (0.5 + 0.8) / 2)
    np.testing.assert_allclose(hl.backward(), [[-0.5, 0.0, 0.5], [0.5, -0.5, 0.0]])


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 8), st.integers(2, 5), st.integers(0, 10_000))
def test_losses_match_autograd_and_fd(N, K, seed):
    rng = np.random.default_rng(seed)
    S = rng.standard_normal((N, K)) * 2
    y = rng.integers(0, K, N)
    for cls, oracle in ((SoftmaxCrossEntropy, ce_oracle), (Hinge, hinge_oracle)):
        op = cls()
        loss = op.forward(S, y)
        assert np.isclose(loss, oracle(S, y), rtol=1e-12)
        grad = op.backward()
        margins = S - S[np.arange(N), y][:, None] + 1
        if cls is Hinge and np.min(np.abs(margins)) < 1e-4:
            continue  # too close to the hinge's kink for a derivative
        assert rel_error(grad, autograd.grad(oracle)(S, y)) < 1e-7
        assert_gradient(lambda s: cls().forward(s, y), S, grad, f"{cls.__name__}.backward", "S")


def test_l2_penalty_and_gradient():
    W1, W2 = np.array([[1.0, -2.0]]), np.array([[3.0]])
    assert np.isclose(l2_penalty([W1, W2], 0.1), 0.5 * 0.1 * (1 + 4 + 9), rtol=1e-15)
    np.testing.assert_allclose(l2_gradient(W1, 0.1), [[0.1, -0.2]])
    g = autograd.grad(lambda w: 0.5 * 0.1 * anp.sum(w * w))(W1)
    np.testing.assert_allclose(l2_gradient(W1, 0.1), g)
