"""The tiny example: the learner's network at toy size, run by the learner's own lines.

Every matrix of the tiny example is printed, so every entry should tell
something.  The learner's own start (weights ``0.01 * randn``, biases 0, the
spiral's centre point (0, 0) in every class) shows almost nothing: all
probabilities are 0.5, the centre rows of ``X`` are zero, and ReLU sits exactly
at 0 there.  So the tiny example keeps the learner's *code* and changes only its
numbers:

* data: the learner's ``create_data_set`` with one point more per class, then
  the centre point of each class removed (``chainrule.data.spiral``, line for
  line the learner's function), so no row of ``X`` is zero;
* weights from the same stream in the learner's order, ``W`` then ``W2``, at
  scale 1 instead of 0.01, and small biases ``0.1 * randn`` instead of zeros, so
  that probabilities and gradients are easy to read.

The seed is the first one from ``--seed`` on (at most :data:`SEARCH` seeds)
whose example is *informative*: every entry of Z is at least :data:`MARGIN` away
from 0 (where ReLU has no derivative), every hidden unit is active for some
points and inactive for others (no dead unit, a visible mask), and every
probability lies in [0.1, 0.9].  Where no seed meets all three (tiny sizes with
many classes), the last condition, then the second, is dropped.  Entries still
near 0 would be left out of the proof, and the report would say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from chainrule.data import spiral
from chainrule.errors import ChainruleError

#: Entries of Z closer than this to 0 count as "at ReLU's corner" (FD steps are 1e-5).
MARGIN = 0.05
#: Finite-difference step.
EPS = 1e-5
NOISE = 0.5
STEP_SIZE = 1.0
SEARCH = 200
WEIGHT_SCALE, BIAS_SCALE = 1.0, 0.1
P_RANGE = (0.1, 0.9)


@dataclass
class Tiny:
    """The tiny instance: sizes, data and weights (``params``: W, b, W2, b2)."""

    N: int
    D: int
    h: int
    K: int
    seed: int  # the seed of the stream the data and weights came from
    X: np.ndarray
    y: np.ndarray
    params: dict[str, np.ndarray]
    at_kink: np.ndarray  # (N, h) bool: |Z| < MARGIN (empty for an informative example)
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def dead_units(self) -> list[int]:
        """Hidden units (0-based) that are active for no point."""
        Z = self.X @ self.params["W"] + self.params["b"]  # (N, h)
        return [int(j) for j in np.flatnonzero(~(Z > 0).any(axis=0))]


def check_tiny(tiny: tuple[int, int, int]) -> tuple[int, int, int]:
    """Validate ``(N, h, K)`` for the tiny example or raise a clear ChainruleError."""
    try:
        N, h, K = (int(v) for v in tiny)
    except (TypeError, ValueError):
        raise ChainruleError(f"Invalid value {tiny!r} for --tiny: give three whole numbers "
                             "N,H,K, e.g. 4,3,2.") from None
    if K < 2:
        raise ChainruleError(f"Invalid value for --tiny: K = {K} classes; a classifier needs at "
                             "least 2, e.g. --tiny 4,3,2.")
    if h < 1:
        raise ChainruleError(f"Invalid value for --tiny: H = {h} hidden units; use at least 1, "
                             "e.g. --tiny 4,3,2.")
    if N % K or N // K < 2:
        raise ChainruleError(
            f"Invalid value for --tiny: N = {N} points cannot be split into K = {K} spiral arms "
            f"of at least 2 points each. N must be a multiple of K and at least 2K, e.g. "
            f"--tiny {2 * K},{h},{K}.")
    if N * h > 400 or h * K > 400:
        raise ChainruleError(f"Invalid value for --tiny: {N},{h},{K} is not tiny; every matrix "
                             "is printed, so keep N·H and H·K at most 400, e.g. --tiny 6,4,3.")
    return N, h, K


def draw(N: int, h: int, K: int, seed: int) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Data without the centre points and scale-1 weights, from ``RandomState(seed)``."""
    rng = np.random.RandomState(seed)
    per = N // K
    data = spiral(per + 1, K, NOISE, rng)
    keep = np.arange(len(data.y)) % (per + 1) != 0  # drop each arm's first point, the centre
    X, y = data.X[keep], data.y[keep]
    D = X.shape[1]
    params = {"W": WEIGHT_SCALE * rng.randn(D, h), "b": BIAS_SCALE * rng.randn(1, h),
              "W2": WEIGHT_SCALE * rng.randn(h, K), "b2": BIAS_SCALE * rng.randn(1, K)}
    return X, y, params


def informative(X: np.ndarray, params: dict[str, np.ndarray], level: int = 3) -> bool:
    """Does this example show something? ``level`` 3 checks all three conditions, 1 only the first."""
    Z = X @ params["W"] + params["b"]  # (N, h)
    if np.abs(Z).min() < MARGIN:
        return False
    on = Z > 0
    if level >= 2 and not (on.any(axis=0).all() and (~on).any(axis=0).all()):
        return False
    if level >= 3:
        S = np.maximum(0, Z) @ params["W2"] + params["b2"]
        P = np.exp(S - S.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        if P.min() < P_RANGE[0] or P.max() > P_RANGE[1]:
            return False
    return True


def _first_informative(N: int, h: int, K: int, seed: int, level: int) -> int | None:
    for s in range(seed, seed + SEARCH):
        X, _, params = draw(N, h, K, s)
        if informative(X, params, level):
            return s
    return None


def build_tiny(tiny: tuple[int, int, int] = (4, 3, 2), seed: int = 0) -> Tiny:
    """The tiny instance: the first informative seed from ``seed`` on (see the module docstring)."""
    N, h, K = check_tiny(tiny)
    chosen, level = None, 0
    for level in (3, 2, 1):
        chosen = _first_informative(N, h, K, seed, level)
        if chosen is not None:
            break
    chosen = seed if chosen is None else chosen
    X, y, params = draw(N, h, K, chosen)
    Z = X @ params["W"] + params["b"]
    info = {"data": f"chainrule.data.spiral({N // K + 1}, {K}, {NOISE}, np.random.RandomState({chosen})) "
                    "without each class's centre point",
            "level": level}
    return Tiny(N, X.shape[1], h, K, chosen, X, y, params, np.abs(Z) < MARGIN, info)


def literal(a: Any) -> str:
    """Python source that recreates ``a`` exactly (repr floats round-trip)."""
    arr = np.asarray(a)
    if arr.dtype.kind in "iu":
        return f"np.array({arr.tolist()!r})"
    rows = arr.tolist()
    if arr.ndim == 2 and arr.shape[0] > 1:
        inner = ",\n    ".join(repr(r) for r in rows)
        return f"np.array([\n    {inner}])"
    return f"np.array({rows!r})"
