"""Losses: softmax cross-entropy, multiclass SVM hinge, L2 penalty, and the update.

Every loss maps scores ``S`` (N, K) and integer labels ``y`` (N,) to a scalar
and, in the same class, returns ∂L/∂S (N, K).  Both data losses are *means*
over the N examples, which is where the learner's ``dscores /= N`` comes from.
"""

from __future__ import annotations

import numpy as np

from chainrule.formulas import Formula, register

SOFTMAX_CE = register(
    Formula(
        key="softmax_ce.probs", title="Softmax probabilities",
        matrix=r"P = \operatorname{softmax}(S),\quad P_{ik} = \frac{e^{S_{ik} - m_i}}{\sum_{c} e^{S_{ic} - m_i}}",
        index=r"P_{ik} = \frac{e^{S_{ik}}}{\sum_{c} e^{S_{ic}}}",
        text="P[i,k] = exp(S[i,k] − mᵢ) / Σ_c exp(S[i,c] − mᵢ),  mᵢ = max_c S[i,c]",
        reason="exponentiate and normalise each row; subtracting the row max mᵢ changes "
               "nothing mathematically but keeps exp from overflowing",
        numpy="np.exp(S - S.max(axis=1, keepdims=True)) / np.sum(np.exp(S - S.max(axis=1, keepdims=True)), axis=1, keepdims=True)",
        symbols=("S",),
    ),
    Formula(
        key="softmax_ce.forward", title="Cross-entropy loss (mean over examples)",
        matrix=r"L = -\frac{1}{N} \sum_{i} \log P_{i, y_i}",
        index=r"L = -\frac{1}{N} \sum_{i=1}^{N} \log P_{i y_i}",
        text="L = −(1/N) Σᵢ log P[i, yᵢ]",
        reason="the average surprise at the correct class: small when the correct class gets high probability",
        numpy="-np.mean(np.log(P[np.arange(len(y)), y]))", symbols=("P", "y"),
    ),
    Formula(
        key="softmax_ce.backward", title="Softmax + cross-entropy backward",
        matrix=r"\frac{\partial L}{\partial S} = \frac{1}{N}(P - Y)",
        index=r"\frac{\partial L}{\partial S_{ik}} = \frac{1}{N}\left(P_{ik} - \mathbb{1}[k = y_i]\right)",
        text="∂L/∂S = (P − Y) / N   (Y one-hot: 1 at the correct class)",
        reason="the derivative of −log softmax is 'predicted minus true' per row; the mean "
               "over N rows divides every entry by N",
        numpy="(P - Y) / N", symbols=("P", "Y", "N"),
    ),
)


def softmax(S: np.ndarray) -> np.ndarray:
    """Row-wise softmax of scores ``S`` (N, K), shifted by the row max (no overflow)."""
    shifted = S - np.max(S, axis=1, keepdims=True)  # (N, K), every row max is 0
    exp_scores = np.exp(shifted)
    return exp_scores / np.sum(exp_scores, axis=1, keepdims=True)  # (N, K)


class SoftmaxCrossEntropy:
    """Mean cross-entropy of the softmax of scores ``S`` (N, K) against labels ``y`` (N,)."""

    name = "softmax"
    formulas = SOFTMAX_CE

    def forward(self, S: np.ndarray, y: np.ndarray) -> float:
        N = S.shape[0]
        self.P = softmax(S)  # (N, K)
        self.y = y
        with np.errstate(divide="ignore"):  # P = 0 gives an infinite loss: divergence
            correct_logprobs = -np.log(self.P[np.arange(N), y])  # (N,)
        return float(np.sum(correct_logprobs) / N)

    def backward(self) -> np.ndarray:
        """∂L/∂S = (P − Y)/N, shape (N, K).  A fresh array: ``P`` is not modified."""
        N = self.P.shape[0]
        dS = self.P.copy()  # copy: the learner's `dscores = probs` aliases instead
        dS[np.arange(N), self.y] -= 1
        dS /= N
        return dS


