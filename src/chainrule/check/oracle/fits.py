"""How well the script's gradient arrays fit a candidate loss's true gradients (factors, signs, counts).

Shared by the computed-loss oracle (:mod:`.losses`) and loss inference (:mod:`.inferred`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

from chainrule.check.graph import Graph
from chainrule.check.oracle.truth import Truth
from chainrule.check.record.state import Node
from chainrule.check.verdict.match import align, fit


@dataclass
class LossInfo:
    node: Optional[Node] = None
    name: Optional[str] = None
    file: Optional[str] = None
    line: Optional[int] = None
    inferred: bool = False
    kind: str = "computed"  # computed | softmax_ce | ce | bce | mse | hinge | consistency
    formula: str = ""
    sign: int = 1
    output: list[Node] = field(default_factory=list)
    target: list[Any] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seed_ok: bool = False  # the array the backward starts from is this loss's ∂L/∂(output)

    def to_json(self) -> dict:
        return {"name": self.name, "line": self.line, "file": self.file, "inferred": self.inferred,
                "kind": self.kind, "formula": self.formula}


def _script_grads(g: Graph) -> list[tuple[Any, Any]]:
    """(parameter leaf id, the array the script feeds its optimizer for it — or, when the gradient is
    written inside the update line, the step itself: then the common factor includes the step size)."""
    out = []
    for p in g.params:
        if p.grad is not None:
            out.append((p.leaf.id, np.asarray(p.grad.value, dtype=float)))
        elif p.final.value is not None:
            step = np.asarray(p.final.value, dtype=float) - np.asarray(p.leaf.value, dtype=float)
            out.append((p.leaf.id, p.sign * step))  # the S of `P += S` / `P -= S`
    return out


def _unit_fits(g: Graph, truth: Truth, grads) -> int:
    """How many gradient arrays are ±1 × the true gradient (steps written inline: any common factor)."""
    inline = {p.leaf.id for p in g.params if p.grad is None}
    n = 0
    for pid, G in grads:
        T = truth.g0.get(pid)
        if T is None:
            continue
        A, tr = align(G, np.shape(T))
        if A is None or tr:
            continue
        r = fit(A, np.asarray(T, float), np.asarray(truth.g1.get(pid, T), float))
        if r is not None and r[1] < 1e-6 and (pid in inline or abs(abs(r[0]) - 1) < 1e-6):
            n += 1
    return n


def _factors(truth: Truth, grads) -> list:
    """For each gradient array: its factor against the truth, or None."""
    out = []
    for pid, G in grads:
        T = truth.g0.get(pid)
        A, tr = align(G, np.shape(T)) if T is not None else (None, False)
        if A is None or tr:
            out.append(None)
            continue
        r = fit(A, np.asarray(T, float), np.asarray(truth.g1.get(pid, T), float))
        out.append(r[0] if r is not None and r[1] < 1e-6 else None)
    return out


def _score(truth: Truth, grads) -> tuple[int, Optional[float]]:
    """(how many parameters fit one common factor, that factor); single numbers are no evidence."""
    good = [f for f, (pid, G) in zip(_factors(truth, grads), grads) if f is not None and np.size(G) > 1]
    if not good:
        return 0, None
    vals, counts = np.unique(np.round(np.abs(good), 9), return_counts=True)
    c = float(vals[np.argmax(counts)])
    sign = np.sign(sum(np.sign(f) for f in good if abs(abs(f) - c) < 1e-6 * max(c, 1e-300))) or 1.0
    return int(counts.max()), c * sign
