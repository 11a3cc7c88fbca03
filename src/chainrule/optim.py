"""Optimizers: the update rule applied after every backward pass.

All update parameters *in place*, written like the learner's
``W += -step_size * dW`` so that plain gradient descent reproduces its numbers
bit for bit.
"""

from __future__ import annotations

import numpy as np


class GD:
    """Plain (stochastic) gradient descent: ``p += -lr * g``."""

    def __init__(self, lr: float) -> None:
        self.lr = lr

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        for p, g in zip(params, grads):
            p += -self.lr * g


class Momentum:
    """Classical momentum: ``v = mu*v - lr*g; p += v``."""

    def __init__(self, lr: float, mu: float = 0.9) -> None:
        self.lr, self.mu = lr, mu
        self.v: list[np.ndarray] | None = None

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        if self.v is None:
            self.v = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self.v):
            v *= self.mu
            v += -self.lr * g
            p += v


class Adam:
    """Adam (Kingma & Ba 2015) with bias correction."""

    def __init__(self, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        self.lr, self.b1, self.b2, self.eps = lr, beta1, beta2, eps
        self.t = 0
        self.m: list[np.ndarray] | None = None
        self.v: list[np.ndarray] | None = None

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.t += 1
        c1, c2 = 1 - self.b1 ** self.t, 1 - self.b2 ** self.t
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= self.b1
            m += (1 - self.b1) * g
            v *= self.b2
            v += (1 - self.b2) * g * g
            p += -self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)


def make_optimizer(name: str, lr: float, extra: dict | None = None):
    """``gd`` and ``sgd`` -> :class:`GD`, ``momentum``, ``adam``."""
    extra = extra or {}
    if name in ("gd", "sgd"):
        return GD(lr)
    if name == "momentum":
        return Momentum(lr, mu=extra.get("mu", 0.9))
    if name == "adam":
        return Adam(lr, **{k: extra[k] for k in ("beta1", "beta2", "eps") if k in extra})
    raise ValueError(f"unknown optimizer {name!r}")
