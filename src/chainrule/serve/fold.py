"""Per-example loops folded: the page steps through one example's lines, not the same lines ten times.

Nielsen's ``network.py`` runs ``backprop(x, y)`` once per example of the mini-batch, so the
checker's Report (one entry per statement *execution*) holds the same fifteen lines ten times.
:func:`repeats` finds such blocks — consecutive runs of the same statements writing the same
names, for the same gradients, with the same shapes (a loop over *layers* differs: other
parameters, other shapes) — and the page keeps the first run of each, with a note saying how
often it runs.  :func:`canonical_nodes` does the same for the graph: a node computed like an
earlier one (same kind, name, shape, from the same sources) is that node.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from chainrule.report import Graph, Report, Step

MAX_STEPS = 3000  # longer Reports are shown as they are
MAX_PERIOD = 300  # statements in one repeated block, at most


def _key(s: Step, params: set) -> tuple:
    """What must repeat: the statement, what it writes, its shapes, and which parameter's gradient it is
    (an example's ∂L/∂z is no parameter's: the same for every example; a layer's dW is its own)."""
    grad = s.gradient_of if s.gradient_of in params else None
    return (s.code, s.writes, grad, tuple(sorted(tuple(v) for v in s.shapes.values())))


def repeats(report: Report) -> tuple[set[int], dict[int, tuple[int, int]]]:
    """``(hidden step indices, {first index of a kept block: (how many times it ran, its length)})``."""
    params = {s.writes for s in report.steps if s.holds == "update"}
    keys = [_key(s, params) for s in report.steps]
    n = len(keys)
    hidden: set[int] = set()
    runs: dict[int, tuple[int, int]] = {}
    if n > MAX_STEPS:
        return hidden, runs
    a = 0
    while a < n:
        best = (0, 0)  # (steps covered by the repeats, period)
        for p in range(1, min(MAX_PERIOD, (n - a) // 2) + 1):
            if keys[a + p] != keys[a]:
                continue
            r = 1
            while a + (r + 1) * p <= n and keys[a + r * p:a + (r + 1) * p] == keys[a:a + p]:
                r += 1
            if r >= 2 and (r - 1) * p > best[0]:
                best = ((r - 1) * p, p)
        if best[0]:
            covered, p = best
            hidden.update(range(a + p, a + p + covered))
            runs[a] = (covered // p + 1, p)
            a += p + covered
        else:
            a += 1
    return hidden, runs


def forward_kept(report: Report, folded: bool) -> list[int]:
    """Indices of the forward items to show: each (code, shape) once when the steps were folded."""
    if not folded:
        return list(range(len(report.forward)))
    seen, out = set(), []
    for i, f in enumerate(report.forward):
        key = (f.code, tuple(f.shape))
        if key not in seen:
            seen.add(key)
            out.append(i)
    return out


def canonical_nodes(g: Graph) -> Graph:
    """The graph with nodes computed like an earlier node merged into it (see the module docstring)."""
    into: dict[str, list[str]] = {n.id: [] for n in g.nodes}
    for e in g.edges:
        if e.dst in into:
            into[e.dst].append(e.src)
    canon: dict[str, str] = {}
    seen: dict[Any, str] = {}

    def of(i: str, path: frozenset = frozenset()) -> str:
        if i in canon:
            return canon[i]
        n = by_id[i]
        srcs = frozenset(of(s, path | {i}) for s in into.get(i, []) if s in by_id and s not in path)
        key = (n.kind, n.name if n.kind != "data" else "", tuple(n.shape), srcs)  # each example's x is data
        canon[i] = seen.setdefault(key, i)
        return canon[i]

    by_id = {n.id: n for n in g.nodes}
    for n in g.nodes:
        of(n.id)
    if len(set(canon.values())) == len(g.nodes):
        return g
    nodes = [n for n in g.nodes if canon[n.id] == n.id]
    edges, pairs = [], set()
    for e in g.edges:
        pair = (canon.get(e.src, e.src), canon.get(e.dst, e.dst))
        if pair not in pairs and pair[0] != pair[1]:
            pairs.add(pair)
            edges.append(replace(e, src=pair[0], dst=pair[1]))
    return Graph(nodes=nodes, edges=edges, width=g.width, height=g.height)
