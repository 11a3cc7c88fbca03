"""Where the tiled kernel's rows go: a k-d split of the plane into small tiles (numpy only).

:mod:`chainrule.fast.tiled` decides, per tile and hidden unit, from the tile's
bounding box whether the unit is on, off or mixed for its rows; this module
builds the tiles once per data set (padded to whole groups of four rows)
and holds the working buffers.  It imports no numba, so a warm run that uses
the ahead-of-time compiled kernel (:mod:`chainrule.fast.aot`) never loads numba.
"""

from __future__ import annotations

import math

import numpy as np

CHUNKS = 2  # fixed slices of the tiles, one buffer set each: same numbers on any number of threads


def tile_rows(n: int) -> int:
    """Rows per tile: ~√N (more rows per tile = fewer boxes, more mixed rows), a multiple of 4."""
    return int(min(128, max(8, 4 * round(math.sqrt(n) / 4))))


def plan(X: np.ndarray, rows_per_tile: int):
    """Sort the rows of ``X`` (N, 2) into spatial tiles of at most ``rows_per_tile`` rows.

    A k-d split (:func:`kd_order`) cuts the plane into boxes of whole tiles;
    each tile is padded to a multiple of four rows with copies of its first
    row.  Returns ``(src, valid, starts, box)``: sorted row ``r`` is original
    row ``src[r]``; ``valid[r]`` is False for padding rows (their ∂L/∂s is 0,
    so they add exact zeros); tile ``t`` is ``starts[t]:starts[t+1]``;
    ``box[t] = (c0, c1, hx, hy)`` bounds every row of the tile:
    ``|x0 - c0| <= hx``, ``|x1 - c1| <= hy``.
    """
    order, bounds = kd_order(X, rows_per_tile)  # (N,), (tiles + 1,)
    sizes = np.diff(bounds)  # (tiles,)
    padded = sizes + (-sizes % 4)
    starts = np.concatenate([[0], np.cumsum(padded)]).astype(np.int64)  # (tiles + 1,)
    tile = np.repeat(np.arange(len(sizes)), padded)  # tile of each sorted row
    k = np.arange(starts[-1]) - starts[tile]  # position inside its tile
    valid = k < sizes[tile]
    src = order[np.where(valid, bounds[tile] + k, bounds[tile])].astype(np.int64)
    P = X[src].astype(np.float64)  # (M, 2), exact
    low = np.minimum.reduceat(P, starts[:-1], axis=0)  # (tiles, 2)
    high = np.maximum.reduceat(P, starts[:-1], axis=0)
    return src, valid, starts, _boxes(P, tile, starts, low, high, X.dtype)


def kd_order(X: np.ndarray, rows_per_tile: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``X`` (N, 2) in k-d order and the tile boundaries in that order.

    Level by level, every segment longer than a tile is sorted along its wider
    side and cut after half of its tiles (rounded up), so every tile but the
    last of a segment is full.  All segments of a level are sorted in one
    ``lexsort``.
    """
    N, T = X.shape[0], rows_per_tile
    order = np.arange(N)
    bounds = np.array([0, N])
    while True:
        sizes = np.diff(bounds)
        split = sizes > T
        if not split.any():
            return order, bounds
        P = X[order]  # (N, 2)
        width = np.maximum.reduceat(P, bounds[:-1], axis=0) - np.minimum.reduceat(P, bounds[:-1], axis=0)
        seg = np.repeat(np.arange(len(sizes)), sizes)  # segment of each row
        key = np.where(split[seg], P[np.arange(N), np.argmax(width, axis=1)[seg]], np.arange(N))
        order = order[np.lexsort((key, seg))]
        cuts = bounds[:-1][split] + (-(-sizes[split] // T) // 2) * T
        bounds = np.sort(np.concatenate([bounds, cuts]))


def _boxes(P: np.ndarray, tile: np.ndarray, starts: np.ndarray, low: np.ndarray, high: np.ndarray,
           dtype) -> np.ndarray:
    """(tiles, 4) boxes in ``dtype``: centres, and half-widths rounded up so they surely bound ``P``."""
    dtype = np.dtype(dtype)
    c = ((low + high) / 2).astype(dtype)  # (tiles, 2)
    far = np.abs(P - c.astype(np.float64)[tile])  # (M, 2)
    half = np.maximum.reduceat(far, starts[:-1], axis=0)
    half = np.nextafter((half * (1 + 1e-12)).astype(dtype), dtype.type(np.inf))
    return np.concatenate([c, half], axis=1)


def learner_shape(config) -> bool:
    """Will ``config`` (before its data is loaded) most likely run on the tiled kernel?"""
    return (config.activation == "relu" and len(config.hidden) == 1 and config.classes == 2
            and config.batch is None and not config.dataset.startswith("csv:"))  # csv: D unknown


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
        M, h, C = len(src), width, CHUNKS
        self.S = np.zeros((M, 2), dtype)  # scores of the sorted rows
        self.D = np.zeros((M, 2), dtype)  # ∂L/∂scores of the sorted rows
        self.buffers = (np.zeros((C, h), dtype), np.zeros((C, h), dtype),  # IN, MIX: on / mixed
                        np.zeros((C, h), np.int64), np.zeros((C, 5, h), dtype),  # P, Q: mixed units
                        np.zeros((C, 5, h), dtype), np.zeros((C, 6), dtype),  # CB: their ∂, A: Σ w vᵀ
                        np.zeros((C, 6, h), dtype), np.zeros((C, 5, h), dtype),  # TT: Σ x dᵀ, G: ∂
                        np.zeros((C, 2), dtype), np.zeros((C, 2)))  # ∂b2, (loss sum, correct)

    def args(self, n_real: float):
        return (self.xs0, self.xs1, self.ys, self.valid, self.starts, self.box, self.tol,
                float(n_real))
