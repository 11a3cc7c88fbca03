"""The computation graph of a script for the report (``Report.graph``), drawn like the built-in walkthrough's.

The chain is the network as the analysis found it, one node per layer quantity in order —
the data X, each layer's Z and activation H, the probabilities P, the loss L — with each layer's
weight and bias above its Z (:func:`chainrule.explain.graph.build_graph` lays it out and links
every node to the step that computes its gradient).  A line run once per example appears once:
the chain is the first example's.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Optional

import numpy as np

from chainrule.check.narrate.forward import Forward
from chainrule.check.narrate.numbers import window
from chainrule.notation import Quantity
from chainrule.report import ForwardStep, Graph, Report

ORDER = {"a": 1, "z": 0}


def graph(a, fw: Forward, rep: Report, place: dict[int, Quantity], names: dict[int, str]) -> Optional[Graph]:
    from chainrule.explain.graph import build_graph

    chain: list[tuple[tuple, ForwardStep]] = []
    quantities: dict[str, Quantity] = {}
    by_name = {f.name: f for f in rep.forward}
    seen: set[tuple] = set()
    for it in fw.items:
        q = place.get(it.node.id)
        name = names.get(it.node.id, it.name)
        if q is None or (q.kind, q.layer) in seen or name not in by_name:
            continue
        seen.add((q.kind, q.layer))
        quantities[name] = q
        chain.append(((q.layer, ORDER.get(q.kind, 2)), by_name[name]))
    data = next(((n, q) for n, q in place.items() if q.kind == "a" and q.layer == 0), None)
    if data is not None:
        n = a.graph.by_id[data[0]]
        name = a.label(n)
        v = a.values64.get(n.id, n.value)
        quantities[name] = data[1]
        chain.append(((0, 1), ForwardStep(code="", symbol="X", name=name, formula_latex="", formula_text="",
                                          shape=[int(x) for x in np.shape(v)], shape_text="",
                                          values=[w for w in [window(name, v)] if w is not None])))
    loss = next((f for f in rep.forward if not f.shape and f.name in (a.loss.name, names.get(
        getattr(a.loss.node, "id", -1)))), None) or next((f for f in reversed(rep.forward) if not f.shape), None)
    if loss is not None:
        chain.append(((10 ** 6, 0), dataclasses.replace(loss, symbol="L")))
    chain.sort(key=lambda c: c[0])
    if len(chain) < 2:
        return None
    for p in a.graph.params:
        q = place.get(p.leaf.id)
        if q is not None:
            quantities[p.name] = q
    view = dataclasses.replace(rep, forward=[f for _, f in chain], graph=None)
    g = build_graph(_with_params(a, view), quantities)
    row = {f.name: k for k, f in enumerate(rep.forward)}
    for n in g.nodes:  # the forward row of the report's own chain (not of the view built here)
        n.forward = row.get(n.name) if n.forward is not None else None
    _plain_ids(g)
    return g


def _plain_ids(g: Graph) -> None:
    """Node ids safe in HTML attributes and CSS selectors (``parameters["W1"]`` becomes its symbol ``W₁``)."""
    labels = [n.label for n in g.nodes]
    new = {}
    for k, n in enumerate(g.nodes):
        plain = n.label if labels.count(n.label) == 1 and re.fullmatch(r"[\w₀-₉]+", n.label) else f"n{k}"
        new[n.id] = plain
    for n in g.nodes:
        n.id = new[n.id]
    for e in g.edges:
        e.src, e.dst = new.get(e.src, e.src), new.get(e.dst, e.dst)


def _with_params(a, view: Report) -> Report:
    """build_graph reads a parameter's tiny value from the forward steps' values: add a window of each."""
    extra = []
    for p in a.graph.params:
        w = window(p.name, a.values64.get(p.leaf.id, p.leaf.value))
        if w is not None:
            extra.append(w)
    if view.forward and extra:
        view.forward[0] = dataclasses.replace(view.forward[0], values=list(view.forward[0].values) + extra)
    return view
