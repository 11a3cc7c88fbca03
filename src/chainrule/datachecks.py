"""Looking at the features before training: their scale, index-like columns, standardising.

Gradient descent with the learner's step size 1.0 and weights ``0.01 * randn``
works when features are of order 1 (the spiral's are in [-1, 1]).  Features
of order 1000 (pixel values, prices, a row index) make the first scores, and
the first update, a thousand times too large; around 1e300 the very first
loss is infinite.  This module finds such columns, words the warning, and
rescales with ``--standardize``.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

FAR = 100.0  # a column whose largest |value| exceeds this is "far from unit scale"
TINY = 1e-3  # ... or whose spread (std) is below this while not constant


def scale_problem(X: np.ndarray) -> Optional[str]:
    """A short description of the columns far from unit scale, or None if every column is fine.

    ``X`` (N, D).  Columns are numbered from 1, as in a CSV file.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        big = np.max(np.abs(X), axis=0)  # (D,)
        spread = np.std(X, axis=0)  # (D,)
    described = []
    for j in range(X.shape[1]):
        col = X[:, j]
        if _is_index(col):
            described.append(f"column {j + 1} counts the rows {int(col[0])}, {int(col[1])}, {int(col[2])}, … "
                             f"(a row number, not a feature?)")
        elif big[j] > FAR or not np.isfinite(spread[j]):
            described.append(f"column {j + 1} reaches {_g(big[j])}")
        elif 0 < spread[j] < TINY:
            described.append(f"column {j + 1} varies by only {_g(spread[j])}")
    if not described:
        return None
    more = f" (and {len(described) - 3} more)" if len(described) > 3 else ""
    return "; ".join(described[:3]) + more


def scale_note(problem: str) -> str:
    """The warning line for :func:`scale_problem`'s description."""
    return (f"the features are far from unit scale ({problem}); gradient descent with weights of 0.01 "
            f"is unstable on such numbers: --standardize rescales each column to mean 0 and std 1")


def standardize(X: np.ndarray) -> np.ndarray:
    """Each column shifted by its mean and divided by its standard deviation (constant columns: by 1).

    ``X`` (N, D) → (N, D) float64, mean 0 and std 1 per non-constant column.
    """
    big = np.max(np.abs(X), axis=0)  # (D,) first to order 1, so that squares of 1e300 do not overflow
    X = X / np.where(big > 0, big, 1.0)
    mean = X.mean(axis=0)  # (D,)
    std = X.std(axis=0)  # (D,)
    std = np.where(std > 0, std, 1.0)
    return (X - mean) / std


def _is_index(col: np.ndarray) -> bool:
    """0, 1, 2, ... or 1, 2, 3, ... (a row number saved as the first column by a spreadsheet or pandas)."""
    n = col.size
    if n < 10 or col[0] not in (0.0, 1.0):
        return False
    return bool(np.array_equal(col, np.arange(col[0], col[0] + n)))


def _g(x: float) -> str:
    return f"{x:.3g}"
