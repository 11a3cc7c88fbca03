"""Where the tiled kernel's rows go: small spatial tiles along a Hilbert curve (numpy only).

:mod:`chainrule.fast.tiled` decides, per tile and hidden unit, from the tile's
bounding box whether the unit is on, off or mixed for its rows; this module
builds the tiles once per data set (``rows_per_tile`` rows each, a multiple of four),
and holds the working buffers.  It imports no numba, so a warm run that uses
the ahead-of-time compiled kernel (:mod:`chainrule.fast.aot`) never loads numba.
"""

from __future__ import annotations

import math

import numpy as np


def tile_rows(n: int) -> int:
    """Rows per tile: ~√N (more rows per tile = fewer boxes, more mixed rows), a multiple of 4."""
    return int(min(128, max(8, 4 * round(math.sqrt(n) / 4))))


def plan(X: np.ndarray, rows_per_tile: int):
    """Sort the rows of ``X`` (N, 2) into spatial tiles of ``rows_per_tile`` rows.

    Rows are ordered along a Hilbert curve (nearby on the curve means nearby
    in the plane) and cut into consecutive tiles; the last tile is padded with
    copies of its last row.  Returns ``(src, valid, starts, box)``: sorted row
    ``r`` is original row ``src[r]``; ``valid[r]`` is False for padding rows
    (their ∂L/∂s is 0, so they add exact zeros); tile ``t`` is
    ``starts[t]:starts[t+1]``; ``box[t] = (c0, c1, hx, hy)`` bounds every row
    of the tile: ``|x0 - c0| <= hx``, ``|x1 - c1| <= hy``.
    """
    N, T = X.shape[0], rows_per_tile
    order = hilbert_order(X)  # (N,)
    n_tiles = -(-N // T)
    src = np.concatenate([order, np.repeat(order[-1:], n_tiles * T - N)])  # (n_tiles*T,)
    valid = np.arange(n_tiles * T) < N
    starts = np.arange(n_tiles + 1, dtype=np.int64) * T
    return src, valid, starts, _boxes(X[src].reshape(n_tiles, T, 2))


def hilbert_order(X: np.ndarray, bits: int = 16) -> np.ndarray:
    """Row order of ``X`` (N, 2) along a Hilbert curve over its bounding box ((N,) int64)."""
    low, high = X.min(axis=0), X.max(axis=0)  # (2,)
    span = np.where(high > low, high - low, 1.0)
    n = 1 << bits
    q = np.minimum(((X - low) / span * (n - 1)).astype(np.int64), n - 1)  # (N, 2) grid cells
    x, y = q[:, 0], q[:, 1]
    d = np.zeros(X.shape[0], np.int64)
    s = n >> 1
    while s > 0:  # the classic xy -> d conversion, all rows at once
        rx = (x & s) > 0
        ry = (y & s) > 0
        d += s * s * ((3 * rx) ^ ry)
        flip = ~ry & rx
        x, y = np.where(flip, n - 1 - x, x), np.where(flip, n - 1 - y, y)
        x, y = np.where(ry, x, y), np.where(ry, y, x)
        s >>= 1
    return np.argsort(d, kind="stable")


def _boxes(P: np.ndarray) -> np.ndarray:
    """(tiles, 4) boxes of the tiles' rows ``P`` (tiles, T, 2), half-widths rounded up so they surely bound."""
    dtype = P.dtype
    p = P.astype(np.float64)  # exact
    c = ((p.min(axis=1) + p.max(axis=1)) / 2).astype(dtype)  # (tiles, 2)
    half = np.abs(p - c.astype(np.float64)[:, None, :]).max(axis=1) * (1 + 1e-12)  # (tiles, 2)
    return np.concatenate([c, np.nextafter(half.astype(dtype), dtype.type(np.inf))], axis=1)


def covers(config, sizes) -> bool:
    """Is this run the learner's shape (one hidden ReLU layer, D=2, K=2)?"""
    # h > 2 so that the engine keeps ∂W2 transposed (2, h), the layout this kernel writes
    return (len(sizes) == 3 and sizes[0] == 2 and sizes[1] > 2 and sizes[2] == 2
            and config.activation == "relu")


class Layout:
    """The sorted rows, the tiles and the working buffers for one data set and hidden width."""

    def __init__(self, X: np.ndarray, y: np.ndarray, width: int, rows_per_tile: int | None = None):
        dtype = X.dtype
        src, self.valid, self.starts, self.box = plan(X, rows_per_tile or tile_rows(len(y)))
        self.xs0 = np.ascontiguousarray(X[src, 0])  # (M,) sorted, padded
        self.xs1 = np.ascontiguousarray(X[src, 1])
        self.ys = np.ascontiguousarray(y[src], dtype=np.int64)
        self.tol = dtype.type(64 * np.finfo(dtype).eps)
        M, h = len(src), width
        self.S = np.zeros((M, 2), dtype)  # scores of the sorted rows
        self.D = np.zeros((M, 2), dtype)  # ∂L/∂scores of the sorted rows
        self.buffers = (np.zeros(h, dtype), np.zeros(h, dtype),  # IN, MIX: unit on / mixed in a tile
                        np.zeros(h, np.int64), np.zeros((5, h), dtype),  # P, Q: the mixed units
                        np.zeros((5, h), dtype), np.zeros(6, dtype),  # CB: their ∂, A: Σ_on w vᵀ
                        np.zeros((6, h), dtype), np.zeros((5, h), dtype),  # TT: Σ x dᵀ, G: ∂ mixed
                        np.zeros(2))  # out: loss sum, correct

    def args(self, n_real: float):
        return (self.xs0, self.xs1, self.ys, self.valid, self.starts, self.box, self.tol,
                float(n_real))
