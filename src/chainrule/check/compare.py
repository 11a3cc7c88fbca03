"""Compare one array a backward line wrote with the true gradients (kinks aside)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

from chainrule.check.autodiff import Quantity

TINY = 1e-300


@dataclass
class Match:
    q: Quantity
    factor: float
    rel: float  # relative residual after the best scalar factor
    transposed: bool = False
    kink_side: Optional[str] = None  # "0", "1", "mixed" where kinks affect this gradient

    @property
    def exact(self) -> bool:
        return not self.transposed and abs(self.factor - 1) < 1e-6


def _align(V: np.ndarray, G: np.ndarray) -> tuple[Optional[np.ndarray], bool]:
    if V.shape == G.shape:
        return V, False
    if V.size == G.size and tuple(s for s in V.shape if s != 1) == tuple(s for s in G.shape if s != 1):
        return V.reshape(G.shape), False
    if V.ndim == 2 and V.shape[::-1] == G.shape and V.shape[0] != V.shape[1]:
        return V.T, True
    return None, False


_CACHE: dict = {}


def _prep(G0: np.ndarray, G1: np.ndarray):
    key = (id(G0), id(G1))
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is G0 and hit[1] is G1:
        return hit[2:]
    if G1 is G0:
        diff = None
        g = G0.ravel()
    else:
        diff = np.abs(G0 - G1) > 1e-14 * (np.abs(G0).max() + np.abs(G1).max() + 1e-300)
        if not diff.any():
            diff = None
            g = G0.ravel()
        else:
            g = G0[~diff]
    gg = float(np.dot(g, g))
    if len(_CACHE) > 500:
        _CACHE.clear()
    _CACHE[key] = (G0, G1, diff, g, gg)
    return diff, g, gg


def fit(V: np.ndarray, G0: np.ndarray, G1: np.ndarray) -> Optional[tuple[float, float, Optional[str]]]:
    """Best scalar ``c`` with V ≈ c·G (ties: any value between G0 and G1 is fine)."""
    V = V.astype(float, copy=False)
    diff, g, gg = _prep(G0, G1)
    v = V.ravel() if diff is None else V[~diff]
    if gg < TINY or not np.isfinite(V).all():
        return None
    c = float(np.dot(v, g)) / gg
    nv = float(np.linalg.norm(V))
    if nv < TINY or c == 0:
        return None
    resid = float(np.linalg.norm(v - c * g) ** 2)
    side = None
    if diff is not None:
        vk = V[diff] / c
        lo, hi = np.minimum(G0[diff], G1[diff]), np.maximum(G0[diff], G1[diff])
        out = np.clip(vk, lo, hi) - vk
        resid += float(np.linalg.norm(out * c) ** 2)
        scale = np.abs(G0[diff]).max() + np.abs(G1[diff]).max() + 1e-300
        at0 = np.abs(vk - G0[diff]) <= 1e-6 * scale
        at1 = np.abs(vk - G1[diff]) <= 1e-6 * scale
        side = "0" if at0.all() else "1" if at1.all() else "mixed"
    return c, (resid ** 0.5) / nv, side


def compare(V: Any, q: Quantity) -> Optional[Match]:
    if not isinstance(V, np.ndarray) or V.dtype.kind not in "fiu" or q.g0 is None or V.size != q.g0.size:
        return None
    A, transposed = _align(V, q.g0)
    if A is None:
        return None
    r = fit(A, q.g0, q.g1)
    if r is None:
        return None
    return Match(q, r[0], r[1], transposed, r[2])


def tolerance(V: Any) -> float:
    return 1e-3 if isinstance(V, np.ndarray) and V.dtype == np.float32 else 1e-6


def best_match(V: Any, quantities: list[Quantity]) -> tuple[Optional[Match], Optional[Match]]:
    """(the match within tolerance or None, the closest candidate of a compatible shape)."""
    tol = tolerance(V)
    found: list[Match] = []
    for q in quantities:
        m = compare(V, q)
        if m is not None:
            found.append(m)
    if not found:
        return None, None
    good = [m for m in found if m.rel < tol]
    rank = lambda m: (m.transposed, not m.exact, not m.q.is_param, not m.q.named, -len(m.q.label))  # noqa: E731
    if good:
        good.sort(key=rank)
        return good[0], good[0]
    closest = min(found, key=lambda m: (m.rel, rank(m)))
    return None, closest


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
    if abs(c + 1) < 1e-6:
        return "−1 ×", "the sign is flipped"
    if abs(c - 2) < 1e-6:
        return "2 ×", "a term is counted twice (or a stray factor 2)"
    if abs(c - 0.5) < 1e-6:
        return "½ ×", "a stray factor ½"
    return f"{c:.4g} ×", f"a stray factor {c:.4g}"
