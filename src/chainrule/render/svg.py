"""The computation graph as SVG, drawn from ``Report.graph`` (the layout is computed in Python once).

Forward edges are solid arrows; each backward edge is a dashed orange arc (under
the chain, or beside a parameter's arrow) labelled with the line that computes
that gradient.  Every node shows its symbol, the code's name, its full-size
shape and the tiny example's value; with ``links`` a node (and an arc) is a
link to its step card.  No scripts, no external fonts.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence

from chainrule.render.common import lines_text
from chainrule.render.latex import as_rows, fmt_shape
from chainrule.report import Graph, GraphEdge, GraphNode

FWD, BWD, INK, MUTED = "#57606a", "#b35900", "#1f2328", "#57606a"
FILL = {"data": "#eef1f4", "param": "#fff6df", "value": "#e7f1f8", "loss": "#e2f3ed"}
MONO = "ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace"
SANS = "system-ui, 'DejaVu Sans', Arial, sans-serif"


def _esc(text: object) -> str:
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _num(x) -> str:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return str(x)
    if x == 0:
        return "0"
    text = f"{x:.2g}" if abs(x) >= 0.01 else f"{x:.0e}".replace("e-0", "e-")
    return text.replace("-", "−")


def _box(g: Graph, n: GraphNode) -> tuple[float, float, float, float]:
    w, h = n.width * g.width, n.height * g.height
    return n.x * g.width - w / 2, n.y * g.height - h / 2, w, h


def _node(g: Graph, n: GraphNode, href: Optional[str], notation: str) -> str:
    x, y, w, h = _box(g, n)
    cx = x + w / 2
    rows = as_rows(n.value) if n.value is not None else []
    lines = [f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="8" '
             f'fill="{FILL.get(n.kind, "#fff")}" stroke="{FWD}" stroke-width="1.2"/>',
             f'<text x="{cx:.1f}" y="{y + 20:.1f}" font-family="{SANS}" font-size="18" '
             f'font-weight="700" text-anchor="middle" fill="{INK}">{_esc(n.label)}</text>',
             f'<text x="{cx:.1f}" y="{y + 36:.1f}" font-family="{MONO}" font-size="12" '
             f'text-anchor="middle" fill="{INK}">{_esc(n.name)}</text>',
             f'<text x="{cx:.1f}" y="{y + 51:.1f}" font-family="{SANS}" font-size="12" '
             f'text-anchor="middle" fill="{MUTED}">{_esc(fmt_shape(n.shape))}</text>']
    for r, row in enumerate(rows[:4]):
        cells = row[:4]
        text = " ".join(f"{_num(v):>6}" for v in cells) + (" …" if len(row) > 4 else "")
        lines.append(f'<text x="{cx:.1f}" y="{y + 70 + 17 * r:.1f}" font-family="{MONO}" '
                     f'font-size="12" text-anchor="middle" fill="{INK}" '
                     f'xml:space="preserve">{_esc(text)}</text>')
    grad = n.grad_symbols.get(notation) or (f"∂L/∂{n.label}" if n.step is not None else "")
    tip = f"{n.label}: {n.name}, shape {fmt_shape(n.shape)}" + (f"; its gradient {grad}" if grad else "")
    body = f"<title>{_esc(tip)}</title>" + "".join(lines)
    cls = f'class="cr-node" data-node="{_esc(n.id)}"'
    if href:
        return f'<a href="{_esc(href)}" {cls}>{body}</a>'
    return f"<g {cls}>{body}</g>"


def _arrow_marker(mid: str, colour: str) -> str:
    return (f'<marker id="{mid}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
            f'fill="{colour}"/></marker>')


def _edges(g: Graph, prefix: str, href_of: Callable[[Optional[int]], Optional[str]],
           cells: Sequence[tuple[int, int]] = ()) -> list[str]:
    nodes = {n.id: n for n in g.nodes}
    out = []
    for e in g.edges:
        a, b = nodes.get(e.src), nodes.get(e.dst)
        if a is None or b is None:
            continue
        ax, ay, aw, ah = _box(g, a)
        bx, by, bw, bh = _box(g, b)
        if a.kind == "param":  # down from the parameter into the node it feeds
            x1, y1, x2, y2 = ax + aw / 2, ay + ah, bx + bw / 2 + (ax + aw / 2 - bx - bw / 2) * 0.4, by
            out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2 - 2:.1f}" '
                       f'stroke="{FWD}" stroke-width="1.4" marker-end="url(#{prefix}-fa)"/>')
            if e.backward_lines:
                off = 12 if x1 >= x2 else -12
                path = f"M{x2 + off:.1f},{y2 - 2:.1f} L{x1 + off:.1f},{y1 + 3:.1f}"
                lx, ly = (x1 + x2) / 2 + off * 2.2, (y1 + y2) / 2
                out.append(_backward(path, e, lx, ly, prefix, href_of(e.step), cells))
            continue
        x1, y1, x2, y2 = ax + aw, ay + ah / 2, bx, by + bh / 2
        out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2 - 2:.1f}" y2="{y2:.1f}" '
                   f'stroke="{FWD}" stroke-width="1.4" marker-end="url(#{prefix}-fa)"/>')
        if e.backward_lines:
            # from under the later node back to under the earlier one (past P when P→L has no line)
            later = b
            nxt = [f for f in g.edges if f.src == b.id and nodes.get(f.dst) is not None
                   and nodes[f.dst].kind != "param" and not f.backward_lines]
            if nxt:
                later = nodes[nxt[0].dst]
            lx0, ly0, lw, lh = _box(g, later)
            sx, sy = lx0 + lw / 2, ly0 + lh
            ex, ey = ax + aw / 2, ay + ah
            depth = max(sy, ey) + 34 + (12 if later is not b else 0)
            path = (f"M{sx:.1f},{sy + 2:.1f} C{sx:.1f},{depth:.1f} {ex:.1f},{depth:.1f} "
                    f"{ex:.1f},{ey + 3:.1f}")
            out.append(_backward(path, e, (sx + ex) / 2, depth - 6, prefix, href_of(e.step), cells))
    return out


def _backward(path: str, e: GraphEdge, lx: float, ly: float, prefix: str, href: Optional[str],
              cells: Sequence[tuple[int, int]] = ()) -> str:
    label = lines_text(e.backward_lines, cells) if cells and e.backward_lines else e.label or ""
    w = 7.6 * len(label) + 14
    body = (f"<title>{_esc(e.backward_code or label)}</title>"
            f'<path d="{path}" fill="none" stroke="{BWD}" stroke-width="1.6" stroke-dasharray="5 4" '
            f'marker-end="url(#{prefix}-ba)"/>'
            f'<rect x="{lx - w / 2:.1f}" y="{ly - 11:.1f}" width="{w:.1f}" height="19" rx="9" '
            f'fill="#fff" stroke="{BWD}" stroke-width="1"/>'
            f'<text x="{lx:.1f}" y="{ly + 3:.1f}" font-family="{SANS}" font-size="12.5" '
            f'text-anchor="middle" fill="{BWD}">{_esc(label)}</text>')
    if href:
        return f'<a href="{_esc(href)}" class="cr-edge">{body}</a>'
    return f'<g class="cr-edge">{body}</g>'


def graph_svg(g: Graph, notation: str = "code", prefix: str = "cr",
              href_of: Optional[Callable[[GraphNode], Optional[str]]] = None,
              step_href: Optional[Callable[[Optional[int]], Optional[str]]] = None,
              title: str = "The computation graph", standalone: bool = False,
              cells: Sequence[tuple[int, int]] = ()) -> str:
    """The graph as one ``<svg>`` element (scaled by CSS; its viewBox keeps the proportions).

    ``href_of(node)`` / ``step_href(step index)`` give link targets (``None``: no links);
    ``standalone`` adds the SVG namespace (a file or a data URL; inline in HTML5 it is implied);
    ``cells``: a notebook's cells, so that the backward labels read "cell 5: 10".
    """
    def no_link(_):
        return None

    href_of = href_of or no_link
    step_href = step_href or no_link
    xmlns = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    parts = [f'<svg{xmlns} class="cr-graph" role="img" '
             f'viewBox="0 0 {g.width:.0f} {g.height:.0f}" width="{g.width:.0f}" '
             f'height="{g.height:.0f}" aria-labelledby="{prefix}-graph-title">'
             f'<title id="{prefix}-graph-title">{_esc(title)}</title>'
             f"<defs>{_arrow_marker(prefix + '-fa', FWD)}{_arrow_marker(prefix + '-ba', BWD)}</defs>"]
    parts += _edges(g, prefix, step_href, cells)
    parts += [_node(g, n, href_of(n), notation) for n in g.nodes]
    parts.append("</svg>")
    return "".join(parts)
