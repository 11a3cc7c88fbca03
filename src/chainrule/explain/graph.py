"""The computation graph of a Report, laid out once in Python (``Report.graph``).

The chain ``X → Z → H → S → P → L`` runs left to right; each layer's weight and
bias sit above the pre-activation they feed.  Every renderer (the SVG of the
HTML page and the notebook, the terminal's one-line chain, the live page)
draws this same :class:`~chainrule.report.Graph`; none lays it out again.

:func:`build_graph` reads only Report data - the forward chain, the steps'
``gradient_of``, lines and tiny-example values - and a map of the code's names
to their place in the network (:class:`chainrule.notation.Quantity`), so a
learner's own script gets its graph the same way.
"""

from __future__ import annotations

from typing import Optional

from chainrule.notation import Quantity, role_of
from chainrule.report import Graph, GraphEdge, GraphNode, Report, Step

WIDTH = 1160.0
NODE_W, PARAM_W = 164.0, 150.0
HEAD_H, ROW_H = 58.0, 17.0  # node header (symbol, name, shape) and one row of tiny numbers
MAX_ROWS = 4
EDGE = 4.0  # room for the outline at the left and right edges
TOP, GAP, BELOW = 6.0, 74.0, 66.0  # space above, between params and chain, for backward arcs


def _rows(data) -> int:
    if not isinstance(data, list):
        return 1
    return min(MAX_ROWS, len(data)) if data and isinstance(data[0], list) else 1


def _node_height(value) -> float:
    return HEAD_H + ROW_H * _rows(value) + 8


def _value_of(report: Report, name: str):
    for f in report.forward:
        for v in f.values:
            if v.name == name:
                return v.data
    return None


def _grad_step(steps: list[Step], name: str) -> Optional[int]:
    """The last step that holds ∂L/∂(name) exactly, else the last that holds a multiple of it (Ng's dZ = A − Y)."""
    for holds in ("gradient", "scaled"):
        found = [k for k, s in enumerate(steps) if s.gradient_of == name and s.holds == holds]
        if found:
            return found[-1]
    return None


def _grad_value(step: Optional[Step]):
    if step is None:
        return None
    after = [v for v in step.values if v.name == step.writes]
    return after[-1].data if after else None


def _lines_for(steps: list[Step], name: str, start: bool) -> list[int]:
    return [s.line for s in steps if s.line is not None and (
        s.gradient_of == name or (start and role_of(s) == "start"))]


def _label(lines: list[int]) -> str:
    if not lines:
        return ""
    if len(lines) == 1:
        return f"line {lines[0]}"
    return f"lines {lines[0]}–{lines[-1]}"


def build_graph(report: Report, quantities: dict[str, Quantity]) -> Graph:
    """Nodes (chain and parameters) with layout, shapes, tiny values and gradient names; edges with lines."""
    steps = report.steps
    chain = [(k, f) for k, f in enumerate(report.forward) if f.symbol]
    top_z = max((q.layer for q in quantities.values() if q.kind == "z"), default=0)
    params = {name: q for name, q in quantities.items() if q.kind in ("W", "b")}
    param_h = max((_node_height(_value_of(report, p)) for p in params), default=0.0)
    chain_h = max((_node_height(_value_of(report, f.name)) for _, f in chain), default=HEAD_H)
    y_chain = TOP + (param_h + GAP if params else 0) + chain_h / 2
    height = y_chain + chain_h / 2 + BELOW
    step_x = (WIDTH - NODE_W - 2 * EDGE) / max(1, len(chain) - 1)
    nodes: list[GraphNode] = []
    edges: list[GraphEdge] = []
    x_of: dict[str, float] = {}
    for i, (k, f) in enumerate(chain):
        x = EDGE + NODE_W / 2 + i * step_x
        x_of[f.name] = x
        g = _grad_step(steps, f.name)
        value = _value_of(report, f.name)
        nodes.append(GraphNode(
            id=f.symbol, label=f.symbol, name=f.name, kind="loss" if not f.shape else (
                "data" if i == 0 else "value"), shape=list(f.shape), x=x / WIDTH, y=y_chain / height,
            step=g, line=f.line, value=value, grad=_grad_value(steps[g] if g is not None else None),
            width=NODE_W / WIDTH, height=_node_height(value) / height, forward=k,
            grad_symbols=_symbols(steps[g]) if g is not None else {}))
        if i:
            src = chain[i - 1][1]
            q = quantities.get(src.name)
            lines = _lines_for(steps, src.name, start=q is not None and q.kind == "z" and q.layer == top_z)
            edges.append(GraphEdge(src=src.symbol, dst=f.symbol, backward_lines=lines,
                                   backward_line=lines[-1] if lines else None,
                                   backward_code="\n".join(s.code for s in steps if s.line in lines),
                                   step=_grad_step(steps, src.name), label=_label(lines)))
    by_name = {n.name: n for n in nodes}
    z_of_layer = {q.layer: name for name, q in quantities.items() if q.kind == "z"}
    for layer in sorted({q.layer for q in params.values()}):
        target = by_name.get(z_of_layer.get(layer, ""))
        if target is None:
            continue
        group = [p for p, q in params.items() if q.layer == layer]
        for j, p in enumerate(sorted(group, key=lambda n: params[n].kind != "W")):
            x = target.x * WIDTH + (j - (len(group) - 1) / 2) * (PARAM_W + 8)
            g = _grad_step(steps, p)
            value = _value_of(report, p)
            h = _node_height(value)
            shape = steps[g].shapes.get(steps[g].writes, []) if g is not None else []
            nodes.append(GraphNode(
                id=p, label=params[p].symbol, name=p, kind="param", shape=list(shape),
                x=x / WIDTH, y=(TOP + param_h - h / 2) / height, step=g, value=value,
                grad=_grad_value(steps[g] if g is not None else None), width=PARAM_W / WIDTH,
                height=h / height, grad_symbols=_symbols(steps[g]) if g is not None else {}))
            lines = [steps[g].line] if g is not None and steps[g].line is not None else []
            edges.append(GraphEdge(src=p, dst=target.id, backward_lines=lines,
                                   backward_line=lines[-1] if lines else None,
                                   backward_code=steps[g].code if g is not None else "",
                                   step=g, label=_label(lines)))
    return Graph(nodes=nodes, edges=edges, width=WIDTH, height=round(height, 1))


def _symbols(step: Step) -> dict[str, str]:
    return {n: tb.symbol for n, tb in step.textbook.items() if tb.symbol}
