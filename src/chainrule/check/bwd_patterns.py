"""Recognise the op-table pattern of one backward statement of a learner's script (AST only).

Matmul with a transposed input (``linear.dW``) or a transposed weight (``linear.dX``), a sum
over axis 0 (``linear.db``), elementwise factors of an activation's output or input
(``<act>.backward``: masks, ``1 - h**2``, ``h*(1-h)``), edits of the probabilities / margins
(``softmax_ce.backward`` / ``hinge.backward``), ``+ reg * W`` (``l2.backward``), updates.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from chainrule.check.dataflow import reads, writes
from chainrule.check.diagnose import ACT_KEYS
from chainrule.check.patterns import Forward, _sum_axis, matmul, src, untranspose


@dataclass
class Pattern:
    """What one backward statement computes, in op-table terms."""

    keys: list[str] = field(default_factory=list)
    kind: str = ""  # matmul, sum, act, loss, l2, update, copy, alias, ""
    ops: dict[str, str] = field(default_factory=dict)


def backward(a, fw: Forward, k: int, loss_vars: set[str]) -> Pattern:
    """Recognise backward statement ``k``; ``loss_vars`` (names built from P or the margins) grows."""
    rec = a.trace.records[k]
    node = rec.stmt.node
    p = Pattern()
    w = writes(node)
    wname = a.show(w[0]) if w else ""
    if k in {u.index for u in a.updates}:
        u = next(u for u in a.updates if u.index == k)
        p.keys, p.kind = ["update.gd"], "update"
        p.ops = {"P": a.show(u.param), "g": a.show(u.grad) if u.grad else ""}
        return p
    value = node.value if isinstance(node, (ast.Assign, ast.AugAssign)) else None
    if value is None:
        return p
    rd = [a.show(n) for n in reads(node)]
    mms = [m for m in (matmul(n) for n in ast.walk(value)) if m]
    for A, B in mms:
        A0, tA = untranspose(A)
        B0, tB = untranspose(B)
        a0, b0 = src(a, A0), src(a, B0)
        if tA or (not tB and fw.linear_of(b0, "W") is None and fw.linear_of(a0, "X") is not None):
            p.keys.append("linear.dW")
            p.kind = p.kind or "matmul"
            p.ops.update(X=a0, U=b0, XT=src(a, A), mm=src(a, next(n for n in ast.walk(value) if matmul(n) == (A, B))))
        else:
            p.keys.append("linear.dX")
            p.kind = p.kind or "matmul"
            p.ops.update(U=a0, W=b0, WT=src(a, B), mm=src(a, next(n for n in ast.walk(value) if matmul(n) == (A, B))))
    outside = set()
    in_mm = {id(x) for m in mms for part in m for x in ast.walk(part)}
    for n in ast.walk(node):
        if id(n) in in_mm:
            continue
        if isinstance(n, ast.Name):
            outside.add(a.show(n.id))
    acts = [fw.activation_of(n) for n in sorted(outside)]
    acts = [x for x in acts if x is not None]
    if acts:
        act = acts[0]
        p.keys.append(ACT_KEYS[act.kind])
        p.kind = p.kind or "act"
        p.ops.update(H=act.name, Z=act.ops["Z"], act=act.kind)
    sums = [s for s in (_sum_axis(n) for n in ast.walk(value)) if s]
    loss_names = {it.name for it in fw.items if it.kind in ("probs", "margins", "margins_zero")}
    bias_grads = {a.show(u.grad) for u in a.updates if u.grad and _is_bias(a.trace.start.get(u.param))}
    if sums and not mms and not acts and (sums[0][1] == 0 or wname in bias_grads):
        arr, axis, keep = sums[0]
        p.keys.append("linear.db")
        p.kind = "sum"
        p.ops.update(U=src(a, arr), axis=str(axis), keepdims=str(keep))
    elif not mms and not acts and (set(rd) & (loss_names | loss_vars)):
        p.keys.append(f"{fw.loss_kind()}.backward")
        p.kind = "loss"
        loss_vars.add(wname)
        src_names = [n for n in rd if n in loss_names | loss_vars and n != wname]
        p.ops.update(P=src_names[0] if src_names else wname)
        if isinstance(node, ast.Assign) and isinstance(value, ast.Name):
            p.ops["alias"] = "1"
    regs = [n for n in ast.walk(value) if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mult)
            and any(isinstance(s, ast.Name) and a.show(s.id) in {a.show(q) for q in a.params} for s in (n.left, n.right))
            and not matmul(n.left) and not matmul(n.right)]
    if regs and not acts:
        P = next(a.show(s.id) for s in (regs[0].left, regs[0].right)
                 if isinstance(s, ast.Name) and a.show(s.id) in {a.show(q) for q in a.params})
        p.keys.append("l2.backward")
        p.kind = p.kind or "l2"
        p.ops.update(RW=P, reg=src(a, regs[0]))
    if not p.keys and isinstance(node, ast.Assign):
        base, _ = untranspose(value)
        if isinstance(value, ast.Name) and value.id != a.show(value.id):
            p.kind = "return"  # a helper's local, returned and bound to the caller's name
        elif isinstance(value, ast.Name) or base is not value:
            p.kind = "alias" if isinstance(value, ast.Name) else "copy"
        p.ops["src"] = src(a, base)
    return p


def _is_bias(v) -> bool:
    shape = getattr(v, "shape", None)
    return shape is not None and (len(shape) == 1 or (len(shape) == 2 and shape[0] == 1))