HINGE = register(
    Formula(
        key="hinge.forward", title="Multiclass SVM (hinge) loss",
        matrix=r"L = \frac{1}{N}\sum_{i}\sum_{k \ne y_i} \max(0,\, S_{ik} - S_{i y_i} + \Delta)",
        index=r"M_{ik} = \max(0, S_{ik} - S_{iy_i} + \Delta)\ (k \ne y_i),\quad L = \frac{1}{N}\sum_{ik} M_{ik}",
        text="L = (1/N) Σᵢ Σ_{k≠yᵢ} max(0, S[i,k] − S[i,yᵢ] + Δ),  Δ = 1",
        reason="every wrong class whose score comes within a margin Δ of the correct one costs the gap",
        numpy="np.sum(np.maximum(0, S - S[np.arange(len(y)), y][:, None] + 1) * (1 - Y)) / len(y)",
        symbols=("S", "y", "Y"),
    ),
    Formula(
        key="hinge.backward", title="Hinge loss backward",
        matrix=r"\frac{\partial L}{\partial S} = \frac{1}{N}\left(B - Y \odot (B\mathbf{1})\right),\ B_{ik} = \mathbb{1}[M_{ik} > 0]",
        index=r"\frac{\partial L}{\partial S_{ik}} = \frac{1}{N}\begin{cases} \mathbb{1}[M_{ik}>0] & k \ne y_i \\ -\sum_{c \ne y_i} \mathbb{1}[M_{ic}>0] & k = y_i\end{cases}",
        text="∂L/∂S[i,k] = 1[margin>0]/N for wrong classes; −(number of violating classes)/N at the correct one",
        reason="each violated margin pushes its wrong score down (+1) and the correct score up (−1)",
        numpy="(B - Y * B.sum(axis=1, keepdims=True)) / N", symbols=("B", "Y", "N"),
    ),
)


class Hinge:
    """Multiclass SVM loss with margin ``delta`` (default 1), mean over the N rows."""

    name = "hinge"
    formulas = HINGE

    def __init__(self, delta: float = 1.0) -> None:
        self.delta = delta

    def forward(self, S: np.ndarray, y: np.ndarray) -> float:
        N = S.shape[0]
        correct = S[np.arange(N), y][:, None]  # (N, 1)
        margins = np.maximum(0, S - correct + self.delta)  # (N, K)
        margins[np.arange(N), y] = 0
        self.margins, self.y = margins, y
        return float(np.sum(margins) / N)

    def backward(self) -> np.ndarray:
        N = self.margins.shape[0]
        B = (self.margins > 0).astype(self.margins.dtype)  # (N, K)
        B[np.arange(N), self.y] = -np.sum(B, axis=1)
        return B / N


LOSSES = {"softmax": SoftmaxCrossEntropy, "hinge": Hinge}
"""Name → loss class."""


def make_loss(name: str):
    key = {"svm": "hinge", "cross_entropy": "softmax", "ce": "softmax"}.get(name, name)
    return LOSSES[key]()


L2 = register(
    Formula(
        key="l2.forward", title="L2 regularisation",
        matrix=r"R = \tfrac{1}{2}\lambda \sum W^{2}",
        index=r"R = \tfrac{1}{2}\lambda \sum_{jk} W_{jk}^{2}",
        text="R = ½ λ Σ W²   (added to the loss for every weight matrix)",
        reason="penalises large weights; the ½ cancels the 2 of the derivative",
        numpy="0.5 * reg * np.sum(W * W)", einsum="jk,jk->", symbols=("W", "reg"),
        operands=("W", "W"),
    ),
    Formula(
        key="l2.backward", title="L2 regularisation gradient",
        matrix=r"\frac{\partial R}{\partial W} = \lambda W",
        index=r"\frac{\partial R}{\partial W_{jk}} = \lambda W_{jk}",
        text="∂R/∂W = λ W   (added to the data gradient: dW += reg * W)",
        reason="d(½ λ w²)/dw = λ w for every weight separately",
        numpy="reg * W", symbols=("W", "reg"),
    ),
)


def l2_penalty(weights: list[np.ndarray], reg: float) -> float:
    """``0.5 * reg * sum(W*W)`` over all weight matrices (biases are not penalised)."""
    return float(sum(0.5 * reg * np.sum(W * W) for W in weights))


def l2_gradient(W: np.ndarray, reg: float) -> np.ndarray:
    """∂R/∂W = reg * W."""
    return reg * W


UPDATE = register(
    Formula(
        key="update.gd", title="Gradient descent step",
        matrix=r"W \leftarrow W - \eta \frac{\partial L}{\partial W}",
        index=r"W_{jk} \leftarrow W_{jk} - \eta \frac{\partial L}{\partial W_{jk}}",
        text="W ← W − η · ∂L/∂W   (η = step size)",
        reason="move every parameter a small step against its gradient, downhill on the loss",
        numpy="W - step_size * dW", symbols=("W", "dW", "step_size"),
    ),
)
