"""Gradient checking: centered finite differences and relative errors.

Messages follow minitorch: a failed check names the function, the argument,
the index, the expected (numerical) and the received (analytic) value.
"""

from __future__ import annotations

from typing import Callable, Optional

import numpy as np


def rel_error(a: np.ndarray, b: np.ndarray, floor: float = 1e-12) -> float:
    """Relative error ``‖a − b‖ / max(‖a‖ + ‖b‖, floor)`` (0 when both are zero)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    num = float(np.linalg.norm(a - b))
    den = max(float(np.linalg.norm(a) + np.linalg.norm(b)), floor)
    return num / den


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """∂f/∂x by centered differences, one entry at a time (for small arrays).

    ``x`` is perturbed in place and restored; ``f`` must read it each call.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        idx = it.multi_index
        old = x[idx]
        x[idx] = old + eps
        plus = f(x)
        x[idx] = old - eps
        minus = f(x)
        x[idx] = old
        grad[idx] = (plus - minus) / (2 * eps)
    return grad


def directional_derivative(f: Callable[[np.ndarray], float], x: np.ndarray, direction: np.ndarray,
                           eps: float = 1e-6) -> float:
    """``(f(x + eps·d) − f(x − eps·d)) / 2eps``: one number, for arrays of any size."""
    return (f(x + eps * direction) - f(x - eps * direction)) / (2 * eps)


def check_directions(f: Callable[[np.ndarray], float], x: np.ndarray, grad: np.ndarray,
                     rng: Optional[np.random.Generator] = None, directions: int = 3,
                     eps: float = 1e-6) -> float:
    """Worst relative error of ``grad · d`` against the directional derivative along random ``d``."""
    rng = rng or np.random.default_rng(0)
    worst = 0.0
    for _ in range(directions):
        d = rng.standard_normal(x.shape)
        d /= np.linalg.norm(d)
        worst = max(worst, rel_error(np.sum(grad * d), directional_derivative(f, x, d, eps)))
    return worst


def assert_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, analytic: np.ndarray,
                    function: str, argument: str, tol: float = 1e-7, eps: float = 1e-6) -> float:
    """Compare ``analytic`` with centered differences; raise AssertionError naming the culprit.

    Returns the relative error of the whole array when it passes.
    """
    numeric = numerical_gradient(f, x.copy(), eps)
    err = rel_error(analytic, numeric)
    if err > tol:
        diff = np.abs(np.asarray(analytic) - numeric)
        idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), diff.shape))
        raise AssertionError(
            f"Gradient check failed for function {function}, argument {argument}, index {idx}: "
            f"expected {numeric[idx]:.10g} (finite differences), received {analytic[idx]:.10g} "
            f"(backward); relative error of the whole array {err:.3g} > {tol:g}."
        )
    return err
