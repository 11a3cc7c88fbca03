"""The recorded iteration as a graph: parameters, optimizer steps, loss, forward and backward parts.

* **Parameters** are the arrays the iteration updated (:mod:`.optim`); **optimizer state**
  (velocities, moments, caches) the arrays it moved that are not parameters; **data** every
  other array from before the iteration.
* The **loss** is the single number the iteration computed from the parameters that shares
  the most of its computation with what the updates are built from (not a validation loss,
  not an accuracy); ``None`` when the iteration computes none (the oracle infers one).
* **Forward** = everything the loss is computed from; **backward** = the rest of what the
  updates are built from; the optimizer's own nodes are kept apart.
* The **layout** is ``rows`` (``X @ W``, one example per row) or ``columns`` (``W @ A``,
  deeplearning.ai style), from the forward's matrix products.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from chainrule.check.graph.optim import Param, build_param, refine_names
from chainrule.check.record.run import Run
from chainrule.check.record.state import Node, upstream
from chainrule.check.record.traced import Traced

MATMULS = ("matmul", "dot")
REDUCTIONS = ("sum", "mean", "add.reduce", "dot", "matmul", "linalg.norm", "average", "nansum", "nanmean", "max",
              "amax", "maximum.reduce", "prod", "einsum", "vdot", "inner")


@dataclass
class Graph:
    run: Run
    lo: int
    hi: int
    nodes: list[Node]
    by_id: dict[int, Node]
    consumers: dict[int, list[Node]]
    params: list[Param]
    state_objs: set[int]
    names: dict[int, str]
    loss: Optional[Node] = None
    forward: set[int] = field(default_factory=set)
    backward: set[int] = field(default_factory=set)
    optimizer: set[int] = field(default_factory=set)
    needed: set[int] = field(default_factory=set)  # everything the updates are built from
    pdep: set[int] = field(default_factory=set)  # computed from the parameters (targets and masks of data are not)
    layout: str = "rows"
    failed: Optional[Node] = None
    numbers: dict[str, float] = field(default_factory=dict)  # the script's named numbers

    # ------------------------------------------------------------------ look-ups
    def is_input(self, n: Node) -> bool:
        """A value from before the iteration (or an array made in it from nothing: zeros, random)."""
        return n.is_leaf or n.id < self.lo

    def param_of(self, n: Node) -> Optional[Param]:
        return next((p for p in self.params if p.leaf.obj == n.obj and self.is_input(n)), None)

    def label(self, n: Node) -> str:
        """The learner's name for ``n``, or the source text that computed it."""
        name = self.names.get(n.id)
        if name:
            return name
        if n.site is not None:
            info = self.run.files.info(n.site.file)
            text = info.span(n.site.line, n.site.col, n.site.end_line, n.site.end_col)
            if text:
                return text
        return f"<{n.op}>"

    def ancestors(self, roots) -> set[int]:
        """Ids of the window's nodes that ``roots`` are computed from (inputs from before excluded)."""
        return {n.id for n in upstream(roots, self.lo) if n.id >= self.lo}

    def float_ancestors(self, roots) -> set[int]:
        """Like :meth:`ancestors`, through float values only: what a value is differentiably computed from."""
        def is_float(n: Node) -> bool:
            return isinstance(n.value, np.ndarray) and n.value.dtype.kind in "fc"
        return {n.id for n in upstream(roots, self.lo, is_float) if n.id >= self.lo and is_float(n)}

    def depends_on(self, n: Node, objs: set[int]) -> bool:
        return any(self.by_id[i].obj in objs for i in self.ancestors([n]) if i in self.by_id) or n.obj in objs


def build(run: Run) -> Graph:
    tr = run.tracer
    lo, hi = tr.window
    hi = hi or (run.nodes[-1].id if run.nodes else lo)
    nodes = [n for n in run.nodes if lo <= n.id <= hi]
    by_id = {n.id: n for n in nodes}
    consumers: dict[int, list[Node]] = {}
    for n in nodes:
        for m in _unique(n.inputs() + ([n.prev] if n.prev is not None else [])):
            consumers.setdefault(m.id, []).append(n)
    g = Graph(run, lo, hi, nodes, by_id, consumers, [], set(), {})
    g.failed = next((n for n in reversed(nodes) if n.error is not None), None)
    g.numbers = dict(tr.start_scan.numbers) if tr.start_scan else {}
    _names(g)
    _params(g)
    _regions(g)
    _layout(g)
    return g


def _unique(items: list[Node]) -> list[Node]:
    seen, out = set(), []
    for m in items:
        if id(m) not in seen:
            seen.add(id(m))
            out.append(m)
    return out


def _names(g: Graph) -> None:
    tr = g.run.tracer
    for b in tr.bindings:
        for text, n in b.targets:
            g.names.setdefault(n.id, text)
    paths = tr.start_scan.oid_paths() if tr.start_scan else {}
    updated = {u.param.obj for u in tr.updates}
    for n in g.nodes:
        if n.is_leaf and n.obj in paths and (n.obj in updated or n.id not in g.names):
            g.names[n.id] = paths[n.obj]  # parameters by their slot; data by the name the loop gave it


def _moved(g: Graph) -> set[int]:
    """Objects from before the iteration that the iteration changed (in place, or their slot rebound)."""
    tr = g.run.tracer
    out = {n.obj for n in g.nodes if n.prev is not None and n.birth < g.lo}
    if tr.start_scan and tr.end_scan:
        for p, a in tr.start_scan.arrays.items():
            b = tr.end_scan.arrays.get(p)
            if isinstance(a, Traced) and isinstance(b, Traced) and a is not b and b._cr_node is not None \
                    and not b._cr_node.stale and b._cr_node.id >= g.lo:
                anc = g.ancestors([b._cr_node])
                if any(g.by_id[i].obj == a._cr_oid for i in anc if i in g.by_id):
                    out.add(a._cr_oid)
    return out


