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

from chainrule.check.narrate.forward import ACTS, Forward, Item, _strip
from chainrule.check.record.state import Node
from chainrule.check.verdict.acts import KEYS

ACT_WORDS = {
    "relu": ("max(0, {Z})", "1 where {Z} > 0 and 0 elsewhere", "1[{Z} > 0]"),
    "leaky_relu": ("max(α·{Z}, {Z})", "1 where {Z} > 0 and α elsewhere", "(1 or α)"),
    "tanh": ("tanh({Z})", "1 − tanh({Z})² = 1 − {H}², read off the forward output", "(1 − {H}²)"),
    "sigmoid": ("σ({Z})", "σ({Z})·(1 − σ({Z})) = {H}·(1 − {H}), read off the forward output", "{H}·(1 − {H})"),
}


@dataclass
class Pattern:
    keys: list[str] = field(default_factory=list)
    kind: str = ""  # matmul | sum | act | loss | l2 | update | alias | ""
    ops: dict[str, Any] = field(default_factory=dict)


def fmt(shape) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")" if shape is not None else "?"


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
class Shapes:
    """Shapes of the learner's names (and ``name.T``) around one line."""

    def __init__(self, a, L):
        self.env: dict[str, tuple] = {}
        for n in a.graph.nodes:
            if n.id in a.graph.forward or a.graph.is_input(n):
                self.env.setdefault(a.label(n), np.shape(n.value))
        for M in a.lines:
            if M.node is not None and M.node.value is not None:
                self.env[M.writes] = np.shape(M.node.value)
        for p in a.graph.params:
            self.env[p.name] = np.shape(p.leaf.value)
        if L.node is not None and L.node.value is not None:
            self.env[L.writes] = np.shape(L.node.value)

    def __call__(self, name: Optional[str]) -> Optional[tuple]:
        if not name:
            return None
        t = name.endswith(".T")
        s = self.env.get(name[:-2] if t else name)
        return None if s is None else (s[::-1] if t else s)


def _dW(a, p: Pattern, sh: Shapes, w: str, columns: bool) -> tuple[str, str]:
    X, U, W, out = p.ops["X"], p.ops["U"], p.ops["W"], p.ops["out"]
    b = f" + `{p.ops['b']}`" if p.ops.get("b") else ""
    line = f" ({p.ops['line']})" if p.ops.get("line") else ""
    sx, su, st = sh(X), sh(U), sh(W)
    if columns:
        chain = (f"`{out}` = `{W}` @ `{X}`{b}{line}, so ∂{out}[k,i]/∂{W}[k,j] = {X}[j,i]. The same weight "
                 f"{W}[k,j] is used for every example i (every column), so the chain rule adds its uses: upstream "
                 f"∂L/∂`{out}` (that is `{U}`) × local `{X}`[j,i], summed over the examples — exactly `{U} @ {X}.T`.")
        if not (sx and su and st) or len(sx) != 2 or len(su) != 2:
            return chain, f"`{w}` must have the shape of `{W}`, {fmt(st)}."
        reason = (f"A gradient has the shape of its variable: `{w}` must be {fmt(st)} like `{W}`. The ingredients "
                  f"are `{U}` {fmt(su)} and `{X}` {fmt(sx)}. The only product of them with shape {fmt(st)} is "
                  f"`{U}` {fmt(su)} @ `{X}.T` {fmt(sx[::-1])}: the shared m = {sx[1]} is the sum over the examples.")
        return chain, reason
    chain = (f"`{out}` = `{X}` @ `{W}`{b}{line}, so ∂{out}[i,k]/∂{W}[j,k] = {X}[i,j]. The same weight {W}[j,k] is "
             f"used by every row i, so the chain rule adds its uses: upstream ∂L/∂`{out}` (that is `{U}`) × local "
             f"`{X}`[i,j], summed over the rows — exactly `{X}.T @ {U}`.")
    if not (sx and su and st) or len(sx) != 2 or len(su) != 2:
        return chain, f"`{w}` must have the shape of `{W}`, {fmt(st)}."
    reason = (f"A gradient has the shape of its variable: `{w}` must be {fmt(st)} like `{W}`. The ingredients "
              f"are `{X}` {fmt(sx)} and `{U}` {fmt(su)}. The only product of them with shape {fmt(st)} is "
              f"`{X}.T` {fmt(sx[::-1])} @ `{U}` {fmt(su)}: the shared N = {sx[0]} is the sum over the examples. ")
    reason += (f"`{X} @ {U}` does not even multiply ({fmt(sx)}·{fmt(su)})" if sx[1] != su[0]
               else f"`{X} @ {U}` would give {fmt((sx[0], su[1]))}")
    reason += f", and `{U}.T @ {X}` gives {fmt((su[1], sx[1]))}, the transpose."
    return chain, reason


