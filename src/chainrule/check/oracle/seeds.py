"""Where the backward pass starts: the network's output and its targets, found in the graph.

The *seed* is the first backward operation that combines a value computed from the parameters with
target data — data from before the iteration that is not random and not a parameter: ``y - l2``,
``A2 - Y``, ``np.divide(Y, AL)``, ``probs[range(N), y] -= 1`` (the labels as an index).
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from chainrule.check.graph import Graph
from chainrule.check.record.state import Node


def _flags(g: Graph) -> tuple[set[int], set[int], set[int]]:
    """Ids of nodes computed from the parameters, from random draws of the iteration, and from data."""
    params = {p.leaf.obj for p in g.params}
    pdep: set[int] = set()
    rand: set[int] = set()
    data: set[int] = set()
    for n in g.nodes:
        ins = n.inputs()
        if (g.is_input(n) and n.obj in params) or any(m.id in pdep for m in ins):
            pdep.add(n.id)
        made = n.op == "const" and "made_by" in n.kwargs
        if made and n.kwargs["made_by"] in ("randn", "rand", "random", "random_sample", "uniform", "normal",
                                             "binomial", "choice", "permutation") or any(m.id in rand for m in ins):
            rand.add(n.id)
        if g.is_input(n) and not made and n.obj not in params or any(m.id in data for m in ins):
            data.add(n.id)
    return pdep, rand, data


def seeds(g: Graph) -> list[tuple[Node, Any, Node]]:
    """(output, target, seed op) where the backward pass starts, one per forward pass of the iteration."""
    pdep, rand, data = _flags(g)
    out: list[tuple[Node, Any, Node]] = []
    used: set[int] = set()
    for n in g.nodes:
        if n.id not in g.needed or n.op not in ("subtract", "add", "multiply", "divide", "getitem", "setitem"):
            continue
        ins = n.args[:2] if n.op != "getitem" else n.args[:1]
        outs = [x for x in ins if isinstance(x, Node) and x.id in pdep and not g.is_input(x)
                and isinstance(x.value, np.ndarray) and x.value.dtype.kind == "f" and x.value.size > 1]
        if n.op in ("getitem", "setitem"):
            key = n.args[1] if len(n.args) > 1 else None
            tgt = _label_in(key, pdep, rand, data)
        else:
            tgt = next((x for x in ins if isinstance(x, Node) and x.id not in pdep and x.id not in rand
                        and x.id in data and isinstance(x.value, np.ndarray) and x.value.size > 1), None)
        if not outs or tgt is None:
            continue
        o = outs[0]
        if o.id in used:
            continue
        if n.op not in ("getitem", "setitem") and np.size(tgt.value) != np.size(o.value):
            continue
        used.add(o.id)
        out.append((o, tgt, n))
    return out


def _label_in(key: Any, pdep: set[int], rand: set[int], data: set[int]) -> Optional[Node]:
    parts = key if isinstance(key, tuple) else (key,)
    for k in parts:
        if isinstance(k, Node) and k.id not in pdep and k.id not in rand and k.id in data \
                and isinstance(k.value, np.ndarray) and k.value.dtype.kind in "iu":
            return k
    return None


def _onehot(O: Any, T: Any, axis: int) -> Any:
    T = np.asarray(T)
    if T.dtype.kind in "iu" and np.ndim(T) == 1 and np.ndim(O) == 2:
        Y = np.zeros(np.shape(O))
        if axis == 1:
            Y[np.arange(len(T)), T] = 1.0
        else:
            Y[T, np.arange(len(T))] = 1.0
        return Y
    return np.asarray(T, dtype=float).reshape(np.shape(O))


def _examples(O: Any, axis: int) -> int:
    shape = np.shape(O)
    if len(shape) < 2:
        return 1
    return shape[1 - axis] if len(shape) == 2 else shape[0]
