"""The parameter updates of the iteration, judged as optimizer steps, and the gradient each one uses.

An update (found by the tracer) is ``new = P ± S``.  Walking back from the step ``S``
through the *optimizer's own statements* — the update line and every statement that reads
optimizer state (a velocity, Adam's moments, RMSProp's cache: arrays from before the
iteration that the iteration moves but the forward pass never reads) — ends at the array
the optimizer was fed: the gradient ``G`` the script computed for ``P`` (``dW`` in
``W -= lr * dW``, also behind ``v = mu*v - lr*dW; W += v`` or Adam).  When the gradient is
written inside the update line itself (``W -= lr * X.T @ dZ / m``) there is no such array
and the step itself is judged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from chainrule.check.record.state import Node, upstream
from chainrule.check.graph.clip import unclip, unscale
from chainrule.check.record.tracer import Update


@dataclass(eq=False)
class Param:
    name: str  # the learner's slot: "W2", 'parameters["W1"]', "self.weights[0]"
    leaf: Node  # its value at the start of the iteration (what the forward pass reads)
    update: Update
    step: Node  # S in new = P ± S
    sign: int  # +1 for P + S, -1 for P - S
    grad: Optional[Node]  # G: the gradient array fed to the optimizer (None: written inline)
    state: list[Node] = field(default_factory=list)  # optimizer state leaves read by the step
    optimizer: str = "gd"  # gd | momentum | nesterov | adagrad | rmsprop | adam | other
    region: set = field(default_factory=set)  # ids of the optimizer's nodes for this parameter
    clip: Optional[tuple[float, float]] = None  # gradient clipping by value: the gradient fed is clip(G, lo, hi)
    rescale: Optional[float] = None  # gradient clipping by norm: the gradient fed is f·G, 0 < f ≤ 1, f from G's norm

    @property
    def final(self) -> Node:
        return self.update.final or self.update.op


def first_version(n: Node, lo: int) -> Node:
    """The version of ``n``'s array at the start of the window."""
    while n.prev is not None and n.prev.id >= lo:
        n = n.prev
    if n.prev is not None and n.op not in ("leaf", "const"):
        return n.prev
    return n


def _exe(n: Node):
    return (n.site.file, n.site.execution) if n.site else None


def build_param(u: Update, lo: int, state_objs: set[int], param_objs: set[int]) -> Param:
    leaf = first_version(u.param, lo)
    op = u.op
    sign = -1 if op.op == "subtract" else 1
    step = u.grad
    # the optimizer's statements: the update's own, and those that read optimizer state
    region: set[int] = set()
    state: list[Node] = []
    opt_exes = {_exe(op)}
    stack = [step]
    frontier: list[Node] = []
    seen: set[int] = set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if n.is_leaf or n.id < lo:
            if n.obj in state_objs and n.obj not in param_objs:
                state.append(n)
            continue
        if _exe(n) in opt_exes or _reads_state(n, state_objs, lo):
            opt_exes.add(_exe(n))
            region.add(n.id)
            stack.extend(n.inputs())
            if n.prev is not None and n.prev.obj in state_objs:
                stack.append(n.prev)
        else:
            frontier.append(n)
    grads = _distinct(frontier)
    grad = grads[0] if len(grads) == 1 else None
    if grad is None and len(grads) > 1:
        grad = _dominator(step, lo, _exe(op), leaf)  # Adam's m̂ and v̂ both come from dW
    if grad is not None:
        grad = _empty_state(grad, lo)
    clip = rescale = None
    if grad is not None:
        grad, clip, clips = unclip(grad, lo)
        region |= clips
        grad, rescale, scales = unscale(grad, lo)
        region |= scales
    widened = op.value is not None and np.shape(op.value) != np.shape(leaf.value)
    if grad is not None and op.error is None and not widened and not _fits(grad, leaf):
        grad = None  # e.g. `syn0 += l0.T.dot(l1_delta)`: the gradient is computed inside the update line
    if grad is not None:  # the optimizer = what the step is made of, beyond the gradient it is fed
        region |= _anc(step, lo) - _anc(grad, lo) - {grad.id}
        if not state:  # state made (as zeros) in this iteration: the first step of Adam or momentum
            state = _fresh_state(step, region, leaf)
    p = Param("", leaf, u, step, sign, grad, state, region=region, clip=clip,
              rescale=rescale if grad is not None else None)
    p.optimizer = _name(p, region, state)
    return p


def _anc(n: Node, lo: int) -> set[int]:
    return {m.id for m in upstream([n], lo, lambda m: not m.is_leaf) if m.id >= lo and not m.is_leaf}


def _dominator(step: Node, lo: int, update_exe, leaf: Node) -> Optional[Node]:
    """The latest array every path to the step goes through (outside the update line), of the parameter's shape."""
    anc: list[Node] = []
    seen: set[int] = set()
    stack = [step]
    while stack:
        n = stack.pop()
        if id(n) in seen or n.id < lo or n.is_leaf:
            continue
        seen.add(id(n))
        anc.append(n)
        stack.extend(n.inputs())
    for d in sorted(anc, key=lambda n: -n.id):
        if d is step or _exe(d) == update_exe or not _fits(d, leaf):
            continue
        if _dominates(d, step, lo, leaf):
            return d
    return None


def _dominates(d: Node, step: Node, lo: int, leaf: Optional[Node] = None) -> bool:
    """Does every path from an array of before the iteration to ``step`` pass through ``d``?

    The parameter itself may be read around ``d`` (AdamW's decoupled ``+ wd * p``)."""
    stack, seen = [step], set()
    while stack:
        n = stack.pop()
        if n is d or id(n) in seen:
            continue
        seen.add(id(n))
        if n.id < lo or n.is_leaf:
            if leaf is not None and n.obj == leaf.obj:
                continue
            if n.value is not None and np.size(n.value) > 1 and n.op != "const":
                return False  # reached an input array (a parameter, the data) around d
            continue
        stack.extend(n.inputs())
    return True


