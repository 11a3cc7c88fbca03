"""The backward steps of a learner's script in words: chain rule, shape argument, what it holds.

Every sentence names the script's own variables and the shapes they had in the analysed
iteration; the pattern (which op-table rule the line implements) comes from
:mod:`chainrule.check.patterns`.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from chainrule.check.bwd_patterns import Pattern
from chainrule.check.patterns import Forward

ACT_WORDS = {
    "relu": ("max(0, {Z})", "1 where {Z} > 0 and 0 elsewhere", "1[{Z} > 0]"),
    "leaky_relu": ("max(α·{Z}, {Z})", "1 where {Z} > 0 and α elsewhere", "(1 or α)"),
    "tanh": ("tanh({Z})", "1 − tanh({Z})² = 1 − {H}², read off the forward output", "(1 − {H}²)"),
    "sigmoid": ("σ({Z})", "σ({Z})·(1 − σ({Z})) = {H}·(1 − {H}), read off the forward output", "{H}·(1 − {H})"),
}


def fmt(shape) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")" if shape is not None else "?"


class Shapes:
    """Shapes of the learner's names (and ``name.T``) around one statement."""

    def __init__(self, a, rec, fw: Forward):
        self.env: dict[str, Any] = {}
        for it in fw.items:
            q = next((q for q in (a.grads.quantities if a.grads else []) if q.label == it.name), None)
            if q is not None:
                self.env[it.name] = q.value
        self.env.update({a.show(k): v for k, v in a.trace.start.items()})
        self.env.update({a.show(k): v for k, v in rec.before.items()})
        self.env.update({a.show(k): v for k, v in rec.after.items()})

    def __call__(self, name: str) -> Optional[tuple]:
        if name is None:
            return None
        t = name.endswith(".T")
        v = self.env.get(name[:-2] if t else name)
        if not isinstance(v, np.ndarray):
            return None
        return v.shape[::-1] if t else v.shape


def _matmul_dW(p: Pattern, fw: Forward, sh: Shapes, w: str, target: str) -> tuple[str, str]:
    X, U = p.ops["X"], p.ops["U"]
    lin = fw.linear_of(target, "W") or fw.linear_of(X, "X")
    out = lin.name if lin else "the layer's output"
    line = f" (line {fw.line(lin)})" if lin else ""
    chain = (f"`{out}` = `{X}` @ `{target}`{' + `' + lin.ops['b'] + '`' if lin and 'b' in lin.ops else ''}{line}, so "
             f"∂{out}[i,k]/∂{target}[j,k] = {X}[i,j]. The same weight {target}[j,k] is used by every row i, "
             f"so the chain rule adds its uses: upstream ∂L/∂`{out}` (that is `{U}`) × local `{X}`[i,j], "
             f"summed over the rows — exactly `{X}.T @ {U}`.")
    sx, su, st = sh(X), sh(U), sh(target)
    if not (sx and su and st) or len(sx) != 2 or len(su) != 2:
        return chain, f"`{w}` must have the shape of `{target}`, {fmt(st)}."
    reason = (f"A gradient has the shape of its variable: `{w}` must be {fmt(st)} like `{target}`. The ingredients "
              f"are `{X}` {fmt(sx)} and `{U}` {fmt(su)}. The only product of them with shape {fmt(st)} is "
              f"`{X}.T` {fmt(sx[::-1])} @ `{U}` {fmt(su)}: the shared N = {sx[0]} is the sum over the examples. ")
    reason += (f"`{X} @ {U}` does not even multiply ({fmt(sx)}·{fmt(su)})" if sx[1] != su[0]
               else f"`{X} @ {U}` would give {fmt((sx[0], su[1]))}")
    reason += f", and `{U}.T @ {X}` gives {fmt((su[1], sx[1]))}, the transpose."
    return chain, reason


def _matmul_dX(p: Pattern, fw: Forward, sh: Shapes, w: str) -> tuple[str, str]:
    U, W = p.ops["U"], p.ops["W"]
    lin = fw.linear_of(W, "W")
    inp, out = (lin.ops["X"], lin.name) if lin else ("the layer's input", "the layer's output")
    chain = (f"In `{out}` = `{inp}` @ `{W}` + …, entry {inp}[i,j] feeds every {out}[i,k] of its own row with "
             f"slope {W}[j,k]. Upstream ∂L/∂`{out}` (that is `{U}`) × local {W}[j,k], summed over the outputs k: "
             f"`{U} @ {W}.T`.")
    su, sw, si = sh(U), sh(W), sh(inp)
    if not (su and sw) or len(su) != 2 or len(sw) != 2:
        return chain, ""
    si = si or (su[0], sw[0])
    reason = (f"`{w}` must have the shape of `{inp}`, {fmt(si)}. From `{U}` {fmt(su)} and `{W}` {fmt(sw)} the "
              f"product that gives {fmt(si)} is `{U}` {fmt(su)} @ `{W}.T` {fmt(sw[::-1])}: the shared "
              f"{su[1]} is the sum over the outputs. ")
    reason += (f"`{U} @ {W}` does not multiply ({fmt(su)}·{fmt(sw)})." if su[1] != sw[0]
               else f"`{U} @ {W}` would give {fmt((su[0], sw[1]))}.")
    return chain, reason


