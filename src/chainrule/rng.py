"""Random streams: the learner's legacy global stream, or a modern Generator.

The reproduction contract: ``chainrule train --seed S`` (``--rng legacy``, the
default) draws from ``np.random.RandomState(S)``, which yields exactly the
numbers the learner's script gets after ``np.random.seed(S)``, in the learner's
order: the data first, then ``W``, then ``W2``.  ``--rng modern`` uses
``np.random.default_rng(S)`` instead.  The global numpy state is never touched.
"""

from __future__ import annotations

from typing import Union

import numpy as np

Rng = Union[np.random.RandomState, np.random.Generator]
RNG_KINDS = ("legacy", "modern")


def make_rng(seed: int, kind: str = "legacy") -> Rng:
    """A fresh stream: ``RandomState(seed)`` for ``legacy``, ``default_rng(seed)`` for ``modern``."""
    if kind == "legacy":
        return np.random.RandomState(seed)
    if kind == "modern":
        return np.random.default_rng(seed)
    raise ValueError(f"unknown rng kind {kind!r}; use one of {RNG_KINDS}")


def normal(rng: Rng, *shape: int) -> np.ndarray:
    """Standard normal draws of ``shape``: ``randn`` on legacy, ``standard_normal`` on modern."""
    if isinstance(rng, np.random.RandomState):
        return rng.randn(*shape)
    return rng.standard_normal(shape)


def uniform(rng: Rng, low: float, high: float, size: int | tuple[int, ...]) -> np.ndarray:
    """Uniform draws in ``[low, high)`` from either kind of stream."""
    return rng.uniform(low, high, size)


def integers(rng: Rng, high: int, size: int) -> np.ndarray:
    """Integers in ``[0, high)`` from either kind of stream."""
    if isinstance(rng, np.random.RandomState):
        return rng.randint(0, high, size)
    return rng.integers(0, high, size)
