"""Layers: each op's forward, its backward right underneath, and its formulas.

Conventions (as in the CS231n notes and the learner's code): a batch is a
matrix with one example per row, so ``X`` is ``(N, D)``, a weight matrix is
``(D, H)`` and a bias is a row ``(1, H)`` broadcast over the N rows.  ``dout``
always means ∂L/∂(this op's output) and has that output's shape; every
backward returns ∂L/∂(input) with the input's shape.

Find "the ReLU backward and its formula": :class:`ReLU` below.
"""

from __future__ import annotations

import numpy as np

from chainrule.formulas import Formula, register

_DL = r"\frac{\partial L}{\partial %s}"


def _d(sym: str) -> str:
    return _DL % sym


# --------------------------------------------------------------------------- Linear

LINEAR = register(
    Formula(
        key="linear.forward", title="Linear layer (affine map)",
        matrix=r"Z = XW + \mathbf{1}b",
        index=r"Z_{ik} = \sum_{j} X_{ij} W_{jk} + b_{k}",
        text="Z = X·W + b   (b broadcast to every row)",
        reason="every output unit k is a weighted sum of the inputs of row i, plus a bias",
        numpy="X @ W + b", einsum="ij,jk->ik", symbols=("X", "W", "b"),
        operands=("X", "W"),
    ),
    Formula(
        key="linear.dW", title="Gradient of the weights",
        matrix=r"%s = X^{\top} %s" % (_d("W"), _d("Z")),
        index=r"%s = \sum_{i} X_{ij} %s" % (_d("W_{jk}"), _d("Z_{ik}")),
        text="∂L/∂W = Xᵀ · ∂L/∂Z   (sum over the N examples)",
        reason="W[j,k] touches Z[i,k] in every row i with slope X[i,j], so its "
               "gradient adds X[i,j]·∂L/∂Z[i,k] over all rows; shapes (D,N)·(N,H) give (D,H)",
        numpy="X.T @ dZ", einsum="ij,ik->jk", symbols=("X", "dZ"),
    ),
    Formula(
        key="linear.db", title="Gradient of the bias",
        matrix=r"%s = \mathbf{1}^{\top} %s" % (_d("b"), _d("Z")),
        index=r"%s = \sum_{i} %s" % (_d("b_{k}"), _d("Z_{ik}")),
        text="∂L/∂b = Σᵢ ∂L/∂Z[i,:]   (sum over rows, axis 0)",
        reason="the same bias is added to every row (broadcast), so its gradient "
               "collects the upstream gradient of every row: a sum over axis 0",
        numpy="np.sum(dZ, axis=0, keepdims=True)", einsum="ik->k", symbols=("dZ",),
    ),
    Formula(
        key="linear.dX", title="Gradient flowing to the layer's input",
        matrix=r"%s = %s W^{\top}" % (_d("X"), _d("Z")),
        index=r"%s = \sum_{k} %s W_{jk}" % (_d("X_{ij}"), _d("Z_{ik}")),
        text="∂L/∂X = ∂L/∂Z · Wᵀ   (sum over the H output units)",
        reason="input X[i,j] feeds every output unit k of its row with slope W[j,k]; "
               "shapes (N,H)·(H,D) give (N,D)",
        numpy="dZ @ W.T", einsum="ik,jk->ij", symbols=("dZ", "W"),
    ),
)


class Linear:
    """Affine layer ``Z = X @ W + b``.

    Parameters
    ----------
    W : ndarray, shape (D, H)
    b : ndarray, shape (1, H)
    """

    formulas = LINEAR

    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:
        self.W = W  # (D, H)
        self.b = b  # (1, H)
        self.dW = np.zeros_like(W)
        self.db = np.zeros_like(b)
        self.X: np.ndarray | None = None

    def forward(self, X: np.ndarray) -> np.ndarray:
        self.X = X  # (N, D), kept for the backward pass
        return np.dot(X, self.W) + self.b  # (N, H)

    def backward(self, dZ: np.ndarray) -> np.ndarray:
        """Given ∂L/∂Z (N, H): store ∂L/∂W (D, H), ∂L/∂b (1, H); return ∂L/∂X (N, D)."""
        assert self.X is not None, "call forward before backward"
        self.dW = np.dot(self.X.T, dZ)  # (D, N) @ (N, H) -> (D, H)
        self.db = np.sum(dZ, axis=0, keepdims=True)  # (1, H)
        return np.dot(dZ, self.W.T)  # (N, H) @ (H, D) -> (N, D)


# --------------------------------------------------------------------------- activations

RELU = register(
    Formula(
        key="relu.forward", title="ReLU",
        matrix=r"H = \max(0, Z)", index=r"H_{ij} = \max(0, Z_{ij})",
        text="H = max(0, Z)   (elementwise)",
        reason="keeps positive inputs and zeroes the rest",
        numpy="np.maximum(0, Z)", symbols=("Z",),
    ),
    Formula(
        key="relu.backward", title="ReLU backward: the mask",
        matrix=r"%s = %s \odot \mathbb{1}[Z > 0]" % (_d("Z"), _d("H")),
        index=r"%s = %s \cdot \mathbb{1}[Z_{ij} > 0]" % (_d("Z_{ij}"), _d("H_{ij}")),
        text="∂L/∂Z = ∂L/∂H ⊙ 1[Z > 0]   (zero where the unit was off)",
        reason="max(0, z) has slope 1 where z > 0 and slope 0 where z < 0; at z = 0 "
               "there is no slope and the code picks 0 (a valid subgradient)",
        numpy="dH * (Z > 0)", symbols=("dH", "Z"),
    ),
)


