"""Numbers for explain SCRIPT: windows of the script's own arrays, and finite differences per line.

Windows are cut from the values recorded in the analysed iteration.  The finite-difference
check of a line nudges the quantity the line claims to differentiate along the line's own
array and re-evaluates only the part of the forward pass after it (the oracle's replay),
with every ``max()`` keeping the branch it took at the analysed point and every mask as it
was (the slope of the piece the point lies on): two evaluations per line.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from chainrule.check.oracle import ops
from chainrule.check.oracle.replay import Unreplayable, replay
from chainrule.check.record.state import Node
from chainrule.report import Value

ROWS = COLS = 4


def _span(n: int, k: int) -> str:
    return f"0–{k - 1}" if k > 1 else "0"


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
    """Directional finite differences of the analysed iteration's loss (see the module docstring)."""

    def __init__(self, a):
        self.a = a
        t = a.truth
        self.ok = t is not None and t.loss_of is not None and t.order
        if not self.ok:
            return
        self.order = t.order
        self.base = dict(t.values)
        ops.BRANCH.clear()
        env: dict[int, Any] = {p.leaf.id: t.values[p.leaf.id] for p in a.graph.params if p.leaf.id in t.values}
        try:
            replay(self.order, np, env, is_input=lambda n: n.id not in env and a.graph.is_input(n), branches=True)
        except Unreplayable:
            self.ok = False
        self.branch = dict(ops.BRANCH)
        ops.BRANCH.clear()
        self.after: dict[int, list[Node]] = {}

    def _later(self, q: Node) -> list[Node]:
        hit = self.after.get(q.id)
        if hit is None:
            desc = {q.id}
            hit = []
            for n in self.order:
                if n.id == q.id:
                    continue
                if any(m.id in desc for m in n.inputs()) or (n.prev is not None and n.prev.id in desc):
                    desc.add(n.id)
                    hit.append(n)
            self.after[q.id] = hit
        return hit

    def loss(self, q: Node, value: Any) -> float:
        t = self.a.truth
        later = self._later(q)
        env = {k: v for k, v in self.base.items() if k not in {n.id for n in later}}
        env[q.id] = value
        ops.BRANCH.update(self.branch)
        try:
            with np.errstate(all="ignore"):
                replay(later, np, env, is_input=lambda n: n.id not in env and self.a.graph.is_input(n))
            return float(np.sum(t.loss_of(env, np))) * t.scale
        finally:
            ops.BRANCH.clear()

    def rel_error(self, q: Node, V: Any, sign: int = 1) -> Optional[float]:
        """Relative error of ⟨V, d⟩ against the slope of L along d = V/‖V‖ (V: the line's claimed ∂L/∂q)."""
        if not self.ok or V is None or q.id not in self.base:
            return None
        base = np.asarray(self.base[q.id], dtype=float)
        V = sign * np.asarray(V, dtype=float).reshape(base.shape) if np.size(V) == base.size else None
        if V is None:
            return None
        n = float(np.linalg.norm(V))
        if n == 0 or not np.isfinite(n):
            return None
        d = V / n
        h = 1e-5 * max(1.0, float(np.abs(base).max()))
        try:
            fd = (self.loss(q, base + h * d) - self.loss(q, base - h * d)) / (2 * h)
        except Unreplayable:
            return None
        return abs(fd - n) / max(abs(fd), n)
