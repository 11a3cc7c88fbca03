"""Every formula in the op table, evaluated as numpy, equals what the op's code computes."""

from __future__ import annotations

import numpy as np
import pytest
from latex2mathml.converter import convert

from chainrule.formulas import all_formulas
from chainrule.layers import LeakyReLU, Linear, ReLU, Sigmoid, Tanh
from chainrule.losses import Hinge, SoftmaxCrossEntropy, l2_gradient, l2_penalty
from chainrule.optim import GD

rng = np.random.default_rng(42)
N, D, H, K = 5, 3, 4, 3
X, W, b = rng.standard_normal((N, D)), rng.standard_normal((D, H)), rng.standard_normal((1, H))
Z = rng.standard_normal((N, H))
dZ, dH = rng.standard_normal((N, H)), rng.standard_normal((N, H))
S = rng.standard_normal((N, K)) * 3
y = np.array([0, 2, 1, 2, 0])
Y = np.eye(K)[y]


def _linear():
    lin = Linear(W, b)
    Zout = lin.forward(X)
    dX = lin.backward(dZ)
    return {"forward": Zout, "dW": lin.dW, "db": lin.db, "dX": dX}


def _act(cls):
    act = cls()
    out = act.forward(Z)
    return out, act.backward(dH)


def _softmax():
    ce = SoftmaxCrossEntropy()
    loss = ce.forward(S, y)
    return ce.P, loss, ce.backward()


def _hinge():
    hl = Hinge()
    loss = hl.forward(S, y)
    margins = np.maximum(0, S - S[np.arange(N), y][:, None] + 1) * (1 - Y)
    return loss, hl.backward(), (margins > 0).astype(float)


lin = _linear()
P, ce_loss, dS = _softmax()
hinge_loss, hinge_dS, B = _hinge()
relu_out, relu_back = _act(ReLU)
leaky_out, leaky_back = _act(LeakyReLU)
tanh_out, tanh_back = _act(Tanh)
sig_out, sig_back = _act(Sigmoid)
opt_W = W.copy()
dW_upd = rng.standard_normal(W.shape)
GD(0.3).step([opt_W], [dW_upd])

# key -> (namespace for the formula's numpy and einsum, what the op's code produced)
CASES = {
    "linear.forward": ({"X": X, "W": W, "b": b}, lin["forward"]),
    "linear.dW": ({"X": X, "dZ": dZ}, lin["dW"]),
    "linear.db": ({"dZ": dZ}, lin["db"]),
    "linear.dX": ({"dZ": dZ, "W": W}, lin["dX"]),
    "relu.forward": ({"Z": Z}, relu_out),
    "relu.backward": ({"dH": dH, "Z": Z}, relu_back),
    "leaky_relu.forward": ({"Z": Z, "alpha": 0.01}, leaky_out),
    "leaky_relu.backward": ({"dH": dH, "Z": Z, "alpha": 0.01}, leaky_back),
    "tanh.forward": ({"Z": Z}, tanh_out),
    "tanh.backward": ({"dH": dH, "H": tanh_out}, tanh_back),
    "sigmoid.forward": ({"Z": Z}, sig_out),
    "sigmoid.backward": ({"dH": dH, "H": sig_out}, sig_back),
    "softmax_ce.probs": ({"S": S}, P),
    "softmax_ce.forward": ({"P": P, "y": y}, ce_loss),
    "softmax_ce.backward": ({"P": P, "Y": Y, "N": N}, dS),
    "hinge.forward": ({"S": S, "y": y, "Y": Y}, hinge_loss),
    "hinge.backward": ({"B": B, "Y": Y, "N": N}, hinge_dS),
    "l2.forward": ({"W": W, "reg": 0.7}, l2_penalty([W], 0.7)),
    "l2.backward": ({"W": W, "reg": 0.7}, l2_gradient(W, 0.7)),
    "update.gd": ({"W": W, "dW": dW_upd, "step_size": 0.3}, opt_W),
}


def test_every_formula_has_a_case():
    assert set(all_formulas()) == set(CASES)


@pytest.mark.parametrize("key", sorted(CASES))
def test_formula_numpy_equals_op_code(key):
    f = all_formulas()[key]
    names, expected = CASES[key]
    assert set(f.symbols) <= set(names), f"{key}: symbols {f.symbols} not all provided"
    got = eval(f.numpy, {"np": np}, dict(names))  # noqa: S307 - our own table
    np.testing.assert_allclose(np.squeeze(got), np.squeeze(expected), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("key", sorted(k for k, f in all_formulas().items() if f.einsum))
def test_index_form_einsum_equals_op_code(key):
    """The index form, evaluated as a sum over indices, independently of the matrix form."""
    f = all_formulas()[key]
    names, expected = CASES[key]
    operands = [names[s] for s in f.einsum_operands]
    got = np.einsum(f.einsum, *operands)
    if key == "linear.forward":
        got = got + b  # the index form's "+ b_k"
    if key == "l2.forward":
        got = 0.5 * 0.7 * got  # the index form's "½λ"
    np.testing.assert_allclose(np.squeeze(got), np.squeeze(expected), rtol=1e-12)


def test_linear_dW_by_explicit_index_loops():
    """∂L/∂W[j,k] = Σᵢ X[i,j] ∂L/∂Z[i,k], literally, with python loops."""
    loops = np.zeros((D, H))
    for j in range(D):
        for k in range(H):
            loops[j, k] = sum(X[i, j] * dZ[i, k] for i in range(N))
    np.testing.assert_allclose(loops, lin["dW"], rtol=1e-12)


def test_softmax_backward_index_form_by_loops():
    """∂L/∂S[i,k] = (P[i,k] − 1[k = yᵢ]) / N, literally."""
    loops = np.array([[(P[i, k] - (k == y[i])) / N for k in range(K)] for i in range(N)])
    np.testing.assert_allclose(loops, dS, rtol=1e-12)


@pytest.mark.parametrize("key", sorted(all_formulas()))
def test_formula_latex_converts_to_mathml(key):
    f = all_formulas()[key]
    for tex in (f.matrix, f.index):
        assert "<math" in convert(tex)
    assert f.text and f.reason and f.title