def _reset(g: Graph) -> set[int]:
    """Arrays from before the iteration whose first change in it overwrites them whole (``p.grad[...] = 0``,
    ``grad.fill(0)``, ``grad *= 0``): gradient accumulators zeroed by ``zero_grad()``, never optimizer state."""
    out, seen = set(), set()
    for n in g.nodes:
        if n.prev is None or n.obj in seen or n.birth >= g.lo:
            continue
        seen.add(n.obj)
        whole = n.op == "setitem" and len(n.args) >= 3 and _whole(n.args[1]) and not (
            isinstance(n.args[2], Node) and np.size(n.args[2].value) > 1)
        zeroed = n.op == "multiply" and any(isinstance(x, (int, float)) and x == 0 for x in n.args)
        if whole or zeroed or n.op == "fill":
            out.add(n.obj)
    return out


def _whole(key) -> bool:
    keys = key if isinstance(key, tuple) else (key,)
    return all(k is Ellipsis or k == slice(None) for k in keys)


def _params(g: Graph) -> None:
    ups = g.run.tracer.updates
    param_objs = {u.param.obj for u in ups}
    shapes = {tuple(np.shape(u.param.value)) for u in ups}
    shape_of = {n.obj: tuple(np.shape(n.value)) for n in g.nodes if g.is_input(n) and n.value is not None}
    # optimizer state has its parameter's shape (a velocity, a cache): not the data shuffled in place
    g.state_objs = {o for o in _moved(g) - param_objs - _reset(g) if shape_of.get(o) in shapes}
    last: dict[int, object] = {}
    for u in ups:  # one parameter updated twice (weight decay, then the step): keep the last step
        last[u.param.obj] = u
    for u in last.values():
        p = build_param(u, g.lo, g.state_objs, param_objs)  # type: ignore[arg-type]
        p.name = u.path or g.names.get(p.leaf.id) or g.label(p.leaf)  # type: ignore[attr-defined]
        g.names.setdefault(p.leaf.id, p.name)
        g.params.append(p)
    refine_names(g.params, g.by_id)
    for p in g.params:
        g.optimizer |= p.region
        for n in [p.update.op, p.final]:
            g.optimizer.add(n.id)


def _pdep(g: Graph) -> None:
    params = {p.leaf.obj for p in g.params}
    for n in g.nodes:
        if (g.is_input(n) and n.obj in params) or any(m.id in g.pdep for m in n.inputs()) or \
                (n.prev is not None and n.prev.id in g.pdep):
            g.pdep.add(n.id)


def _regions(g: Graph) -> None:
    roots = [p.grad if p.grad is not None else p.step for p in g.params]
    if g.failed is not None:
        roots.append(g.failed)
    g.needed = g.ancestors([r for r in roots if r is not None]) - g.optimizer
    g.loss = find_loss(g)
    if g.loss is not None:
        g.forward = g.ancestors([g.loss]) - g.optimizer
    _pdep(g)
    g.backward = (g.needed - g.forward) & g.pdep  # the one-hot targets are data, not backward lines


def find_loss(g: Graph) -> Optional[Node]:
    """The iteration's loss (see the module docstring), or None."""
    params = {p.leaf.obj for p in g.params}
    after = {p.update.op.id for p in g.params} | {p.final.id for p in g.params}
    steps = g.ancestors([p.step for p in g.params])  # Adam's caches are single numbers too
    best, key = None, None
    for n in g.nodes:
        v = n.value
        if n.is_leaf or n.id in g.needed or n.id in g.optimizer or not isinstance(v, np.ndarray):
            continue
        if v.size != 1 or v.dtype.kind != "f" or n.id in steps:
            continue
        if g.ancestors([n]) & after:
            continue  # computed from updated parameters: the next iteration's loss
        anc = g.float_ancestors([n])  # an accuracy depends on the parameters only through comparisons
        if not _reduced(n):
            continue  # a loss sums or averages over the examples (not `dvalues[0]`)
        objs = {g.by_id[i].obj for i in anc if i in g.by_id}
        np_ = len(objs & params)
        if np_ == 0:
            continue
        k = (len(anc & g.needed), np_, n.id)
        if key is None or k > key:
            best, key = n, k
    if best is not None and key is not None and key[0] == 0 and g.params:
        return None  # shares nothing with the backward pass: not the loss it differentiates
    return best


def _reduced(n: Node) -> bool:
    """Is single number ``n`` a sum/mean/... of an array (through scalar arithmetic)?"""
    stack, seen = [n], set()
    while stack:
        m = stack.pop()
        if id(m) in seen:
            continue
        seen.add(id(m))
        ins = m.inputs()
        if m.op in REDUCTIONS and any(np.size(x.value) > 1 for x in ins):
            return True
        stack.extend(x for x in ins if np.size(x.value) == 1)
    return False


def _layout(g: Graph) -> None:
    rows = cols = 0
    params = {p.leaf.obj for p in g.params}
    for n in g.nodes:
        if n.op not in MATMULS or len(n.args) < 2 or not (n.id in g.forward or n.id in g.needed):
            continue
        a, b = n.args[0], n.args[1]
        if _is_param(b, params):
            rows += 1
        elif _is_param(a, params):
            cols += 1
    g.layout = "columns" if cols > rows else "rows"


def _is_param(x, params: set[int]) -> bool:
    while isinstance(x, Node) and x.op == "transpose" and x.args:
        x = x.args[0]
    return isinstance(x, Node) and x.obj in params
