"""Which names each statement reads and writes; parameters, updates, the loss, slices."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np


def _root(node: ast.AST) -> Optional[str]:
    while isinstance(node, (ast.Subscript, ast.Attribute, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def writes(node: ast.stmt) -> list[str]:
    out: list[str] = []
    targets: list[ast.AST] = []
    for n in ast.walk(node):
        if isinstance(n, ast.Assign):
            targets += n.targets
        elif isinstance(n, (ast.AugAssign, ast.AnnAssign)):
            targets.append(n.target)
        elif isinstance(n, ast.For):
            targets.append(n.target)
        elif isinstance(n, ast.withitem) and n.optional_vars is not None:
            targets.append(n.optional_vars)
        elif isinstance(n, ast.Expr) and isinstance(n.value, ast.Call):
            # np.add.at(x, ...), x.fill(...), np.copyto(x, ...): in-place on x
            c = n.value
            if isinstance(c.func, ast.Attribute) and c.func.attr in ("at", "copyto", "fill", "sort",
                                                                    "append", "extend", "resize"):
                r = _root(c.args[0]) if c.func.attr in ("at", "copyto") and c.args else _root(c.func.value)
                if r:
                    out.append(r)
    for t in targets:
        for n in ast.walk(t):
            if isinstance(n, (ast.Name, ast.Subscript, ast.Attribute)):
                r = _root(n)
                if r and r not in out:
                    out.append(r)
    return out


def reads(node: ast.stmt) -> list[str]:
    out = []
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in out:
            out.append(n.id)
    if isinstance(node, ast.AugAssign):
        r = _root(node.target)
        if r and r not in out:
            out.append(r)
    return out


def is_float_array(v: Any) -> bool:
    return isinstance(v, np.ndarray) and v.dtype.kind == "f" and v.size > 0


def is_scalar(v: Any) -> bool:
    if isinstance(v, (float, np.floating)):
        return True
    return isinstance(v, np.ndarray) and v.dtype.kind == "f" and v.size == 1


@dataclass
class Flow:
    """Dataflow over the analysed iteration's records."""

    nodes: list  # the iteration's statements (ast), in order
    writer_cache: dict = field(default_factory=dict)

    def writer(self, k: int, name: str) -> Optional[int]:
        """Index of the latest record before ``k`` that wrote ``name`` (None: from before the iteration)."""
        key = (k, name)
        if key not in self.writer_cache:
            found = None
            for j in range(k - 1, -1, -1):
                if name in writes(self.nodes[j]):
                    found = j
                    break
            self.writer_cache[key] = found
        return self.writer_cache[key]

    def inputs(self, k: int) -> dict[str, Optional[int]]:
        return {n: self.writer(k, n) for n in reads(self.nodes[k])}

    def consumers(self, j: int) -> list[int]:
        out = []
        for k in range(j + 1, len(self.nodes)):
            if any(w == j for w in self.inputs(k).values()):
                out.append(k)
        return out

    def slice(self, seeds: list[tuple[int, str]]) -> set[int]:
        """Records that the given (record index, name) reads depend on, transitively."""
        seen: set[int] = set()
        stack = list(seeds)
        while stack:
            k, n = stack.pop()
            j = self.writer(k, n)
            if j is None or j in seen:
                continue
            seen.add(j)
            stack += [(j, r) for r in reads(self.nodes[j])]
        return seen


@dataclass
class Update:
    index: int
    param: str
    grad: Optional[str]


def find_updates(body, records, start: dict) -> list[Update]:
    """Update statements of the loop body whose target is a float array parameter."""
    from chainrule.check.locate import is_update

    assigned = set()
    for st in body:
        assigned |= set(writes(st.node))
    out = []
    for idx, st in enumerate(body):
        p = is_update(st.node)
        if p is None or st.internal or not is_float_array(start.get(p)):
            continue
        if any(p in writes(body[j].node) and not is_update(body[j].node) for j in range(idx)):
            continue  # written earlier in the iteration (dW += reg*W): a gradient, not a parameter
        node = st.node
        value = node.value if isinstance(node, ast.AugAssign) else node.value.right
        names = [n.id for n in ast.walk(value) if isinstance(n, ast.Name) and n.id != p]
        before = records[idx].before if idx < len(records) else {}
        if before:
            arrays = [n for n in names if isinstance(before.get(n), np.ndarray) and before[n].size > 1]
            if not arrays:  # a (1, 1) bias: its gradient is a 1-element array computed in the loop
                arrays = [n for n in names if n in assigned and isinstance(before.get(n), np.ndarray)
                          and before[n].size == start[p].size]
            same = [n for n in arrays if before[n].size == start[p].size]
            grad = (same or arrays or [None])[0]
        else:
            grad = ([n for n in names if n in assigned and not is_scalar(start.get(n))] or [None])[0]
        out.append(Update(idx, p, grad))
    return out