def _bias(p: Pattern, fw: Forward, sh: Shapes, w: str, target: str) -> tuple[str, str]:
    U = p.ops["U"]
    lin = fw.linear_of(target, "b")
    out = lin.name if lin else "the layer's output"
    chain = (f"`{target}` is broadcast: the same {target}[k] is added to {out}[i,k] in every row i, with local "
             f"derivative 1. So each row contributes upstream ∂L/∂`{out}` (that is `{U}`) × 1, and the chain "
             f"rule adds them up: a sum over axis 0.")
    su, sb, sw = sh(U), sh(target), sh(w)
    if not su:
        return chain, ""
    axis, keep = p.ops.get("axis"), p.ops.get("keepdims") == "True"
    if axis == "0":
        reason = (f"`{target}` is {fmt(sb)}, so `{w}` must hold one number per column. Summing `{U}` {fmt(su)} "
                  f"over `axis=0` removes the {su[0]} rows; ")
        reason += (f"`keepdims=True` keeps that axis with length 1, giving {fmt(sw)} — exactly the shape of "
                   f"`{target}` — instead of the flat ({su[-1]},)." if keep else
                   f"without `keepdims=True` the result is the flat {fmt(sw)}; it still lines up with "
                   f"`{target}` {fmt(sb)} because numpy broadcasts it in the update.")
    else:
        reason = (f"`{target}` is {fmt(sb)}: the sum must run over the rows (axis 0); `axis={axis}` sums over "
                  f"the columns instead and gives {fmt(sw)}.")
    return chain, reason


def _act(p: Pattern, sh: Shapes, w: str) -> tuple[str, str]:
    H, Z, kind = p.ops["H"], p.ops["Z"], p.ops["act"]
    fwd, local, factor = (s.format(H=H, Z=Z) for s in ACT_WORDS[kind])
    chain = (f"`{H}` = {fwd} entry by entry. Its local derivative is {local}. Upstream ∂L/∂`{H}` × local "
             f"{factor}, entry by entry, gives ∂L/∂`{Z}`.")
    if kind == "relu":
        chain += (f" Testing `{H} <= 0` is the same as `{Z} <= 0`, because {H} is 0 exactly where {Z} ≤ 0; at "
                  f"{Z} = 0 exactly there is no derivative and any slope in [0, 1] is a valid subgradient.")
    s = sh(H)
    reason = (f"Entry by entry: the factor and the gradient both have the shape of `{H}`, {fmt(s)}; no sum and "
              f"no transpose, so `{w}` keeps the shape {fmt(s)}.")
    return chain, reason


def _loss(p: Pattern, a, rec, sh: Shapes, w: str, hinge: bool) -> tuple[str, str]:
    code, P = rec.stmt.code, p.ops.get("P", "")
    s = sh(w)
    keep = f"`{w}` keeps the shape {fmt(s)} of the scores."
    if hinge:
        return (f"The hinge loss is L = (1/N) Σᵢ Σ_{{k≠yᵢ}} max(0, S[i,k] − S[i,yᵢ] + 1). Each violated margin "
                f"(M[i,k] > 0) has slope +1 for its wrong score and −1 for the correct score S[i,yᵢ]; the mean "
                f"gives every row the factor 1/N. This line builds that gradient from `{P}`: "
                f"{'a division by N, the mean' if '/' in code else 'one piece of it'}."), keep
    if p.ops.get("alias"):
        return (f"No chain-rule step yet: the gradient being built is ∂L/∂S = (P − Y)/N (Y one-hot); this line "
                f"starts from its first term, P. `{w} = {P}` does not copy: `{w}` and `{P}` are the same array, "
                f"so the next in-place edits change `{P}` too."), f"`{P}` already has the shape of the scores, {fmt(s)}."
    if "-=" in code and "[" in code.split("-=")[0]:
        return ("The loss of row i is Lᵢ = −log P[i,yᵢ] = −S[i,yᵢ] + log Σ_c exp(S[i,c]); its derivative with "
                "respect to S[i,k] is P[i,k] − 1[k = yᵢ], “predicted minus true”. Subtracting 1 at the correct "
                "class turns P into P − Y; the factor 1/N of the mean is still missing."), (
                f"The index pair `[…, y]` picks one entry per row (row i, column y[i]), so the −1 lands exactly "
                f"where Y has its ones. {keep}")
    if "/" in code or "mean" in code:
        return ("The loss is a mean, L = (1/N) Σᵢ Lᵢ, so every row reaches L with slope ∂L/∂Lᵢ = 1/N: upstream "
                "1/N × local (P − Y). This is where 1/N enters; every later gradient is built from this one."), (
                f"Division by a number keeps the shape: {keep}")
    return (f"Building ∂L/∂S = (P − Y)/N from `{P}`: this line starts from P (`.copy()` keeps `{P}` intact)."
            ), f"`{P}` already has the shape of the scores, {fmt(s)}."


