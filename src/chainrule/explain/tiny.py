"""The tiny example: the learner's network at toy size, run by the learner's own lines.

Data: ``chainrule.data.spiral(N // K, K, 0.5, RandomState(seed))`` — the
learner's ``create_data_set`` line for line, so every class has a point at the
origin.  Weights: ``0.01 * randn`` from the same stream in the learner's order
(``W`` then ``W2``), biases zero.

The numbers are shown on pass ``i = 100`` of the loop (the second time the
learner's script prints the loss), not the first, for two honest reasons:

* on pass ``i = 0`` ``b`` is exactly zero, so at the origin rows the ReLU input
  ``np.dot(X, W) + b`` is exactly 0 — the kink of ``max(0, z)``, where no
  derivative exists and finite differences cannot agree with the code (that
  pass is the subject of the kink pitfall);
* at initialisation every probability is 0.5 and some gradients (``db2``) are
  ~1e-6, too small for float64 finite differences to resolve to 1e-7.

From :data:`MIN_PASS` on we take the first pass where every entry of Z is at
least :data:`MARGIN` away from 0, or stuck at exactly 0 because its unit never
fires (a dead unit whose bias never moved).  If none comes within
:data:`MAX_EXTRA` passes, pass :data:`MIN_PASS` is shown.  Entries still at the
kink are excluded from the proof, and the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from chainrule.data import spiral
from chainrule.errors import ChainruleError
from chainrule.explain.source import split_loop, run

#: Entries of Z closer than this to 0 count as "at the kink" (FD steps are 1e-5).
MARGIN = 1e-4
#: Finite-difference step.
EPS = 1e-5
MIN_PASS = 100
MAX_EXTRA = 50
NOISE = 0.5
STEP_SIZE = 1.0


@dataclass
class Tiny:
    """The tiny instance: sizes, data, the weights at pass 0 and at the shown pass."""

    N: int
    D: int
    h: int
    K: int
    seed: int
    X: np.ndarray
    y: np.ndarray
    initial: dict[str, np.ndarray]  # W, b, W2, b2 at pass 0 (b = b2 = 0)
    pass_index: int
    params: dict[str, np.ndarray]  # W, b, W2, b2 at the start of the shown pass
    at_kink: np.ndarray  # (N, h) bool: |Z| < MARGIN at the shown pass
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def origin_rows(self) -> list[int]:
        return [int(i) for i in np.flatnonzero(~self.X.any(axis=1))]

    @property
    def dead_units(self) -> list[int]:
        """Hidden units (0-based) with a kink entry at the shown pass."""
        return [int(j) for j in np.flatnonzero(self.at_kink.any(axis=0))]


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


def build_tiny(tiny: tuple[int, int, int] = (4, 3, 2), seed: int = 0,
               min_pass: int = MIN_PASS) -> Tiny:
    """Build the tiny instance and choose the pass to show (see the module docstring)."""
    N, h, K = check_tiny(tiny)
    rng = np.random.RandomState(seed)
    data = spiral(N // K, K, NOISE, rng)
    X, y = data.X, data.y
    D = X.shape[1]
    initial = {"W": 0.01 * rng.randn(D, h), "b": np.zeros((1, h)),
               "W2": 0.01 * rng.randn(h, K), "b2": np.zeros((1, K))}
    forward, backward = split_loop()
    ns: dict[str, Any] = {"np": np, "X": X, "y": y, "num_examples": N,
                          "step_size": STEP_SIZE, **{k: v.copy() for k, v in initial.items()}}
    chosen, params, kink = None, None, None
    first = None
    with np.errstate(all="ignore"):
        for i in range(min_pass + MAX_EXTRA + 1):
            Z = np.dot(X, ns["W"]) + ns["b"]
            near = np.abs(Z) < MARGIN
            unavoidable = (Z == 0) & (ns["b"] == 0) & ~X.any(axis=1, keepdims=True)
            snapshot = {k: ns[k].copy() for k in ("W", "b", "W2", "b2")}
            if i == min_pass:
                first = (snapshot, near)
            if i >= min_pass and not np.any(near & ~unavoidable):
                chosen, params, kink = i, snapshot, near
                break
            run(forward + backward, ns)
    if chosen is None:  # a unit died next to the kink: show min_pass, exclude those entries
        chosen, (params, kink) = min_pass, first
    return Tiny(N, D, h, K, seed, X, y, initial, chosen, params, kink,
                info={"data": f"chainrule.data.spiral({N // K}, {K}, {NOISE}, "
                              f"np.random.RandomState({seed}))"})


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