def _dX(a, p: Pattern, sh: Shapes, w: str, columns: bool) -> tuple[str, str]:
    U, W, inp, out = p.ops["U"], p.ops["W"], p.ops["inp"], p.ops["out"]
    su, sw, si = sh(U), sh(W), sh(inp)
    if columns:
        chain = (f"In `{out}` = `{W}` @ `{inp}` + …, entry {inp}[j,i] feeds every {out}[k,i] of its own column "
                 f"(example i) with slope {W}[k,j]. Upstream ∂L/∂`{out}` (that is `{U}`) × local {W}[k,j], summed "
                 f"over the units k: `{W}.T @ {U}`.")
        if not (su and sw) or len(su) != 2 or len(sw) != 2:
            return chain, ""
        si = si or (sw[1], su[1])
        return chain, (f"`{w}` must have the shape of `{inp}`, {fmt(si)}. From `{W}` {fmt(sw)} and `{U}` {fmt(su)} "
                       f"the product that gives {fmt(si)} is `{W}.T` {fmt(sw[::-1])} @ `{U}` {fmt(su)}: the shared "
                       f"{su[0]} is the sum over the units.")
    chain = (f"In `{out}` = `{inp}` @ `{W}` + …, entry {inp}[i,j] feeds every {out}[i,k] of its own row with "
             f"slope {W}[j,k]. Upstream ∂L/∂`{out}` (that is `{U}`) × local {W}[j,k], summed over the outputs k: "
             f"`{U} @ {W}.T`.")
    if not (su and sw) or len(su) != 2 or len(sw) != 2:
        return chain, ""
    si = si or (su[0], sw[0])
    reason = (f"`{w}` must have the shape of `{inp}`, {fmt(si)}. From `{U}` {fmt(su)} and `{W}` {fmt(sw)} the "
              f"product that gives {fmt(si)} is `{U}` {fmt(su)} @ `{W}.T` {fmt(sw[::-1])}: the shared "
              f"{su[1]} is the sum over the outputs. ")
    reason += (f"`{U} @ {W}` does not multiply ({fmt(su)}·{fmt(sw)})." if su[1] != sw[0]
               else f"`{U} @ {W}` would give {fmt((su[0], sw[1]))}.")
    return chain, reason