def _empty_state(g: Node, lo: int) -> Node:
    """``v = mu * v - lr * dW`` with a fresh zero ``v`` (the first iteration of momentum): the gradient is dW."""
    n = g
    changed = False
    while n.op in ("add", "subtract") and len(n.args) == 2:
        zero = [x for x in n.args if isinstance(x, Node) and _fresh_zero(x, lo)]
        rest = [x for x in n.args if isinstance(x, Node) and x not in zero]
        if len(zero) != 1 or len(rest) != 1:
            break
        stmt = _exe(n)
        n, changed = rest[0], True
        # `- lr * dW` in the optimizer's own line; a `/ len(x)` in the line that made dW is the gradient's
        while n.op in ("multiply", "divide", "negative") and _exe(n) == stmt:
            arrays = [x for x in n.args if isinstance(x, Node) and np.size(x.value) > 1]
            if len(arrays) != 1:
                break
            n = arrays[0]
    return n if changed else g


def _fresh_zero(x: Node, lo: int) -> bool:
    """A value that is all zeros and made from optimizer state created in this iteration (zeros_like)."""
    if x.value is None or np.any(x.value):
        return False
    stack, seen = [x], set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if n.op == "const" and n.kwargs.get("made_by") in ZEROS:
            return True
        stack.extend(m for m in n.inputs() if m.id >= lo or m.op == "const")
    return False


ZEROS = ("zeros", "zeros_like", "full", "full_like", "empty_like")


def _fresh_state(step: Node, region: set[int], leaf: Node) -> list[Node]:
    """Zero arrays of the parameter's shape made in this iteration that the optimizer's own nodes read."""
    out: list[Node] = []
    for n in upstream([step], 0, lambda m: m.id in region):
        if n.op == "const" and n.kwargs.get("made_by") in ZEROS and np.shape(n.value) == np.shape(leaf.value) \
                and not np.any(n.value) and all(m.obj != n.obj for m in out):
            out.append(n)
    return out


def _fits(g: Node, p: Node) -> bool:
    gs, ps = tuple(np.shape(g.value)), tuple(np.shape(p.value))
    if gs == ps or np.size(g.value) == np.size(p.value):
        return True
    try:
        return np.broadcast_shapes(gs, ps) == ps
    except ValueError:
        return False


def _reads_state(n: Node, state_objs: set[int], lo: int) -> bool:
    stack, seen = [n], set()
    while stack:
        m = stack.pop()
        if m.obj in state_objs:
            return True
        if m.id < lo or id(m) in seen or m.is_leaf:
            continue
        seen.add(id(m))
        stack.extend(m.inputs())
    return False


def _distinct(nodes: list[Node]) -> list[Node]:
    out: list[Node] = []
    for n in nodes:
        if n.value is None or getattr(n.value, "dtype", None) is None or n.value.dtype.kind != "f":
            continue
        if n.value.ndim == 0 and n.value.size == 1 and not _depends_on_forward(n):
            continue  # a scalar: the learning rate or a bias-correction factor
        if all(m is not n for m in out):
            out.append(n)
    return out


def _depends_on_forward(n: Node) -> bool:
    return any(not m.is_leaf for m in n.inputs())


def _name(p: Param, region: set[int], state: list[Node]) -> str:
    return "gd" if not state else "other"  # refined by refine_names once all nodes are known


def refine_names(params: list[Param], nodes_by_id: dict[int, Node]) -> None:
    """momentum / nesterov / adagrad / rmsprop / adam from the operations in each region."""
    for p in params:
        if not p.state:
            continue
        ops = {nodes_by_id[i].op for i in p.region if i in nodes_by_id}
        roots = "sqrt" in ops or "power" in ops and any(
            nodes_by_id[i].op == "power" and 0 < _exponent(nodes_by_id[i]) < 1 for i in p.region if i in nodes_by_id)
        squares = "square" in ops or "power" in ops or "multiply" in ops and _squares(p, nodes_by_id)
        objs = {s.obj for s in p.state}
        if len(objs) >= 2 and roots:
            p.optimizer = "adam"
        elif roots and squares:
            p.optimizer = "rmsprop" if _decays(p, nodes_by_id) else "adagrad"
        elif len(objs) == 1:
            reads_old_and_new = sum(1 for i in p.region if i in nodes_by_id
                                    for a in nodes_by_id[i].inputs() if a.obj in objs) >= 3
            p.optimizer = "nesterov" if reads_old_and_new else "momentum"
        else:
            p.optimizer = "other"


def _exponent(n: Node) -> float:
    e = n.args[1] if len(n.args) > 1 else None
    return float(e) if isinstance(e, (int, float)) else 0.0


def _squares(p: Param, by_id: dict[int, Node]) -> bool:
    for i in p.region:
        n = by_id.get(i)
        if n is not None and n.op == "multiply" and len(n.args) == 2 and n.args[0] is n.args[1]:
            return True
    return False


def _decays(p: Param, by_id: dict[int, Node]) -> bool:
    """RMSProp multiplies its cache by a decay rate; Adagrad only adds to it."""
    objs = {s.obj for s in p.state}
    for i in p.region:
        n = by_id.get(i)
        if n is not None and n.op == "multiply" and any(isinstance(a, Node) and a.obj in objs for a in n.args):
            return True
    return False
