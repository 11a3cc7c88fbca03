"""The network: a multilayer perceptron built from :mod:`chainrule.layers`.

Default = the learner's network: ``D=2 -> h=1000 ReLU -> K=2``, weights
``0.01 * randn``, biases zero, softmax cross-entropy, no regularisation.
Parameters are kept in the learner's layout: ``W`` is ``(fan_in, fan_out)``,
``b`` is ``(1, fan_out)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chainrule.layers import Linear, make_activation
from chainrule.losses import l2_penalty, make_loss
from chainrule.rng import Rng, normal

EVAL_ROWS = 4096
"""Rows per chunk in :meth:`MLP.loss` / :meth:`MLP.predict`: a (4096, 1000) float64 block is 33 MB."""


def init_params(sizes: list[int], rng: Rng, scale: float = 0.01) -> list[tuple[np.ndarray, np.ndarray]]:
    """Weights ``scale * randn(fan_in, fan_out)`` drawn layer by layer, biases zero.

    For ``sizes=[2, 1000, 2]`` on a legacy stream this draws ``W`` then ``W2``
    exactly as the learner's script does.
    """
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        W = scale * normal(rng, fan_in, fan_out)  # (fan_in, fan_out)
        b = np.zeros((1, fan_out))  # (1, fan_out)
        params.append((W, b))
    return params


@dataclass
class Gradients:
    """The loss and ∂L/∂(every parameter) from one forward+backward pass."""

    loss: float  # data loss + regularisation
    data_loss: float
    scores: np.ndarray  # (N, K), before the update
    grads: list[tuple[np.ndarray, np.ndarray]]  # [(dW, db)] per layer


class MLP:
    """Linear -> activation -> ... -> Linear, with a loss on the last scores.

    Parameters
    ----------
    params : list of (W, b)
        ``W`` (fan_in, fan_out), ``b`` (1, fan_out), first layer first.
    activation : str
        Hidden activation, a key of :data:`chainrule.layers.ACTIVATIONS`.
    loss : str
        ``softmax`` (cross-entropy) or ``hinge``.
    reg : float
        L2 strength λ: adds ``0.5*λ*ΣW²`` to the loss and ``λW`` to each dW.
    """

    def __init__(self, params: list[tuple[np.ndarray, np.ndarray]], activation: str = "relu",
                 loss: str = "softmax", reg: float = 0.0) -> None:
        self.activation = activation
        self.reg = reg
        self.linears = [Linear(W, b) for W, b in params]
        self.acts = [make_activation(activation) for _ in params[:-1]]
        self.loss_fn = make_loss(loss)

    @classmethod
    def create(cls, sizes: list[int], rng: Rng, scale: float = 0.01, **kwargs) -> "MLP":
        """Draw the initial weights from ``rng`` (see :func:`init_params`)."""
        return cls(init_params(sizes, rng, scale), **kwargs)

    @property
    def params(self) -> list[tuple[np.ndarray, np.ndarray]]:
        return [(lin.W, lin.b) for lin in self.linears]

    @property
    def sizes(self) -> list[int]:
        return [self.linears[0].W.shape[0]] + [lin.W.shape[1] for lin in self.linears]

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Scores ``(N, K)`` for inputs ``X`` ``(N, D)``."""
        out = X
        for lin, act in zip(self.linears[:-1], self.acts):
            out = act.forward(lin.forward(out))  # (N, h_l)
        return self.linears[-1].forward(out)  # (N, K)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicted classes ``(N,)``, computed :data:`EVAL_ROWS` rows at a time."""
        return np.concatenate([np.argmax(self.forward(X[s:s + EVAL_ROWS]), axis=1)
                               for s in range(0, max(len(X), 1), EVAL_ROWS)])

    def loss(self, X: np.ndarray, y: np.ndarray) -> float:
        """Data loss plus L2 penalty, no gradients (in chunks of :data:`EVAL_ROWS` rows)."""
        return self.evaluate(X, y)[0]

    def evaluate(self, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """``(loss, accuracy)`` of these weights on ``X``, ``y``, from one forward pass.

        Rows go through :data:`EVAL_ROWS` at a time, so memory stays at one
        chunk of activations (a few MB) at any N.  Up to that many rows the
        loss is bit for bit the one-shot ``loss_fn.forward(forward(X), y)``;
        beyond, the chunks' mean losses are weighted by their row counts.
        """
        N = len(X)
        data_loss, correct = 0.0, 0
        for s in range(0, max(N, 1), EVAL_ROWS):
            scores = self.forward(X[s:s + EVAL_ROWS])  # (m, K)
            part = self.loss_fn.forward(scores, y[s:s + EVAL_ROWS])
            data_loss = part if N <= EVAL_ROWS else data_loss + part * (len(scores) / N)
            correct += int(np.count_nonzero(np.argmax(scores, axis=1) == y[s:s + EVAL_ROWS]))
        self.release()
        loss = data_loss + l2_penalty([lin.W for lin in self.linears], self.reg)
        return loss, correct / max(N, 1)

    def release(self) -> None:
        """Drop the activations the layers keep for a backward pass (after an evaluation)."""
        for lin in self.linears:
            lin.X = None
        for act in self.acts:
            act.__dict__.pop("Z", None)
            act.__dict__.pop("H", None)

    def gradients(self, X: np.ndarray, y: np.ndarray) -> Gradients:
        """One forward and backward pass: the loss and every ∂L/∂W, ∂L/∂b."""
        scores = self.forward(X)
        data_loss = self.loss_fn.forward(scores, y)
        loss = data_loss + l2_penalty([lin.W for lin in self.linears], self.reg)
        d = self.loss_fn.backward()  # ∂L/∂scores (N, K)
        for i in range(len(self.linears) - 1, -1, -1):
            d = self.linears[i].backward(d)  # ∂L/∂(layer input)
            if i > 0:
                d = self.acts[i - 1].backward(d)  # ∂L/∂(pre-activation)
        grads = []
        for lin in self.linears:
            dW = lin.dW + self.reg * lin.W if self.reg else lin.dW
            grads.append((dW, lin.db))
        return Gradients(loss, data_loss, scores, grads)