def texts(a, fw: Forward, L, p: Pattern, rec) -> tuple[str, str]:
    """(chain, shape_reason) of one backward statement."""
    sh = Shapes(a, rec, fw)
    w = L.writes
    aim = L.gradient_of if L.gradient_of in {a.show(q) for q in a.params} else a.show(a.aims.get(L.index, "")) or None
    if aim is None:
        upd = {a.show(u.grad): a.show(u.param) for u in a.updates if u.grad}
        aim = upd.get(w)
    chain, reason = [], []
    if p.kind == "update":
        P, g = p.ops["P"], p.ops["g"]
        sp, sg = sh(P), sh(g)
        chain.append(f"No chain rule here: gradient descent. Every entry of `{P}` takes a step against its own "
                     f"gradient `{g}`, downhill on the loss; the step size is the factor in front of `{g}`.")
        reason.append(f"`{g}` has exactly the shape of `{P}`, {fmt(sp)}, so the update works entry by entry."
                      if sp == sg else f"`{g}` is {fmt(sg)} and `{P}` is {fmt(sp)}: numpy broadcasts `{g}` over "
                      f"`{P}`, so each {P}[0,k] moves by {g}[k].")
    for key in p.keys:
        if key == "linear.dW" and (aim or p.ops.get("X")):
            c, r = _matmul_dW(p, fw, sh, w, aim or "W")
        elif key == "linear.dX":
            c, r = _matmul_dX(p, fw, sh, w)
        elif key == "linear.db":
            c, r = _bias(p, fw, sh, w, aim or "b")
        elif key.endswith(".backward") and key.split(".")[0] in ACT_WORDS:
            c, r = _act(p, sh, w)
        elif key in ("softmax_ce.backward", "hinge.backward"):
            c, r = _loss(p, a, rec, sh, w, key.startswith("hinge"))
        elif key == "l2.backward":
            R = p.ops.get("RW", "W")
            c = (f"The loss includes R = ½·λ·Σ {R}², whose derivative is λ·{R} (`{p.ops.get('reg', '')}`). The "
                 f"data loss and R are added, so their gradients are added: ∂L/∂{R} = data part + λ·{R}.")
            r = f"`{p.ops.get('reg', '')}` has the shape of `{R}`, {fmt(sh(R))}, the same as `{w}`: added entry by entry."
        else:
            continue
        chain.append(c)
        if r:
            reason.append(r)
    if p.kind == "copy":
        chain.append(f"No chain-rule step: a copy of `{p.ops['src']}`, so that the next in-place edits leave "
                     f"`{p.ops['src']}` as it was.")
        reason.append(f"A copy has the shape of its original, {fmt(sh(w))}.")
    elif p.kind == "alias":
        chain.append(f"No chain-rule step: `{w}` becomes another name for the array `{p.ops['src']}` (no copy).")
    elif p.kind == "return":
        chain.append(f"No chain-rule step: the helper returns its local `{p.ops['src']}`, bound here to `{w}`.")
    if not reason and sh(w) is not None:
        reason.append(f"`{w}` has shape {fmt(sh(w))}.")
    return " ".join(chain), " ".join(reason)


def holds(a, L, shape) -> str:
    """Plain words: what the written variable holds after the line."""
    s = fmt(shape) if shape is not None else ""
    if L.verdict == "gradient" and L.gradient_of:
        return f"`{L.writes}` now holds ∂L/∂`{L.gradient_of}` exactly — the gradient of the loss — shape {s}."
    if L.verdict == "update":
        return (f"`{L.writes}` now holds the new parameters that the next pass of the loop uses: the old "
                f"`{L.writes}` minus {L.factor:g} × ∂L/∂`{L.writes}`.")
    return L.message
