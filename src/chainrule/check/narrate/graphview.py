"""The computation graph of a script for the report (``Report.graph``): forward quantities and their edges.

Nodes are the recognised forward quantities plus the data and parameters they read; edges run
forward (``src -> dst``), each with the backward line that computes ∂L/∂src from ∂L/∂dst when
the analysis found one.  Coordinates are laid out once here (depth from the inputs, spread in
each column) so every renderer draws the same picture.
"""

from __future__ import annotations

import numpy as np

from chainrule.check.narrate.forward import Forward, _strip
from chainrule.check.narrate.numbers import window
from chainrule.check.record.state import Node
from chainrule.report import Graph, GraphEdge, GraphNode


def _tiny(v):
    w = window("", v)
    return w.data if w is not None else None


def graph(a, fw: Forward, rep) -> Graph:
    g = a.graph
    items = {it.node.id: it for it in fw.items}
    nodes: dict[int, GraphNode] = {}
    step_of = {}
    for k, s in enumerate(rep.steps):
        if s.gradient_of:
            step_of.setdefault(s.gradient_of, k)

    def add(n: Node, kind: str, label: str) -> str:
        if n.id not in nodes:
            name = a.label(n)
            v = a.values64.get(n.id, n.value)
            gr = a.truth.grad(n) if a.truth is not None else None
            nodes[n.id] = GraphNode(id=f"n{n.id}", label=label, name=name, kind=kind, shape=[int(x) for x in np.shape(v)],
                                    step=step_of.get(name), line=n.site.line if n.site else None,
                                    value=_tiny(v), grad=_tiny(gr) if gr is not None else None)
        return nodes[n.id].id

    edges = []
    for it in fw.items:
        dst = add(it.node, "loss" if it.node is a.loss.node else "value", it.symbol or it.name)
        for role, x in it.inputs.items():
            x = _strip(x)
            if not isinstance(x, Node):
                continue
            p = g.param_of(x)
            if x.id in items:
                src = add(x, "value", items[x.id].symbol or items[x.id].name)
            elif g.is_input(x):
                src = add(x, "param" if p is not None else "data", p.name if p is not None else a.label(x))
            else:
                continue
            k = step_of.get(a.label(x)) if p is None else step_of.get(p.name)
            edges.append(GraphEdge(src=src, dst=dst, backward_line=rep.steps[k].line if k is not None else None,
                                   backward_code=rep.steps[k].code if k is not None else "", step=k))
    _layout(nodes, edges)
    return Graph(nodes=list(nodes.values()), edges=edges)


def _layout(nodes: dict, edges: list) -> None:
    depth = {n.id: 0 for n in nodes.values()}
    for _ in range(len(nodes)):
        for e in edges:
            depth[e.dst] = max(depth[e.dst], depth[e.src] + 1)
    top = max(depth.values(), default=0) or 1
    cols: dict[int, list] = {}
    for n in nodes.values():
        cols.setdefault(depth[n.id], []).append(n)
    for d, ns in cols.items():
        for i, n in enumerate(ns):
            n.x = round(d / top, 3)
            n.y = round((i + 1) / (len(ns) + 1), 3)
