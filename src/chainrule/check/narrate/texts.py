"""The chain-rule step and the shape argument of a backward line, in the script's names and layout.

Row-major scripts (``X @ W``) read ``X.T @ dZ`` and a sum over ``axis=0``; column-major scripts
(deeplearning.ai, ``W @ A``) read ``dZ @ A.T`` and a sum over ``axis=1``.  The shapes quoted are the
arrays' shapes in the analysed iteration.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from chainrule.check.narrate.backward import Pattern
from chainrule.check.narrate.forward import Forward


ACT_WORDS = {
    "relu": ("max(0, {Z})", "1 where {Z} > 0 and 0 elsewhere", "1[{Z} > 0]"),
    "leaky_relu": ("max(α·{Z}, {Z})", "1 where {Z} > 0 and α elsewhere", "(1 or α)"),
    "tanh": ("tanh({Z})", "1 − tanh({Z})² = 1 − {H}², read off the forward output", "(1 − {H}²)"),
    "sigmoid": ("σ({Z})", "σ({Z})·(1 − σ({Z})) = {H}·(1 − {H}), read off the forward output", "{H}·(1 − {H})"),
}


def fmt(shape) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")" if shape is not None else "?"


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


def texts(a, fw: Forward, L, p) -> tuple[str, str]:
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
