"""The standard losses a backward pass may be the gradient of, and their formulas in the script's names.

Each family is written in its *sum* form over the examples; the other forms (mean, without ½) differ
by a known factor (``Family.forms``), so one autograd pass per family suffices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from chainrule.check.graph import Graph
from chainrule.check.record.state import Node


@dataclass
class Family:
    kind: str
    fn: Callable  # (O, Y, axis, xp) -> scalar, the "sum" form
    applies: Callable  # (O value, Y) -> bool
    forms: tuple  # (label, scale): the gradient of the form is scale × the sum form's


def _mse(O, Y, axis, xp):
    return 0.5 * xp.sum((O - Y) ** 2)


def _bce(O, Y, axis, xp):
    return -xp.sum(Y * xp.log(O) + (1 - Y) * xp.log(1 - O))


def _ce(O, Y, axis, xp):
    return -xp.sum(Y * xp.log(O))


def _softmax_ce(O, Y, axis, xp):
    m = xp.max(O, axis=axis, keepdims=True)
    logp = O - m - xp.log(xp.sum(xp.exp(O - m), axis=axis, keepdims=True))
    return -xp.sum(Y * logp)


def _hinge(O, Y, axis, xp):
    correct = xp.sum(O * Y, axis=axis, keepdims=True)
    return xp.sum(xp.maximum(0, O - correct + 1) * (1 - Y))


def _probs(O, Y) -> bool:
    return bool(np.all(O > 0) and np.all(O <= 1))


FAMILIES = [
    Family("ce", _ce, lambda O, Y: _probs(O, Y) and O.ndim == 2 and np.allclose(O.sum(axis=0), 1) or
           _probs(O, Y) and O.ndim == 2 and np.allclose(O.sum(axis=1), 1), (("sum", 1.0), ("mean", "1/N"))),
    Family("bce", _bce, lambda O, Y: bool(np.all(O > 0) and np.all(O < 1)), (("sum", 1.0), ("mean", "1/N"))),
    Family("mse", _mse, lambda O, Y: True, (("half-sum", 1.0), ("sum", 2.0), ("half-mean", "1/N"), ("mean", "2/N"))),
    Family("softmax_ce", _softmax_ce, lambda O, Y: O.ndim == 2, (("sum", 1.0), ("mean", "1/N"))),
    Family("hinge", _hinge, lambda O, Y: O.ndim == 2 and set(np.unique(Y)) <= {0.0, 1.0},
           (("sum", 1.0), ("mean", "1/N"))),
]


def _form(fam: Family, c: float, N: int) -> tuple[str, float]:
    """The form (sum/mean, ½) whose gradient is the script's to a factor 1: (label, scale vs the sum form)."""
    best = None
    for label, scale in fam.forms:
        s = (1.0 / N if scale == "1/N" else 2.0 / N if scale == "2/N" else float(scale))
        err = abs(c / s - 1) if s else np.inf
        if best is None or err < best[2]:
            best = (label, s, err)
    if best[2] > 1e-6:  # no standard form: keep the sum form (lines will show the factor)
        return fam.forms[0][0], float(fam.forms[0][1]) if not isinstance(fam.forms[0][1], str) else 1.0
    return best[0], best[1]


def formula(g: Graph, kind: str, form: str, O: Node, T: Node, count: int) -> str:
    o, t = g.label(O), g.label(T)
    mean = "mean" in form
    s = "(1/N) Σ" if mean else "Σ"
    many = f" (summed over the {count} examples of the iteration)" if count > 1 else ""
    if kind == "mse":
        half = "½ " if form.startswith("half") else ""
        return f"L = {half}{s} ({t} − {o})²{many}"
    if kind == "bce":
        return f"L = −{s} [{t}·log {o} + (1 − {t})·log(1 − {o})]{many}"
    if kind == "ce":
        return f"L = −{s} {t}·log {o}   (cross-entropy of the probabilities {o}){many}"
    if kind == "softmax_ce":
        return f"L = −{s} log softmax({o})[{t}]   (softmax cross-entropy of the scores {o}){many}"
    if kind == "hinge":
        return f"L = {s} Σ_(k≠{t}) max(0, {o}[k] − {o}[{t}] + 1)   (multiclass SVM){many}"
    return ""
