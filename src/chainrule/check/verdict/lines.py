"""The backward and update lines of the iteration: one :class:`Line` per statement execution.

A statement that ran once gives one line; a line of a helper called for every layer
(``linear_backward``) gives one per call.  Each line knows the node it wrote (what its
target holds afterwards), the backward lines it read and the lines that read it.  The values
judged are float64: the script's own, or — for float32/float16 scripts — its backward
pass replayed in float64 from the oracle's forward values, so that rounding is never
mistaken for a wrong formula.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

from chainrule.check.graph import Graph, Param
from chainrule.check.oracle.replay import Unreplayable, replay
from chainrule.check.record.state import Node
from chainrule.check.verdict.match import Candidate, Match


@dataclass(eq=False)
class Line:
    file: str
    line: int  # first line of the statement
    execution: int
    call: int
    code: str
    writes: str
    node: Optional[Node]
    nodes: list[Node]
    kind: str  # backward | update | optimizer | alias | error
    param: Optional[Param] = None
    verdict: str = "intermediate"
    gradient_of: Optional[str] = None
    factor: Optional[float] = None
    rel_error: Optional[float] = None
    message: str = ""
    ok: bool = True
    match: Optional[Match] = None
    closest: Optional[Match] = None
    aim: Optional[Candidate] = None  # what it must hold (a parameter's gradient, fed to the optimizer)
    inputs: list["Line"] = field(default_factory=list)
    consumers: list["Line"] = field(default_factory=list)
    value: Any = None  # the value judged (float64)
    suspect: bool = False
    clock: int = 0  # an alias: when it handed its array on
    floor: float = 0.0  # below this size, the value and the gradient are both rounding noise of a zero
    formula_keys: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def order(self) -> int:
        return self.node.id if self.node is not None else (self.nodes[-1].id if self.nodes else 0)


def _exe(n: Node, files=None) -> tuple:
    """(file, execution, column of the statement): one statement execution (``a; b`` on one line are two)."""
    if n.site is None:
        return ("", 0, 0)
    col = 0
    if files is not None:
        st = files.info(n.site.file).statement(n.site.line, n.site.col)
        col = st.col_offset if st is not None and st.lineno == n.site.line else 0
    return (n.site.file, n.site.execution, col)


def build_lines(g: Graph, values64: dict[int, Any]) -> list[Line]:
    """Every statement execution that computed part of the backward pass or an update."""
    run = g.run
    binds = {(b.file, b.execution, b.col): b for b in run.tracer.bindings}
    exes: dict[tuple, list[Node]] = {}
    wanted = g.backward | g.optimizer | ({g.failed.id} if g.failed is not None else set())
    for n in g.nodes:
        if n.id in wanted and n.site is not None:
            exes.setdefault(_exe(n, run.files), []).append(n)
    updates: dict[tuple, list] = {}
    for p in g.params:
        updates.setdefault(_exe(p.update.op, run.files), []).append(p)
    named = {n.id: t for b in run.tracer.bindings for t, n in b.targets}
    lines: list[Line] = []
    for key, nodes in exes.items():
        file = key[0]
        info = run.files.info(file)
        first = nodes[0].site
        st = info.statement(first.line, first.col)
        lineno = st.lineno if st is not None else first.line
        code = info.source(st) if st is not None and not _compound(st) else info.statement_text(lineno)
        ps = updates.get(key, [])
        if any(n.error is not None for n in nodes):
            node = next(n for n in nodes if n.error is not None)
            parts = [(node, "error", ps[0] if ps else None, named.get(node.id) or _target_text(st, info) or g.label(node))]
        elif ps:  # `self.weights = [w - eta * nw for ...]`: one update line per parameter
            parts = [(p.final, "update", p, p.name) for p in ps]
        else:
            kind = "optimizer" if any(n.id in g.optimizer for n in nodes) and \
                not any(n.id in g.backward for n in nodes) else "backward"
            b = binds.get(key)
            bound = [(m, t) for t, m in b.targets if m in nodes] if b is not None else []
            sinks = _sinks(nodes)
            if len(sinks) > 1:  # a list built in one line: one line per array
                parts = [(m, kind, None, named.get(m.id) or g.label(m)) for m in sinks]
            elif bound:
                parts = [(bound[0][0], kind, None, bound[0][1])]
            else:
                node = nodes[-1]
                parts = [(node, kind, None, named.get(node.id) or _target_text(st, info) or g.label(node))]
        for node, kind, p, writes in parts:
            own = _within(node, nodes) if len(parts) > 1 else nodes
            L = Line(file, lineno, key[1], first.frame, code, writes, node, own, kind, p)
            L.value = _value(node, values64)
            lines.append(L)
    lines += _aliases(g, binds, exes)
    lines.sort(key=lambda L: (L.order, L.execution))
    _link(lines)
    return lines


def _sinks(nodes: list[Node]) -> list[Node]:
    """Float arrays of the group that no other node of the group uses."""
    used = {m.id for n in nodes for m in n.inputs()} | {n.prev.id for n in nodes if n.prev is not None}
    return [n for n in nodes if n.id not in used and isinstance(n.value, np.ndarray) and n.value.dtype.kind == "f"]


def _within(node: Node, nodes: list[Node]) -> list[Node]:
    ids = {n.id for n in nodes}
    out, stack, seen = [], [node], set()
    while stack:
        n = stack.pop()
        if n.id in seen or n.id not in ids:
            continue
        seen.add(n.id)
        out.append(n)
        stack.extend(n.inputs())
    return sorted(out, key=lambda n: n.id)


def _compound(st: ast.stmt) -> bool:
    return any(isinstance(getattr(st, k, None), list) and getattr(st, k) and isinstance(getattr(st, k)[0], ast.stmt)
               for k in ("body", "orelse"))


def _target_text(st: Optional[ast.stmt], info) -> str:
    if isinstance(st, ast.Assign) and st.targets:
        return info.source(st.targets[0])
    if isinstance(st, (ast.AugAssign, ast.AnnAssign)):
        t = st.target
        return info.source(t.value if isinstance(t, ast.Subscript) else t)
    if isinstance(st, ast.Return) and st.value is not None:
        return "the returned value"
    return ""


def _aliases(g: Graph, binds: dict, exes: dict) -> list[Line]:
    """``dscores = probs``: a statement that only gives a second name to an array the backward uses.

    Also ``return x`` of a helper called by the backward pass (``nonlin(l1, deriv=True)``): it hands a
    forward value to the backward lines as a factor.
    """
    out = []
    run = g.run
    first = min((n.site.execution for n in g.nodes if n.id in g.backward and n.site), default=0)
    for file, lineno, execution, call in run.tracer.executed:
        if any(k[0] == file and k[1] == execution for k in exes):
            continue
        info = run.files.info(file)
        st = info.statement(lineno)
        if not (isinstance(st, ast.Assign) and isinstance(st.value, ast.Name) and len(st.targets) == 1
                or isinstance(st, ast.Return) and isinstance(st.value, ast.Name)):
            continue
        b = binds.get((file, execution, st.col_offset))
        if b is None or not b.targets:
            continue
        text, node = b.targets[0]
        later_edit = any(n.prev is not None and n.obj == node.obj and n.id > node.id and n.id in g.backward
                         for n in g.nodes)
        handed = isinstance(st, ast.Return) and execution > first and any(
            c.id in g.backward for c in g.consumers.get(node.id, []))
        if node.id not in g.backward and not later_edit and not handed:
            continue  # `self.inputs = inputs`: a name for a forward value, not a step of the backward pass
        writes = "the returned value" if isinstance(st, ast.Return) else text
        L = Line(file, lineno, execution, call, info.statement_text(lineno), writes, node, [], "alias")
        L.note = info.source(st.value)
        L.value = np.asarray(node.value, dtype=float) if isinstance(node.value, np.ndarray) else None
        L.clock = b.clock
        out.append(L)
    return out


def _users(g: Graph, node: Node) -> list[Node]:
    return [c for c in g.consumers.get(node.id, []) if c.id in g.needed]


def _value(n: Optional[Node], values64: dict[int, Any]) -> Any:
    if n is None:
        return None
    v = values64.get(n.id)
    if v is None:
        v = n.value
    return np.asarray(v, dtype=float) if isinstance(v, np.ndarray) and v.dtype.kind in "fiub" else v


def _link(lines: list[Line]) -> None:
    for L in lines:  # an alias hands its array to the lines that read it
        if L.kind == "alias" and L.node is not None:
            for M in lines:
                if M.kind != "alias" and any(L.node in n.inputs() and n.id > L.clock for n in M.nodes):
                    L.consumers.append(M)
    owner: dict[int, Line] = {}
    for L in lines:
        if L.kind == "alias":
            continue
        for n in L.nodes:
            owner[n.id] = L
    for L in lines:
        if L.kind == "alias":
            continue
        own = {n.id for n in L.nodes}
        for n in L.nodes:
            for m in n.inputs() + ([n.prev] if n.prev is not None else []):
                if m.id in own:
                    continue
                src = owner.get(m.id)
                if src is not None and src is not L and src not in L.inputs:
                    L.inputs.append(src)
                    src.consumers.append(L)


def backward64(g: Graph, truth_values: dict[int, Any]) -> dict[int, Any]:
    """The backward pass and the updates replayed in float64 (only for scripts with low-precision floats)."""
    low = any(isinstance(n.value, np.ndarray) and n.value.dtype.kind == "f" and n.value.dtype.itemsize < 8
              for n in g.nodes if n.id in g.forward or g.is_input(n))
    if not low:
        return {}
    env = dict(truth_values)
    order = [n for n in g.nodes if (n.id in g.backward or n.id in g.optimizer) and n.id not in env]
    try:
        with np.errstate(all="ignore"):
            replay(order, np, env, is_input=g.is_input)
    except Unreplayable:
        pass
    return env
