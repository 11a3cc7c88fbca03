"""Gradient clipping by value, peeled off the gradient an optimizer is fed (part of the optimizer, like Adam's moments)."""

from __future__ import annotations

from typing import Optional

import numpy as np

from chainrule.check.record.state import Node


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
