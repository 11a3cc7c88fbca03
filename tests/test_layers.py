"""Every layer's backward against finite differences, autograd, and a hand-computed case."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule.gradcheck import assert_gradient, numerical_gradient, rel_error
from chainrule.layers import LeakyReLU, Linear, ReLU, Sigmoid, Tanh

TOL = 1e-7

ACT_ORACLES = {
    ReLU: lambda z: anp.maximum(0, z),
    LeakyReLU: lambda z: anp.where(z > 0, z, 0.01 * z),
    Tanh: anp.tanh,
    Sigmoid: lambda z: 1 / (1 + anp.exp(-z)),
}

shapes = st.tuples(st.integers(1, 6), st.integers(1, 5), st.integers(1, 5))


def away_from_zero(a: np.ndarray, gap: float = 1e-3) -> np.ndarray:
    """Push entries off the kink at 0 so finite differences see a smooth function."""
    return np.where(np.abs(a) < gap, gap * np.sign(a) + gap * (a == 0), a)


# ---------------------------------------------------------------- hand-computed 2x2 case

def test_linear_by_hand_2x2():
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    W = np.array([[0.5, -1.0], [2.0, 0.0]])
    b = np.array([[0.1, 0.2]])
    lin = Linear(W, b)
    Z = lin.forward(X)
    # Z[0,0] = 1*0.5 + 2*2 + 0.1 = 4.6 ; Z[0,1] = -1 + 0 + 0.2 = -0.8 ; row 2: 1.5+8+0.1, -3+0.2
    np.testing.assert_allclose(Z, [[4.6, -0.8], [9.6, -2.8]])
    dZ = np.array([[1.0, 0.0], [0.0, 2.0]])
    dX = lin.backward(dZ)
    # dW = X.T @ dZ = [[1*1+3*0, 1*0+3*2], [2*1+4*0, 2*0+4*2]]
    np.testing.assert_allclose(lin.dW, [[1.0, 6.0], [2.0, 8.0]])
    np.testing.assert_allclose(lin.db, [[1.0, 2.0]])
    # dX = dZ @ W.T = [[0.5, 2.0], [2*-1, 0]]
    np.testing.assert_allclose(dX, [[0.5, 2.0], [-2.0, 0.0]])


def test_relu_by_hand_2x2_kink_gets_zero():
    relu = ReLU()
    H = relu.forward(np.array([[-1.0, 0.0], [2.0, 3.0]]))
    np.testing.assert_array_equal(H, [[0.0, 0.0], [2.0, 3.0]])
    dZ = relu.backward(np.array([[5.0, 6.0], [7.0, 8.0]]))
    np.testing.assert_array_equal(dZ, [[0.0, 0.0], [7.0, 8.0]])  # 0 at exactly z = 0


def test_tanh_sigmoid_by_hand():
    t, s = Tanh(), Sigmoid()
    z = np.array([[0.0, np.log(3.0)]])
    np.testing.assert_allclose(t.forward(z), [[0.0, 0.8]])  # tanh(ln 3) = (9-1)/(9+1)
    np.testing.assert_allclose(t.backward(np.ones((1, 2))), [[1.0, 0.36]])
    np.testing.assert_allclose(s.forward(z), [[0.5, 0.75]])  # 1/(1+1/3)
    np.testing.assert_allclose(s.backward(np.ones((1, 2))), [[0.25, 0.1875]])


def test_sigmoid_does_not_overflow():
    s = Sigmoid()
    with np.errstate(over="raise", invalid="raise"):
        out = s.forward(np.array([[-1000.0, 1000.0]]))
    np.testing.assert_array_equal(out, [[0.0, 1.0]])


# ---------------------------------------------------------------- random shapes

@settings(max_examples=25, deadline=None)
@given(shapes, st.integers(0, 10_000))
def test_linear_backward_matches_fd_and_autograd(shape, seed):
    N, D, H = shape
    rng = np.random.default_rng(seed)
    X, W, b = rng.standard_normal((N, D)), rng.standard_normal((D, H)), rng.standard_normal((1, H))
    G = rng.standard_normal((N, H))  # L = sum(G * Z): dL/dZ = G

    def loss(X_, W_, b_):
        return anp.sum(G * (anp.dot(X_, W_) + b_))

    lin = Linear(W, b)
    lin.forward(X)
    dX = lin.backward(G)
    for arg, analytic, argnum, value in (("X", dX, 0, X), ("W", lin.dW, 1, W), ("b", lin.db, 2, b)):
        oracle = autograd.grad(loss, argnum)(X, W, b)
        assert rel_error(analytic, oracle) < TOL, f"Linear d{arg} vs autograd"
        args = [X.copy(), W.copy(), b.copy()]

        def f(v, argnum=argnum, args=args):
            args[argnum] = v
            return float(loss(*args))

        assert_gradient(f, value, analytic, "Linear.backward", arg, tol=TOL)


@pytest.mark.parametrize("cls", list(ACT_ORACLES))
@settings(max_examples=20, deadline=None)
@given(shape=st.tuples(st.integers(1, 6), st.integers(1, 6)), seed=st.integers(0, 10_000))
def test_activation_backward_matches_fd_and_autograd(cls, shape, seed):
    rng = np.random.default_rng(seed)
    Z = away_from_zero(rng.standard_normal(shape) * 2)
    G = rng.standard_normal(shape)
    act = cls()
    act.forward(Z)
    analytic = act.backward(G)
    oracle = autograd.grad(lambda z: anp.sum(G * ACT_ORACLES[cls](z)))(Z)
    assert rel_error(analytic, oracle) < TOL
    f = lambda z: float(np.sum(G * cls().forward(z)))  # noqa: E731
    assert_gradient(f, Z, analytic, f"{cls.__name__}.backward", "Z", tol=TOL)


def test_assert_gradient_message_names_function_argument_index():
    Z = np.array([[1.0, -2.0], [3.0, 0.5]])
    wrong = np.ones_like(Z)  # the true gradient of sum(relu(Z)) is the mask, not all ones
    with pytest.raises(AssertionError) as info:
        assert_gradient(lambda z: float(np.sum(np.maximum(0, z))), Z, wrong, "ReLU.backward", "Z")
    msg = str(info.value)
    assert "ReLU.backward" in msg and "argument Z" in msg and "index (0, 1)" in msg
    assert "expected 0" in msg and "received 1" in msg


def test_numerical_gradient_restores_input():
    x = np.array([1.0, 2.0, 3.0])
    g = numerical_gradient(lambda v: float(np.sum(v ** 2)), x)
    np.testing.assert_allclose(g, [2.0, 4.0, 6.0], rtol=1e-8)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])
