"""The computation graph the page draws: ``Report.graph`` when the analysis made one.

:func:`graph_of` returns ``Report.graph`` when it is there.  Until every analysis fills it,
:func:`fallback_graph` derives one from the Report's forward chain and steps (delete it
when ``Report.graph`` is always set): a node per forward quantity, a node per parameter
(what an update line writes), the parameter joined to the first forward line that uses it,
and each edge's backward line = the first line that computes ∂L/∂(edge's source).
Softmax's ``P`` has no gradient line of its own in row-per-example code (the softmax and
cross-entropy gradients are taken together on ``S``), so its edges share the line of ``S``.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any, Optional

from chainrule.render.latex import latex_to_unicode
from chainrule.report import Graph, GraphEdge, GraphNode, Report
from chainrule.serve.symbols import Names, as_array, split_values


def graph_of(report: Report) -> Graph:
    return report.graph if report.graph is not None and report.graph.nodes else fallback_graph(report)


def _uses(code: str, name: str) -> bool:
    return re.search(r"(?<![\w.\"'])" + re.escape(name) + r"(?![\w\"'])", code) is not None


def _grad_step(report: Report, name: str) -> Optional[int]:
    for k, s in enumerate(report.steps):
        if s.gradient_of == name and s.holds in ("gradient", "scaled"):
            return k
    return None


def _last_grad(report: Report, name: str) -> Optional[Any]:
    found = None
    for s in report.steps:
        if s.gradient_of == name and s.holds in ("gradient", "scaled"):
            _, _, after = split_values(s)
            found = after.data if after is not None else found
    return found


def fallback_graph(report: Report) -> Graph:
    """A graph from the forward chain and the steps (see the module docstring)."""
    names = Names(report)
    chain = [f for f in report.forward if f.symbol]
    aliases = {f.name: f.code.split("=", 1)[1].strip() for f in report.forward
               if not f.symbol and "=" in f.code}
    nodes: list[GraphNode] = []
    seen: set[str] = set()
    for f in chain:
        if f.name in seen:
            continue
        seen.add(f.name)
        own = next((v for v in f.values if v.name == f.name), None)
        kind = "data" if f.symbol == "X" else ("loss" if f.symbol == "L" else "value")
        nodes.append(GraphNode(id=f.name, label=f.symbol, name=f.name, kind=kind, shape=list(f.shape),
                               line=f.line, value=own.data if own else None))
    chain_nodes = list(nodes)
    edges = [GraphEdge(src=a.id, dst=b.id) for a, b in zip(chain_nodes, chain_nodes[1:])]
    for p in sorted(names.params, key=lambda p: [s.writes for s in report.steps].index(p)):
        spelled = [p] + [a for a, target in aliases.items() if target == p]
        user = next((n for n, f in zip(chain_nodes, chain) if any(_uses(f.code, s) for s in spelled)), None)
        if user is None:
            continue
        step = next((s for s in report.steps if s.writes == p), None)
        shape = next((sh for s in report.steps for n, sh in s.shapes.items() if n == p), [])
        start = next((v.data for f in report.forward for v in f.values if v.name in spelled), None)
        nodes.append(GraphNode(id=p, label=names.base_symbol(p), name=p, kind="param",
                               shape=list(shape), value=start, line=step.line if step else None))
        edges.append(GraphEdge(src=p, dst=user.id))
    by_id = {n.id: n for n in nodes}
    for n in nodes:
        n.step = _grad_step(report, n.name)
        n.grad = _last_grad(report, n.name)
    for e in edges:
        src = by_id[e.src]
        k = src.step
        if k is None and src.kind == "value":  # softmax's P: the line that starts on S
            k = next((by_id[x.src].step for x in edges if x.dst == e.src), None)
        e.step = k
        if k is not None:
            e.backward_line, e.backward_code = report.steps[k].line, report.steps[k].code
    _layout(nodes, edges)
    return Graph(nodes=nodes, edges=edges)


def _layout(nodes: list[GraphNode], edges: list[GraphEdge]) -> None:
    """Forward chain left to right on one row, each parameter above the node it feeds."""
    chain = [n for n in nodes if n.kind != "param"]
    for i, n in enumerate(chain):
        n.x, n.y = (0.5 if len(chain) == 1 else 0.04 + 0.92 * i / (len(chain) - 1)), 0.72
    placed: dict[str, int] = {}
    by_id = {n.id: n for n in nodes}
    for e in edges:
        p = by_id[e.src]
        if p.kind != "param":
            continue
        user = by_id[e.dst]
        k = placed.get(user.id, 0)
        placed[user.id] = k + 1
        p.x, p.y = min(0.97, max(0.03, user.x + (k - 0.5) * 0.16)), 0.2


def graph_dict(report: Report) -> dict[str, Any]:
    """The graph as plain data, with each node's gradient history for the animation."""
    g = graph_of(report)
    out = asdict(g)
    grads: dict[str, list[dict[str, Any]]] = {n.name: [] for n in g.nodes}  # steps name the code's variable
    for k, s in enumerate(report.steps):
        _, _, after = split_values(s)
        if s.gradient_of in grads and s.holds in ("gradient", "scaled") and after is not None:
            grads[s.gradient_of].append({"step": k, "holds": s.holds, "data": as_array(after).tolist()})
    for n in out["nodes"]:
        n["grads"] = grads.get(n["name"], [])
        n["text"] = latex_to_unicode(n["label"]) if "\\" in n["label"] or "_" in n["label"] else n["label"]
    return out