def _db(a, p: Pattern, sh: Shapes, w: str, columns: bool) -> tuple[str, str]:
    U, b, out = p.ops["U"], p.ops["b"], p.ops["out"]
    where = "column" if columns else "row"
    axis_ok = "1" if columns else "0"
    chain = (f"`{b}` is broadcast: the same {b}[k] is added to {out} for every example (every {where}), with "
             f"local derivative 1. So each example contributes upstream ∂L/∂`{out}` (that is `{U}`) × 1, and the "
             f"chain rule adds them up: a sum over axis {axis_ok}.")
    su, sb, sw = sh(U), sh(b), sh(w)
    if not su:
        return chain, ""
    axis, keep = p.ops.get("axis"), p.ops.get("keepdims") == "True"
    if axis == axis_ok:
        n = su[1] if columns else su[0]
        reason = (f"`{b}` is {fmt(sb)}, so `{w}` must hold one number per unit. Summing `{U}` {fmt(su)} over "
                  f"`axis={axis}` removes the {n} examples; ")
        reason += (f"`keepdims=True` keeps that axis with length 1, giving {fmt(sw)} — exactly the shape of `{b}` — "
                   f"instead of a flat vector." if keep else
                   f"without `keepdims=True` the result is the flat {fmt(sw)}; it still lines up with `{b}` "
                   f"{fmt(sb)} because numpy broadcasts it in the update.")
    elif axis in (None, "None"):
        reason = f"`{b}` is a single number {fmt(sb)}: summing all of `{U}` {fmt(su)} gives one number too."
    else:
        reason = (f"`{b}` is {fmt(sb)}: the sum must run over the examples (axis {axis_ok}); `axis={axis}` sums "
                  f"over the units instead and gives {fmt(sw)}.")
    return chain, reason


def _act(a, p: Pattern, sh: Shapes, w: str) -> tuple[str, str]:
    H, Z, kind = p.ops["H"], p.ops["Z"], p.ops["act"]
    fwd, local, factor = (s.format(H=H, Z=Z) for s in ACT_WORDS[kind])
    chain = (f"`{H}` = {fwd} entry by entry. Its local derivative is {local}. Upstream ∂L/∂`{H}` × local "
             f"{factor}, entry by entry, gives ∂L/∂`{Z}`.")
    if kind == "relu":
        chain += (f" Testing `{H} <= 0` is the same as `{Z} <= 0`, because {H} is 0 exactly where {Z} ≤ 0; at "
                  f"{Z} = 0 exactly there is no derivative and any slope in [0, 1] is a valid subgradient.")
    s = sh(H)
    return chain, (f"Entry by entry: the factor and the gradient both have the shape of `{H}`, {fmt(s)}; no sum "
                   f"and no transpose, so `{w}` keeps the shape {fmt(s)}.")


def _loss(a, fw: Forward, L, p: Pattern, sh: Shapes, w: str) -> tuple[str, str]:
    s = sh(w)
    keep = f"`{w}` keeps the shape {fmt(s)} of the scores."
    key = p.keys[0]
    if key == "hinge.backward":
        return ("The hinge loss is L = (1/N) Σᵢ Σ_{k≠yᵢ} max(0, S[i,k] − S[i,yᵢ] + 1). Each violated margin "
                "(M[i,k] > 0) has slope +1 for its wrong score and −1 for the correct score S[i,yᵢ]; the mean "
                "gives every row the factor 1/N. This line builds that gradient from the margins."), keep
    if key == "sigmoid_bce.backward":
        S, H = p.ops.get("S", "Z"), p.ops.get("H", "A")
        return (f"The loss is binary cross-entropy of `{H}` = σ(`{S}`). Its derivative with respect to {H} is "
                f"(A − Y)/(A(1 − A)), and σ′ = A(1 − A) cancels the denominator: ∂L/∂{S} = A − Y (times 1/m "
                f"for the mean) — “predicted minus true”."), f"`{w}` has the shape of `{S}`, {fmt(s)}."
    P = p.ops.get("P", "")
    if p.ops.get("alias"):
        return (f"No chain-rule step yet: the gradient being built is ∂L/∂S = (P − Y)/N (Y one-hot); this line "
                f"starts from its first term, P. `{w} = {P}` does not copy: `{w}` and `{P}` are the same array, "
                f"so the next in-place edits change `{P}` too."), f"`{P}` already has the shape of the scores, {fmt(s)}."
    if L.verdict == "scaled" and L.factor and abs(L.factor) > 1:
        return ("The loss of row i is Lᵢ = −log P[i,yᵢ] = −S[i,yᵢ] + log Σ_c exp(S[i,c]); its derivative with "
                "respect to S[i,k] is P[i,k] − 1[k = yᵢ], “predicted minus true”. Subtracting 1 at the correct "
                "class turns P into P − Y; the factor 1/N of the mean is still missing."), (
                f"The index pair `[…, y]` picks one entry per row (row i, column y[i]), so the −1 lands exactly "
                f"where Y has its ones. {keep}")
    return ("The loss is a mean, L = (1/N) Σᵢ Lᵢ, so every row reaches L with slope ∂L/∂Lᵢ = 1/N: upstream "
            "1/N × local (P − Y). Every later gradient is built from this one."), f"Division by a number keeps the shape: {keep}"


