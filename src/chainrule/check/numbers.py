"""Numbers for the explanation of a learner's script: array windows and finite differences.

Windows are cut from the analysed iteration's snapshots (what each statement read and
wrote).  The finite-difference check of one line reuses the checker's forward code (the
probed statements of :mod:`chainrule.check.autodiff`): the loss is re-evaluated with the
quantity the line claims to differentiate nudged along the autograd gradient's direction,
and the derivative along it (fourth-order central differences) is compared with the
line's own array.  Every ``max()`` (ReLU, hinge) keeps the branch it took at the analysed
point: the loss is piecewise smooth, and this measures the slope of the piece the point lies
on (a step that crossed a kink would measure a mix of two slopes); kinks exactly at the point
are left to the checker's subgradient interval.
"""

from __future__ import annotations

import ast
from typing import Any, Optional

import numpy as np

from chainrule.check import autodiff
from chainrule.report import Value

ROWS = COLS = 4
EPS = (1e-3, 1e-4)  # relative steps; the better of the two is reported


def _span(n: int, k: int) -> str:
    return f"{0}–{k - 1}" if k > 1 else "0"


def window(name: str, v: Any, note: str = "") -> Optional[Value]:
    """The first ROWS × COLS entries of ``v`` as a Value, the cut stated in the note."""
    if isinstance(v, (bool, np.bool_)):
        return None
    if isinstance(v, (int, float, np.integer, np.floating)):
        return Value(name, [], float(v) if isinstance(v, (float, np.floating)) else int(v), note)
    if not isinstance(v, np.ndarray) or v.ndim > 2 or v.size == 0:
        return None
    arr = v.astype(np.int64) if v.dtype == bool else v
    if arr.dtype.kind not in "fiu":
        return None
    shape = tuple(arr.shape)
    if arr.ndim == 0:
        return Value(name, [], arr.item(), note)
    if arr.ndim == 1:
        w = arr[:COLS]
        cut = f"entries {_span(shape[0], len(w))} of {shape}" if shape[0] > COLS else ""
    else:
        w = arr[:ROWS, :COLS]
        cut = (f"rows {_span(shape[0], w.shape[0])}, columns {_span(shape[1], w.shape[1])} of {shape}"
               if shape[0] > ROWS or shape[1] > COLS else "")
    return Value(name, list(w.shape), w.tolist(), "; ".join(x for x in (note, cut) if x))


class FiniteDifferences:
    """Directional finite differences of the loss of one analysed iteration."""

    def __init__(self, a):
        self.a = a
        recs = a.trace.records
        prober = autodiff.Prober(a.plan.script.text, a.plan.display)
        self.code = []
        for i in a.forward:
            s = prober.transform(i, recs[i].stmt.node, recs[i].stmt.line)
            self.code.append((i, compile(ast.Module(body=[s], type_ignores=[]), a.plan.script.path, "exec")))
        plain = autodiff._np_module(np)
        plain.minimum, plain.fmin = np.minimum, np.fmin
        plain.maximum = plain.fmax = self._maximum
        plain.where = self._where
        self.np = plain
        self.sides: Optional[list] = None  # which side of every max() each entry took, per call
        self.replay: Optional[list] = None

    def _maximum(self, x, y, *args, **kw):
        out = np.maximum(x, y, *args, **kw)
        if self.sides is None:
            return out
        if self.replay is None:
            self.sides.append(np.sign(np.subtract(x, y, dtype=float)))
            return out
        i = len(self.sides)
        self.sides.append(None)
        side = self.replay[i] if i < len(self.replay) else None
        if side is None or side.dtype == bool or side.shape != np.shape(out):
            return out
        return np.where(side > 0, x, np.where(side < 0, y, out))  # the branch taken at the point itself

    def _where(self, cond, *args):
        if self.sides is not None and len(args) == 2:
            if self.replay is None:
                self.sides.append(np.asarray(cond).copy())
            else:
                i = len(self.sides)
                self.sides.append(None)
                old = self.replay[i] if i < len(self.replay) else None
                if old is not None and old.shape == np.shape(cond):
                    cond = old
        return np.where(cond, *args)

    def loss(self, q, shift: np.ndarray) -> float:
        a = self.a
        ns = autodiff._namespace(a.trace.start, a.trace.ns, self.np)
        probe = (lambda k, v: v) if q.is_param else (lambda k, v: v + shift if k == q.key else v)
        if q.is_param:
            ns[q.label if q.label in ns else _raw(a, q.label)] = np.asarray(q.value, dtype=float) + shift
        ns.update(__cr_P=probe, __cr_setitem=autodiff.setitem)
        with np.errstate(all="ignore"):
            autodiff._run(self.code, ns, a.trace.rng_state)
        return float(np.sum(ns[a.loss_var]))

    def rel_error(self, q, V: np.ndarray, steps: tuple = EPS) -> Optional[float]:
        """Relative error of ⟨V, d⟩ against the finite-difference slope of L along d (kinks aside)."""
        if q.g0 is None or V is None or np.size(V) != np.size(q.g0):
            return None
        V = np.asarray(V, dtype=float).reshape(q.g0.shape)
        diff = np.asarray(q.g1 - q.g0, dtype=float)
        d = np.array(q.g0, dtype=float)
        tie = np.abs(diff) > 0
        if tie.any() and np.abs(d[~tie]).sum() > 0:
            d[tie] = 0.0  # step along the entries that no kink touches
        n = float(np.linalg.norm(d))
        if n == 0 or not np.isfinite(n):
            return None
        d /= n
        scale = max(1.0, float(np.abs(q.value).max()) if q.value is not None else 1.0)
        self.sides, self.replay = [], None
        self.loss(q, 0 * d)
        self.replay = self.sides
        best = None
        for eps in steps:
            h = eps * scale
            f = {}
            for t in (-2, -1, 1, 2):
                self.sides = []
                f[t] = self.loss(q, t * h * d)
            fd = (8 * (f[1] - f[-1]) - (f[2] - f[-2])) / (12 * h)
            err = self._err(fd, V, d, diff, f[1])
            best = err if best is None else min(best, err)
            if best < 1e-9:  # convincing already: the smaller step would only cost time
                break
        self.sides = self.replay = None
        return best

    @staticmethod
    def _err(fd: float, V: np.ndarray, d: np.ndarray, diff: np.ndarray, loss: float) -> float:
        val = float(np.sum(V * d))
        slack = abs(float(np.sum(diff * d)))
        floor = max(abs(fd), abs(val), float(np.linalg.norm(V)), 1e-6 * max(1.0, abs(loss)))
        return max(0.0, abs(fd - val) - slack) / floor


def _raw(a, shown: str) -> str:
    return next((k for k, v in a.plan.display.items() if v == shown), shown)