class ReLU:
    """``H = max(0, Z)``; backward masks the gradient where ``Z <= 0``."""

    name = "relu"
    formulas = RELU

    def forward(self, Z: np.ndarray) -> np.ndarray:
        self.Z = Z
        return np.maximum(0, Z)

    def backward(self, dH: np.ndarray) -> np.ndarray:
        return dH * (self.Z > 0)


LEAKY_RELU = register(
    Formula(
        key="leaky_relu.forward", title="Leaky ReLU",
        matrix=r"H = \max(\alpha Z, Z)",
        index=r"H_{ij} = Z_{ij} \text{ if } Z_{ij} > 0 \text{ else } \alpha Z_{ij}",
        text="H = Z where Z > 0, α·Z elsewhere",
        reason="like ReLU, but a small slope α keeps 'dead' units learning",
        numpy="np.where(Z > 0, Z, alpha * Z)", symbols=("Z", "alpha"),
    ),
    Formula(
        key="leaky_relu.backward", title="Leaky ReLU backward",
        matrix=r"%s = %s \odot (\mathbb{1}[Z > 0] + \alpha\,\mathbb{1}[Z \le 0])" % (_d("Z"), _d("H")),
        index=r"%s = %s \cdot (1 \text{ if } Z_{ij} > 0 \text{ else } \alpha)" % (_d("Z_{ij}"), _d("H_{ij}")),
        text="∂L/∂Z = ∂L/∂H ⊙ (1 where Z > 0, α elsewhere)",
        reason="the slope is 1 on the positive side and α on the other",
        numpy="dH * np.where(Z > 0, 1.0, alpha)", symbols=("dH", "Z", "alpha"),
    ),
)


class LeakyReLU:
    """``H = max(αZ, Z)`` with a small ``alpha`` (default 0.01)."""

    name = "leaky_relu"
    formulas = LEAKY_RELU

    def __init__(self, alpha: float = 0.01) -> None:
        self.alpha = alpha

    def forward(self, Z: np.ndarray) -> np.ndarray:
        self.Z = Z
        return np.where(Z > 0, Z, self.alpha * Z)

    def backward(self, dH: np.ndarray) -> np.ndarray:
        return dH * np.where(self.Z > 0, 1.0, self.alpha)


TANH = register(
    Formula(
        key="tanh.forward", title="tanh",
        matrix=r"H = \tanh(Z)", index=r"H_{ij} = \tanh(Z_{ij})",
        text="H = tanh(Z)", reason="squashes every input into (-1, 1)",
        numpy="np.tanh(Z)", symbols=("Z",),
    ),
    Formula(
        key="tanh.backward", title="tanh backward",
        matrix=r"%s = %s \odot (1 - H^{2})" % (_d("Z"), _d("H")),
        index=r"%s = %s \, (1 - H_{ij}^{2})" % (_d("Z_{ij}"), _d("H_{ij}")),
        text="∂L/∂Z = ∂L/∂H ⊙ (1 − H²)",
        reason="d tanh(z)/dz = 1 − tanh(z)², which the forward output H already holds",
        numpy="dH * (1 - H**2)", symbols=("dH", "H"),
    ),
)


class Tanh:
    """``H = tanh(Z)``; backward uses the output: ``1 - H**2``."""

    name = "tanh"
    formulas = TANH

    def forward(self, Z: np.ndarray) -> np.ndarray:
        self.H = np.tanh(Z)
        return self.H

    def backward(self, dH: np.ndarray) -> np.ndarray:
        return dH * (1 - self.H ** 2)


SIGMOID = register(
    Formula(
        key="sigmoid.forward", title="sigmoid",
        matrix=r"H = \sigma(Z) = \frac{1}{1 + e^{-Z}}",
        index=r"H_{ij} = \frac{1}{1 + e^{-Z_{ij}}}",
        text="H = σ(Z) = 1 / (1 + e^(−Z))", reason="squashes every input into (0, 1)",
        numpy="1 / (1 + np.exp(-Z))", symbols=("Z",),
    ),
    Formula(
        key="sigmoid.backward", title="sigmoid backward",
        matrix=r"%s = %s \odot H \odot (1 - H)" % (_d("Z"), _d("H")),
        index=r"%s = %s \, H_{ij} (1 - H_{ij})" % (_d("Z_{ij}"), _d("H_{ij}")),
        text="∂L/∂Z = ∂L/∂H ⊙ H ⊙ (1 − H)",
        reason="dσ(z)/dz = σ(z)(1 − σ(z)), which the forward output H already holds",
        numpy="dH * H * (1 - H)", symbols=("dH", "H"),
    ),
)


class Sigmoid:
    """``H = 1 / (1 + exp(-Z))``, computed without overflow for large ``|Z|``."""

    name = "sigmoid"
    formulas = SIGMOID

    def forward(self, Z: np.ndarray) -> np.ndarray:
        E = np.exp(-np.abs(Z))  # never overflows
        self.H = np.where(Z >= 0, 1 / (1 + E), E / (1 + E))
        return self.H

    def backward(self, dH: np.ndarray) -> np.ndarray:
        return dH * self.H * (1 - self.H)


ACTIVATIONS = {"relu": ReLU, "leaky_relu": LeakyReLU, "tanh": Tanh, "sigmoid": Sigmoid}
"""Name → activation class: the derivative table of the hidden layers."""


def make_activation(name: str):
    """Build an activation by name (``relu``, ``leaky_relu``, ``tanh``, ``sigmoid``)."""
    key = name.replace("-", "_").lower()
    if key == "leakyrelu":
        key = "leaky_relu"
    return ACTIVATIONS[key]()
