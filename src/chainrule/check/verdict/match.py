"""What one array holds: c·∂L/∂(some quantity), maybe transposed — or nothing.

:func:`fit` finds the best scalar ``c`` with ``V ≈ c·G``; where ties (kinks) make the true
gradient an interval between ``G0`` and ``G1``, any value inside it is exact.
:func:`best_match` compares ``V`` with every candidate gradient of its size and returns the
match within tolerance (or none) and the closest one.  Tolerances are relative to the size of
the quantity, with an absolute floor for quantities that are (nearly) zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

TINY = 1e-300
TOL = 1e-6  # relative residual: the values compared are float64 (replayed in float64 if needed)


@dataclass(eq=False)
class Candidate:
    key: int  # node id
    label: str
    g0: np.ndarray
    g1: np.ndarray
    is_param: bool = False
    named: bool = True
    part: str = ""  # "": the whole gradient; else what a later in-place line still adds ("+ reg * W")
    _prep: Optional[tuple] = None

    def prep(self) -> tuple:
        """(tie mask or None, the gradient off the ties, its squared norm), computed once."""
        if self._prep is None:
            self._prep = _prepare(self.g0, self.g1)
        return self._prep


@dataclass
class Match:
    q: Candidate
    factor: float
    rel: float
    transposed: bool = False
    kink_side: Optional[str] = None

    @property
    def exact(self) -> bool:
        return not self.transposed and abs(self.factor - 1) < 1e-6 and self.rel < TOL

    def good(self, tol: float = TOL) -> bool:
        return self.rel < tol


def align(V: np.ndarray, shape: tuple) -> tuple[Optional[np.ndarray], bool]:
    """``V`` in the shape of a gradient: as is, reshaped (only axes of length 1 differ), or transposed."""
    if V.shape == shape:
        return V, False
    if V.size == int(np.prod(shape)) and tuple(s for s in V.shape if s != 1) == tuple(s for s in shape if s != 1):
        return V.reshape(shape), False
    if V.ndim == 2 and V.shape[::-1] == tuple(shape) and V.shape[0] != V.shape[1]:
        return V.T, True
    return None, False


def _prepare(G0: np.ndarray, G1: np.ndarray) -> tuple:
    if G1 is G0:
        diff = None
    else:
        diff = np.abs(G0 - G1) > 1e-14 * (np.abs(G0).max() + np.abs(G1).max() + TINY)
        if not diff.any():
            diff = None
    g = G0.ravel() if diff is None else G0[~diff]
    return diff, g, float(np.dot(g, g))


def fit(V: np.ndarray, G0: np.ndarray, G1: np.ndarray, prep: Optional[tuple] = None,
        floor: float = 0.0) -> Optional[tuple[float, float, Optional[str]]]:
    """(c, relative residual, kink side) of the best ``V ≈ c·G`` (ties: anything between G0 and G1).

    ``floor``: below this size both are rounding noise of a zero (the gradient of a bias in front of a
    softmax is exactly 0): equal.
    """
    V = np.asarray(V, dtype=float)
    diff, g, gg = prep if prep is not None else _prepare(G0, G1)
    v = V.ravel() if diff is None else V[~diff]
    nv = float(np.sqrt(np.dot(V.ravel(), V.ravel())))
    if not np.isfinite(nv):
        return None
    if floor and nv <= floor and float(np.sqrt(np.sum(G0 * G0))) <= floor:
        return 1.0, 0.0, None
    if diff is not None:  # ties: first try the exact gradient itself (any subgradient in [G0, G1] is right)
        lo, hi = np.minimum(G0, G1), np.maximum(G0, G1)
        out1 = np.clip(V, lo, hi) - V
        r1 = float(np.sqrt(np.dot(out1.ravel(), out1.ravel()))) / max(nv, TINY)
        if r1 < TOL:
            at0 = np.abs(V[diff] - G0[diff]) <= 1e-6 * (np.abs(G0[diff]).max() + TINY)
            at1 = np.abs(V[diff] - G1[diff]) <= 1e-6 * (np.abs(G1[diff]).max() + TINY)
            return 1.0, r1, "0" if at0.all() else "1" if at1.all() else "mixed"
    if gg < TINY and diff is not None:  # only kink entries carry gradient
        g = (G0 + G1)[diff].ravel() / 2
        v = V[diff].ravel()
        gg = float(np.dot(g, g))
    if gg < TINY:
        return (1.0, 0.0, None) if nv < 1e-12 else None
    c = float(np.dot(v, g)) / gg
    if nv < TINY or c == 0:
        return None
    if abs(c - 1) < 1e-6:
        c = 1.0
    resid = _sq_residual(v, g, c)
    side = None
    if diff is not None:
        vk = V[diff] / c
        lo, hi = np.minimum(G0[diff], G1[diff]), np.maximum(G0[diff], G1[diff])
        out = np.clip(vk, lo, hi) - vk
        resid += float(np.linalg.norm(out * c) ** 2)
        scale = np.abs(G0[diff]).max() + np.abs(G1[diff]).max() + TINY
        at0 = np.abs(vk - G0[diff]) <= 1e-6 * scale
        at1 = np.abs(vk - G1[diff]) <= 1e-6 * scale
        side = "0" if at0.all() else "1" if at1.all() else "mixed"
    return c, (resid ** 0.5) / nv, side


CHUNK = 1 << 20


def _sq_residual(v: np.ndarray, g: np.ndarray, c: float) -> float:
    """‖v − c·g‖², in chunks (no temporary the size of an MNIST-size activation)."""
    total = 0.0
    for i in range(0, v.size, CHUNK):
        r = v[i:i + CHUNK] - c * g[i:i + CHUNK]
        total += float(np.dot(r, r))
    return total


def compare(V: Any, q: Candidate, floor: float = 0.0) -> Optional[Match]:
    if not isinstance(V, np.ndarray) or V.dtype.kind not in "fiub" or V.size != q.g0.size:
        return None
    A, transposed = align(np.asarray(V, dtype=float), q.g0.shape)
    if A is None:
        return None
    r = fit(A, q.g0, q.g1, q.prep(), floor)
    if r is None:
        return None
    return Match(q, r[0], r[1], transposed, r[2])


def best_match(V: Any, candidates: list[Candidate], tol: float = TOL,
               floor: float = 0.0) -> tuple[Optional[Match], Optional[Match]]:
    """(the match within tolerance or None, the closest candidate of a compatible size)."""
    found = [m for m in (compare(V, q, floor) for q in candidates if q.g0.size == np.size(V)) if m is not None]
    if not found:
        return None, None
    # exact beats scaled, parameters beat values, then the value nearest the parameters (ŷ, not y − ŷ)
    rank = lambda m: (m.transposed, not m.exact, not m.q.is_param, not m.q.named, m.q.key)  # noqa: E731
    good = [m for m in found if m.rel < tol]
    if good:
        good.sort(key=rank)
        return good[0], good[0]
    return None, min(found, key=lambda m: (m.rel, rank(m)))


FACTOR_WORDS = {2.0: "twice", 0.5: "half", -1.0: "minus", -2.0: "minus twice"}


def describe_factor(c: float, ints: dict[str, int]) -> tuple[str, str]:
    """(short form, the likely cause) for a scalar factor ``c``."""
    for name, n in ints.items():
        if n > 2 and abs(c - n) < 1e-6 * n:
            return f"{n} ×", f"a division by {name} (= {n}) is missing"
        if n > 2 and abs(c - 1 / n) < 1e-6 / n:
            return f"1/{n} ×", f"it was divided by {name} (= {n}) once too often"
        if n > 2 and abs(c + n) < 1e-6 * n:
            return f"−{n} ×", f"the sign is flipped and a division by {name} (= {n}) is missing"
        if n > 2 and abs(c + 1 / n) < 1e-6 / n:
            return f"−1/{n} ×", f"the sign is flipped and it was divided by {name} (= {n}) once too often"
    if abs(c + 1) < 1e-6:
        return "−1 ×", "the sign is flipped"
    if abs(c - 2) < 1e-6:
        return "2 ×", "a term is counted twice (or a stray factor 2)"
    if abs(c - 0.5) < 1e-6:
        return "½ ×", "a stray factor ½"
    return f"{c:.4g} ×", f"a stray factor {c:.4g}"
