"""The computation graph the page draws: ``Report.graph``, laid out for the page's canvas.

Both analyses fill ``Report.graph`` (``chainrule explain`` for the built-in network, the
checker for a script).  Its layout (node centres ``x``/``y`` in 0..1 of ``width``/``height``,
box sizes in the same units) is kept when its boxes do not overlap; otherwise (a layout
without box sizes, parameters piled in one column) :func:`layered` places the nodes again:
the values left to right by their depth along the edges, each parameter above the node it
feeds, nodes that share a column stacked below the main row.  :func:`graph_dict` adds what
the animation needs: each node's gradient as the backward lines leave it, and its symbol as
plain text.
"""

from __future__ import annotations

import re
from dataclasses import asdict, replace
from typing import Any

from chainrule.cells import line_label
from chainrule.render.latex import latex_to_unicode
from chainrule.report import Graph, GraphNode, Report
from chainrule.serve.symbols import as_array, param_symbol, split_values

BOX_W, BOX_H = 112.0, 60.0  # a node's box on the page, in CSS pixels (graph.js draws the same)


def node_text(n: GraphNode) -> str:
    """The node's symbol as plain text: ``\\ell`` → ℓ, ``L_{\\text{data}}`` → L_data, ``W_{2}`` → W₂."""
    label = param_symbol(n.name) if n.kind == "param" and n.label == n.name else n.label
    s = label.replace(r"\ell", "ℓ")
    s = re.sub(r"_\{\\text\{(\w+)\}\}", r"_\1", s)
    s = re.sub(r"\\(?:text|texttt|mathrm)\{([^{}]*)\}", r"\1", s).replace(r"\_", "_")
    return latex_to_unicode(s) if "\\" in s or "_{" in s or re.search(r"_\d", s) else s


def _boxes(g: Graph) -> list[tuple[float, float, float, float]]:
    W, H = g.width or 1200.0, g.height or 520.0
    out = []
    for n in g.nodes:
        w = n.width * W if n.width else BOX_W
        h = n.height * H if n.height else BOX_H
        out.append((n.x * W - w / 2, n.y * H - h / 2, w, h))
    return out


def overlaps(g: Graph) -> bool:
    """Do two of the graph's boxes overlap (or one leave the picture)?"""
    b = _boxes(g)
    W, H = g.width or 1200.0, g.height or 520.0
    if any(x < -1 or y < -1 or x + w > W + 1 or y + h > H + 1 for x, y, w, h in b):
        return True
    return any(x1 < x2 + w2 and x2 < x1 + w1 and y1 < y2 + h2 and y2 < y1 + h1
               for i, (x1, y1, w1, h1) in enumerate(b) for (x2, y2, w2, h2) in b[i + 1:])


def _depths(g: Graph, params: set[str]) -> dict[str, int]:
    """Longest path from a source along the edges, parameters left out (they sit above)."""
    into: dict[str, list[str]] = {n.id: [] for n in g.nodes}
    for e in g.edges:
        if e.src not in params and e.src in into and e.dst in into:
            into[e.dst].append(e.src)
    depth: dict[str, int] = {}

    def visit(i: str, path: frozenset) -> int:
        if i not in depth:
            depth[i] = 0 if i in path else 1 + max((visit(s, path | {i}) for s in into[i]), default=-1)
        return depth[i]

    for n in g.nodes:
        visit(n.id, frozenset())
    linked = {e.src for e in g.edges} | {e.dst for e in g.edges}
    last = max((depth[n.id] for n in g.nodes if n.id in linked and n.id not in params), default=0)
    for n in g.nodes:  # nodes no edge reaches (a loss the graph does not join up): at the end
        if n.id not in linked and n.id not in params:
            last += 1
            depth[n.id] = last
    return depth


def layered(g: Graph) -> Graph:
    """The graph placed again (see the module docstring); sizes in CSS pixels of a wide canvas."""
    params = {n.id for n in g.nodes if n.kind == "param"}
    depth = _depths(g, params)
    values = [n for n in g.nodes if n.id not in params]
    cols = max((depth[n.id] for n in values), default=0) + 1
    stack: dict[int, int] = {}
    row_of: dict[str, int] = {}
    for n in values:
        row_of[n.id] = stack.get(depth[n.id], 0)
        stack[depth[n.id]] = row_of[n.id] + 1
    rows = 1 + max(stack.values(), default=1)  # the parameters' row, then the values' rows
    gap = 28.0
    width = max(cols * (BOX_W + gap), 4 * (BOX_W + gap))
    height = rows * (BOX_H + gap)
    x_of = {n.id: (depth[n.id] + 0.5) * width / cols for n in values}
    want: list[tuple[float, GraphNode]] = []
    feeds = {e.src: e.dst for e in reversed(g.edges) if e.src in params}
    per_user: dict[str, int] = {}
    for n in g.nodes:
        if n.id in params:
            user = feeds.get(n.id)
            k = per_user.get(user, 0)
            per_user[user] = k + 1
            base = x_of.get(user, width / 2) if user else width / 2
            want.append((base - (BOX_W + gap) / 2 + k * (BOX_W + gap) / 2, n))
    placed = _spread(sorted(want, key=lambda t: t[0]), width)
    nodes = []
    for n in g.nodes:
        if n.id in params:
            cx, cy = placed[n.id], 0.5 * (BOX_H + gap)
        else:
            cx, cy = x_of[n.id], (1.5 + row_of[n.id]) * (BOX_H + gap)
        nodes.append(replace(n, x=cx / width, y=cy / height, width=BOX_W / width, height=BOX_H / height))
    return Graph(nodes=nodes, edges=list(g.edges), width=width, height=height)


def _spread(want: list[tuple[float, GraphNode]], width: float) -> dict[str, float]:
    """Centres for the top row, in the wanted order, no two boxes overlapping, inside the width."""
    step = BOX_W + 8.0
    xs = []
    for x, _ in want:
        xs.append(max(x, BOX_W / 2 + 4, (xs[-1] + step) if xs else 0.0))
    over = (xs[-1] + BOX_W / 2 + 4 - width) if xs else 0.0
    if over > 0:  # pushed out on the right: slide the row back, keeping the gaps
        xs = [x - over for x in xs]
        for i in range(len(xs) - 2, -1, -1):
            xs[i] = min(xs[i], xs[i + 1] - step)
    return {n.id: x for x, (_, n) in zip(xs, want)}


def page_graph(report: Report) -> Graph:
    """``Report.graph`` as the page draws it: laid out again when its boxes overlap."""
    g = report.graph or Graph()
    return layered(g) if g.nodes and overlaps(g) else g


def graph_dict(report: Report) -> dict[str, Any]:
    """The graph as plain data, with each node's gradient history for the animation."""
    g = page_graph(report)
    out = asdict(g)
    grads: dict[str, list[dict[str, Any]]] = {n.name: [] for n in g.nodes}  # steps name the code's variable
    for k, s in enumerate(report.steps):
        _, _, after = split_values(s)
        if s.gradient_of in grads and s.holds in ("gradient", "scaled") and after is not None:
            grads[s.gradient_of].append({"step": k, "holds": s.holds, "data": as_array(after).tolist()})
    for n, d in zip(g.nodes, out["nodes"]):
        d["grads"] = grads.get(n.name, [])
        d["text"] = node_text(n)
    for e, d in zip(g.edges, out["edges"]):  # a notebook's line by its cell: "cell 5, line 10"
        if e.backward_line is not None:
            d["where"] = line_label(e.backward_line, report.cells)
    return out
