"""The backward lines in words, from what the analysis proved each one computes.

A line's formula keys follow from its verdict, not from its text: it holds ∂L/∂W of a weight
(``linear.dW``), of a bias (``linear.db``), of a layer's input (``linear.dX``), of an
activation's input (``relu.backward`` ...), of the scores of a softmax or SVM loss, or it
adds a regularisation gradient (``l2.backward``); a wrong line keeps the formula of what it
should hold.  The chain-rule step and the shape argument are written in the script's names and
layout: rows (``X.T @ dZ``, a sum over ``axis=0``) or columns, where a deeplearning.ai script
reads ``dW = (1/m)·dZ·Aᵀ``, ``db = (1/m)·Σ dZ``, ``dA = Wᵀ·dZ``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

from chainrule.check.narrate.forward import Forward, Item, _strip
from chainrule.check.record.state import Node
from chainrule.check.verdict.acts import KEYS


@dataclass
class Pattern:
    keys: list[str] = field(default_factory=list)
    kind: str = ""  # matmul | sum | act | loss | l2 | update | alias | ""
    ops: dict[str, Any] = field(default_factory=dict)


def _target(a, L) -> Optional[Node]:
    """The quantity whose gradient the line holds (or, when wrong, should hold)."""
    q = L.match.q if L.match is not None else L.aim if L.aim is not None else None
    if q is None and not L.ok and L.closest is not None:
        q = L.closest.q
    return a.graph.by_id.get(q.key) if q is not None else None


def _upstream(a, L, node: Node) -> str:
    """The learner's name of the backward input that holds ∂L/∂(node)."""
    for I in L.inputs:
        m = I.match
        if m is not None and m.q.key == node.id:
            return I.writes
    for I in L.inputs:
        if I.kind in ("backward", "alias"):
            return I.writes
    return f"∂L/∂{a.label(node)}"


def pattern(a, fw: Forward, L) -> Pattern:
    p = Pattern()
    if L.kind == "update":
        P = L.param
        p.kind, p.keys = "update", ["update.gd"]
        p.ops = {"P": P.name, "g": a.label(P.grad) if P.grad is not None else "", "opt": P.optimizer}
        return p
    if L.kind == "alias":
        it = fw.by_node.get(L.node.id)
        if it is not None and it.kind == "probs":
            p.kind, p.keys, p.ops = "loss", ["softmax_ce.backward"], {"P": L.note, "alias": True}
        else:
            p.kind, p.ops = "alias", {"src": L.note}
        return p
    diag = _activation_aim(a, L) if not L.ok and L.aim is None else None
    t = _target(a, L) if diag is None else None
    if t is None:
        if diag is not None:
            it = fw.activation_of(diag)
            p.kind, p.keys = "act", [KEYS[it.kind]] if it is not None else []
            p.ops = {"H": it.name, "Z": it.ops["Z"], "act": it.kind} if it is not None else {}
        return p
    param = a.graph.param_of(t)
    if param is not None:
        lin_w = fw.linear_with(t, "W")
        lin_b = fw.linear_with(t, "b")
        if _adds_reg(a, L, t):
            p.keys.append("l2.backward")
            p.kind = "l2"
            p.ops.update(RW=param.name, reg=_reg_text(a, L, t))
            if L.node is not None and L.node.prev is not None and L.node.op in ("add", "subtract"):
                return p
        if lin_w is not None:
            p.keys.insert(0, "linear.dW")
            p.kind = "matmul"
            X = lin_w.inputs.get("X")
            p.ops.update(X=a.label(_strip(X)) if isinstance(X, Node) else "X", U=_upstream(a, L, lin_w.node),
                         out=lin_w.name, W=param.name, b=lin_w.ops.get("b"), line=_line(a, lin_w.node))
        elif lin_b is not None:
            p.keys.insert(0, "linear.db")
            p.kind = "sum"
            p.ops.update(U=_upstream(a, L, lin_b.node), out=lin_b.name, b=param.name, **_sum_args(L))
        return p
    it = fw.by_node.get(t.id)
    act = fw.activation_of(t)
    if act is not None and act.inputs.get("Z") is t:
        loss = _loss_gradient(a, fw, act)
        if loss:
            p.kind, p.keys, p.ops = "loss", [loss], {"S": a.label(t), "H": act.name}
        else:
            p.kind, p.keys = "act", [KEYS[act.kind]]
            p.ops = {"H": act.name, "Z": act.ops["Z"], "act": act.kind, "U": _upstream(a, L, act.node)}
            _inner_dx(a, fw, L, p)
        return p
    lin_x = next((x for x in fw.items if x.kind == "linear" and _strip(x.inputs.get("X")) is t), None)
    if lin_x is not None:
        p.kind, p.keys = "matmul", ["linear.dX"]
        p.ops = {"U": _upstream(a, L, lin_x.node), "W": lin_x.ops["W"], "inp": a.label(t), "out": lin_x.name}
        return p
    kind = fw.loss_kind()
    if it is not None and it.kind == "linear" and it.symbol == "S" and kind in ("softmax_ce", "hinge"):
        p.kind, p.keys, p.ops = "loss", [f"{kind}.backward"], {"P": _probs_name(fw)}
        return p
    return p


