"""The update rules the corpus scripts use, as the step they must take for a given gradient.

Each optimizer is a frozen description (its hyper-parameters, as the catalog states them) whose
:meth:`stepper` returns a fresh function ``step(name, g, k, theta) -> Δ``: the change of parameter
``name`` at iteration ``k`` (0-based) given its true gradient ``g`` (and its value ``theta``, for a decay), with the optimizer's state
(velocity, caches, moments) kept inside the stepper. The proof compares these Δ with what the
script did.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

Step = Callable[..., np.ndarray]


@dataclass(frozen=True)
class SGD:
    """θ ← θ − lr_k·g, with nnfs-style decay lr_k = lr / (1 + decay·k)."""

    lr: float
    decay: float = 0.0

    def rate(self, k: int) -> float:
        return self.lr / (1.0 + self.decay * k)

    def stepper(self) -> Step:
        return lambda name, g, k, theta=None: -self.rate(k) * g


@dataclass(frozen=True)
class ClippedSGD(SGD):
    """θ ← θ − lr_k·clip(g, −c, c): gradient clipping by value before a plain step."""

    clip: float = 1.0

    def stepper(self) -> Step:
        return lambda name, g, k, theta=None: -self.rate(k) * np.clip(g, -self.clip, self.clip)


@dataclass(frozen=True)
class NormClippedMomentum(SGD):
    """g ← g·min(1, c/‖g‖) per parameter; v ← μ·v − lr·g; θ ← θ + v."""

    mu: float = 0.9
    max_norm: float = 1.0

    def stepper(self) -> Step:
        velocity: dict[str, np.ndarray] = {}

        def step(name: str, g: np.ndarray, k: int, theta=None) -> np.ndarray:
            g = g * min(1.0, self.max_norm / float(np.linalg.norm(g)))
            velocity[name] = self.mu * velocity.get(name, 0.0) - self.rate(k) * g
            return velocity[name]

        return step


@dataclass(frozen=True)
class Momentum(SGD):
    """v ← μ·v − lr_k·g; θ ← θ + v (also ``v = μv + g; θ −= lr·v``: the same steps)."""

    mu: float = 0.9

    def stepper(self) -> Step:
        velocity: dict[str, np.ndarray] = {}

        def step(name: str, g: np.ndarray, k: int, theta=None) -> np.ndarray:
            velocity[name] = self.mu * velocity.get(name, 0.0) - self.rate(k) * g
            return velocity[name]

        return step


@dataclass(frozen=True)
class Nesterov(SGD):
    """CS231n's form: v_prev = v; v ← μ·v − lr·g; θ ← θ − μ·v_prev + (1 + μ)·v."""

    mu: float = 0.9

    def stepper(self) -> Step:
        velocity: dict[str, np.ndarray] = {}

        def step(name: str, g: np.ndarray, k: int, theta=None) -> np.ndarray:
            previous = velocity.get(name, 0.0)
            velocity[name] = self.mu * previous - self.rate(k) * g
            return -self.mu * previous + (1.0 + self.mu) * velocity[name]

        return step


@dataclass(frozen=True)
class RMSProp(SGD):
    """c ← ρ·c + (1 − ρ)·g²; θ ← θ − lr·g / (√c + ε)."""

    rho: float = 0.9
    eps: float = 1e-8

    def stepper(self) -> Step:
        cache: dict[str, np.ndarray] = {}

        def step(name: str, g: np.ndarray, k: int, theta=None) -> np.ndarray:
            cache[name] = self.rho * cache.get(name, 0.0) + (1.0 - self.rho) * g * g
            return -self.rate(k) * g / (np.sqrt(cache[name]) + self.eps)

        return step


@dataclass(frozen=True)
class Adam(SGD):
    """m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; θ ← θ − lr·m̂ / (√v̂ + ε), m̂ = m/(1−β₁^(k+1))."""

    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    bias_correction: bool = True

    def stepper(self) -> Step:
        first: dict[str, np.ndarray] = {}
        second: dict[str, np.ndarray] = {}

        def step(name: str, g: np.ndarray, k: int, theta=None) -> np.ndarray:
            first[name] = self.beta1 * first.get(name, 0.0) + (1.0 - self.beta1) * g
            second[name] = self.beta2 * second.get(name, 0.0) + (1.0 - self.beta2) * g * g
            m, v = first[name], second[name]
            if self.bias_correction:
                m = m / (1.0 - self.beta1 ** (k + 1))
                v = v / (1.0 - self.beta2 ** (k + 1))
            return -self.rate(k) * m / (np.sqrt(v) + self.eps)

        return step


@dataclass(frozen=True)
class AdamW(Adam):
    """Adam with decoupled weight decay: θ ← θ − lr·(m̂ / (√v̂ + ε) + wd·θ) (the θ before the step)."""

    wd: float = 0.01

    def stepper(self) -> Step:
        adam = Adam.stepper(self)
        return lambda name, g, k, theta=None: adam(name, g, k) - self.rate(k) * self.wd * theta


Optimizer = SGD  # every optimizer above is an SGD subclass with the same ``stepper`` contract