def texts(a, fw: Forward, L, p: Pattern) -> tuple[str, str]:
    """(chain, shape_reason) of one line."""
    sh = Shapes(a, L)
    w = L.writes
    columns = fw.columns
    chain, reason = [], []
    if p.kind == "update":
        P, g = p.ops["P"], p.ops["g"] or f"∂L/∂{p.ops['P']}"
        sp, sg = sh(P), sh(g)
        if p.ops.get("opt", "gd") == "gd":
            chain.append(f"No chain rule here: gradient descent. Every entry of `{P}` takes a step against its own "
                         f"gradient `{g}`, downhill on the loss; the step size is the factor in front of `{g}`.")
        else:
            chain.append(f"No chain rule here: an optimizer step ({p.ops['opt']}). The step is built from `{g}` and "
                         f"the optimizer's state; it moves every entry of `{P}` against its gradient.")
        reason.append(f"`{g}` has exactly the shape of `{P}`, {fmt(sp)}, so the update works entry by entry."
                      if sp == sg or not sg else f"`{g}` is {fmt(sg)} and `{P}` is {fmt(sp)}: numpy broadcasts "
                      f"`{g}` over `{P}`.")
    for key in p.keys:
        c, r = "", ""
        if key == "linear.dW":
            c, r = _dW(a, p, sh, w, columns)
        elif key == "linear.dX":
            c, r = _dX(a, p, sh, w, columns)
        elif key == "linear.db":
            c, r = _db(a, p, sh, w, columns)
        elif key.endswith(".backward") and key.split(".")[0] in ACT_WORDS:
            c, r = _act(a, p, sh, w)
        elif key in ("softmax_ce.backward", "hinge.backward", "sigmoid_bce.backward"):
            c, r = _loss(a, fw, L, p, sh, w)
        elif key == "l2.backward":
            R = p.ops.get("RW", "W")
            c = (f"The loss includes R = ½·λ·Σ {R}², whose derivative is λ·{R} (`{p.ops.get('reg', '')}`). The data "
                 f"loss and R are added, so their gradients are added: ∂L/∂{R} = data part + λ·{R}.")
            r = f"`{p.ops.get('reg', '')}` has the shape of `{R}`, {fmt(sh(R))}, the same as `{w}`: added entry by entry."
        if c:
            chain.append(c)
        if r:
            reason.append(r)
    if p.kind == "alias":
        chain.append(f"No chain-rule step: `{w}` becomes another name for the array `{p.ops['src']}` (no copy).")
    if not chain:
        chain.append(L.message or f"`{w}` is an intermediate step of the backward pass.")
    if not reason and sh(w) is not None:
        reason.append(f"`{w}` has shape {fmt(sh(w))}.")
    return " ".join(chain), " ".join(reason)


def holds(a, L, shape) -> str:
    """Plain words: what the written variable holds after the line."""
    s = fmt(shape) if shape is not None else ""
    if L.verdict == "gradient" and L.gradient_of:
        sign = "minus " if a.sign == -1 else ""
        return f"`{L.writes}` now holds {sign}∂L/∂`{L.gradient_of}` exactly — the gradient of the loss — shape {s}."
    if L.verdict == "update":
        return (f"`{L.writes}` now holds the new parameters that the next pass of the loop uses: the old "
                f"`{L.writes}` moved by {L.factor:g} × ∂L/∂`{L.writes}` against the gradient.")
    return L.message
