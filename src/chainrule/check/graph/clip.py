"""Gradient clipping by value or by norm, peeled off the gradient an optimizer is fed (part of the optimizer, like Adam's moments)."""

from __future__ import annotations

from typing import Optional

import numpy as np

from chainrule.check.record.state import Node, upstream


def unclip(g: Node, lo: int) -> tuple[Node, Optional[tuple[float, float]], set[int]]:
    """``np.clip(dW, -c, c)`` (or ``dW.clip(...)``, in place with ``out=``) before the step is gradient clipping,
    part of the optimizer: the gradient the script computed is ``dW``.  Bounds must be numbers with lo < 0 < hi
    (a clip that can flip or zero every gradient is no clipping).  Returns (gradient, (lo, hi), clip node ids)."""
    ids: set[int] = set()
    bounds = None
    while g.op == "clip" and g.id >= lo and g.args and isinstance(g.args[0], Node):
        given = list(g.args[1:3]) + [None] * (3 - len(g.args))
        lo_b, hi_b = (_number(x if x is not None else next((g.kwargs[k] for k in keys if k in g.kwargs), None))
                      for x, keys in zip(given, (("a_min", "min"), ("a_max", "max"))))
        inner = g.args[0]
        if lo_b is None or hi_b is None or not lo_b < 0 < hi_b or np.shape(inner.value) != np.shape(g.value):
            break
        ids.add(g.id)
        bounds = (max(lo_b, bounds[0]), min(hi_b, bounds[1])) if bounds else (lo_b, hi_b)
        g = inner
    return g, bounds, ids


def _number(x) -> Optional[float]:
    v = x.value if isinstance(x, Node) else x
    if v is None:
        return None
    try:
        arr = np.asarray(v, dtype=float)
    except (TypeError, ValueError):
        return None
    return float(arr) if arr.size == 1 and np.isfinite(arr).all() else None


def unscale(g: Node, lo: int) -> tuple[Node, Optional[float], set[int]]:
    """Clipping by norm: ``dW = dW * (max_norm / norm)`` (or ``dW / (norm / max_norm)``, ``dW *= ...``) where the
    number is computed from ``dW`` itself (its norm, or a global norm over every gradient) and shrinks it
    (0 < f ≤ 1).  Returns (gradient, the product of the factors f, their node ids)."""
    ids: set[int] = set()
    total = None
    while g.id >= lo and g.op in ("multiply", "divide", "true_divide") and len(g.args) == 2:
        inner, s = g.args
        if g.op == "multiply" and not (isinstance(inner, Node) and np.shape(inner.value) == np.shape(g.value)):
            inner, s = s, inner
        if not isinstance(inner, Node) or not isinstance(s, Node) or np.size(s.value) != 1 \
                or np.shape(inner.value) != np.shape(g.value) or not _reads(s, inner, lo):
            break
        v = _number(s)
        f = v if g.op == "multiply" else (1.0 / v if v else None)
        if f is None or not 0 < f <= 1:
            break
        ids.add(g.id)
        total = f * (total or 1.0)
        g = inner
    return g, total, ids


def _reads(s: Node, g: Node, lo: int) -> bool:
    """Is the number ``s`` computed from the array ``g`` (its norm)?"""
    return any(m is g for m in upstream([s], lo))