def _inner_dx(a, fw: Forward, L, p: Pattern) -> None:
    """``delta2 = delta3.dot(W2.T) * (1 - a1**2)``: a matrix product inside the line holds ∂L/∂(layer input)."""
    from chainrule.check.verdict.match import best_match

    for n in L.nodes:
        if n is L.node or n.op not in ("matmul", "dot"):
            continue
        m, _ = best_match(np.asarray(a.values64.get(n.id, n.value), dtype=float) * a.sign, a.candidates)
        if m is None or m.transposed:
            continue
        q = a.graph.by_id.get(m.q.key)
        lin = next((x for x in fw.items if x.kind == "linear" and _strip(x.inputs.get("X")) is q), None)
        if lin is not None:
            p.keys.insert(0, "linear.dX")
            p.ops.update(U=_upstream(a, L, lin.node), W=lin.ops["W"], inp=a.label(q), out=lin.name)
            return


def _line(a, n: Node) -> str:
    return a.where(n.site.file, n.site.line) if n.site is not None else ""


def _probs_name(fw: Forward) -> str:
    it = next((x for x in fw.items if x.kind == "probs"), None)
    return it.name if it is not None else ""


def _loss_gradient(a, fw: Forward, act: Item) -> str:
    """``dZ = A - Y``: the output activation's input, differentiated through the loss at once."""
    if act.kind == "sigmoid" and (a.loss.kind == "bce" or fw.loss_kind() == "bce"):
        if not any(x.kind == "linear" and _strip(x.inputs.get("X")) is act.node for x in fw.items):
            return "sigmoid_bce.backward"
    return ""


def _activation_aim(a, L) -> Optional[Node]:
    """For a wrong line with no match: the activation input it was diagnosed against."""
    for act in a.acts:
        if L.value is not None and np.size(L.value) == np.size(act.D) and act.kind in L.message:
            return act.A
    return None


def _adds_reg(a, L, t: Node) -> bool:
    """Does the line add a multiple of the parameter itself (``dW += reg * W``, ``... + reg * W``)?"""
    for n in L.nodes:
        if n.op not in ("add", "subtract"):
            continue
        for x in n.args[:2]:
            if isinstance(x, Node) and x.op == "multiply" and any(isinstance(y, Node) and _strip(y).obj == t.obj
                                                                  and a.graph.is_input(_strip(y)) for y in x.args):
                return True
    return False


def _reg_text(a, L, t: Node) -> str:
    for n in L.nodes:
        if n.op == "multiply" and any(isinstance(y, Node) and _strip(y).obj == t.obj for y in n.args):
            return a.label(n)
    return ""


def _sum_args(L) -> dict:
    for n in L.nodes:
        if n.op in ("sum", "add.reduce", "mean"):
            ax = n.kwargs.get("axis", n.args[1] if len(n.args) > 1 else None)
            return {"axis": str(ax), "keepdims": str(bool(n.kwargs.get("keepdims", False)))}
    return {}


# ---------------------------------------------------------------------------------------- texts


