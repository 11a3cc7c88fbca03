"""Each update judged as an optimizer step along the gradient it is fed (or written inline)."""

from __future__ import annotations

from typing import Optional

import numpy as np

from chainrule.check.verdict import diagnose as dg
from chainrule.check.verdict.lines import Line
from chainrule.check.verdict.match import Candidate, compare


OPTIMIZERS = {"gd": "gradient descent", "momentum": "momentum step", "nesterov": "Nesterov momentum step",
              "adagrad": "Adagrad step", "rmsprop": "RMSProp step", "adam": "Adam step", "other": "optimizer step"}


def _update(a, L: Line) -> None:
    p = L.param
    L.gradient_of = p.name
    before = a.values64.get(p.leaf.id, p.leaf.value)
    after = a.values64.get(p.final.id, p.final.value)
    true = a.param_candidate(p)
    if after is None or before is None or np.shape(after) != np.shape(before):
        L.verdict, L.ok, L.message = "wrong", False, "could not follow this update"
        return
    delta = np.asarray(after, dtype=float) - np.asarray(before, dtype=float)
    gline = next((G for G in a.lines if p.grad is not None and G.node is p.grad), None)
    gname = gline.writes if gline is not None else (a.label(p.grad) if p.grad is not None else "")
    slope = a.step_slope(p)  # <0: moves against the gradient it is fed
    kind = OPTIMIZERS.get(p.optimizer, "optimizer step")
    if p.grad is None:  # the gradient is written inside the update
        m = compare(-delta, true) if true is not None else None
        if m is not None and m.rel < 1e-6 and m.factor > 0 and not m.transposed:
            L.verdict, L.factor = "update", m.factor
            L.message = f"{p.name} ← {p.name} − {m.factor:g}·{dg.d(p.name)} ({kind}; the gradient is computed in this line) ✓"
        else:
            L.verdict, L.ok = "wrong", False
            L.message = _inline_wrong(a, L, delta, true, m)
            if m is not None and m.rel < 1e-6 and m.factor < 0:
                _blame_sign(a, L)
        return
    if slope is None:
        L.verdict, L.ok, L.message = "wrong", False, f"this update does not move {p.name} along {gname}"
        return
    if slope * a.sign > 0 and p.optimizer != "gd":
        V = next((M for M in a.lines if M.kind == "optimizer" and M.node is p.step), None)
        if V is not None:  # `v = mu * v + lr * dW; W += v`: the velocity is built with the wrong sign
            V.ok, V.verdict = False, "wrong"
            V.message = (f"wrong sign: {V.writes} moves along +{gname} while the update adds it to {p.name}, a step "
                         f"*up* the loss (gradient ascent); build it with `- lr * {gname}`")
            L.verdict, L.ok = "wrong", False
            L.message = f"computed from the wrong {V.writes} ({a.place(V)}): {p.name} climbs the loss"
            if V not in L.inputs:
                L.inputs.append(V)
            return
    if slope * a.sign > 0:
        fix = L.code.split("#")[0].strip()
        fix = fix.replace("+=", "-=", 1) if "+=" in fix else fix.replace("-= -", "-= ", 1) if "-= -" in fix \
            else fix.replace(" + ", " - ", 1) if " + " in fix else f"{p.name} -= step_size * {gname}"
        L.verdict, L.ok = "wrong", False
        L.message = (f"wrong sign: this adds +{abs(slope):g}·{gname}, a step *up* the loss (gradient "
                     f"ascent); write `{fix}`")
        return
    L.factor = abs(slope)
    if gline is not None and not gline.ok:
        L.verdict, L.ok = "wrong", False
        L.message = (f"a descent step along {gname}, but {gname} is not {dg.d(p.name)}, so this update is "
                     f"wrong too")
        return
    L.verdict = "update"
    if p.optimizer == "gd":
        L.message = f"{p.name} ← {p.name} − {abs(slope):g}·{dg.d(p.name)} (gradient descent) ✓"
    else:
        L.message = f"{p.name}: {kind} along {dg.d(p.name)} ({gname}), downhill ✓"


def _blame_sign(a, L: Line) -> None:
    """An ascent step whose gradient is written inline: the earliest line where the sign flipped is wrong."""
    def flipped(M: Line) -> bool:
        return M.match is not None and not M.match.transposed and M.match.factor < 0 and M.ok

    chain = [M for M in L.inputs if flipped(M)]
    first = None
    while chain:
        M = chain.pop()
        first = M if first is None or M.order < first.order else first
        chain.extend(I for I in M.inputs if flipped(I))
    if first is None:
        return
    first.ok, first.verdict = False, "wrong"
    want = "−" if a.sign == -1 else "+"
    first.message = (f"{first.writes} = {dg.describe_factor(first.match.factor * a.sign, a.sizes)[0]} "
                     f"{dg.d(first.match.q.label)}, but the update on {a.place(L)} needs {want}{dg.d(first.match.q.label)} "
                     f"here: the sign is flipped, so the update climbs the loss")
    L.message = f"computed from the wrong {first.writes} ({a.place(first)}): " + L.message
    if first not in L.inputs:
        L.inputs.append(first)


def _inline_wrong(a, L: Line, delta, true: Optional[Candidate], m) -> str:
    p = L.param
    if m is not None and m.rel < 1e-6 and not m.transposed and m.factor < 0:
        return (f"wrong sign: this moves {p.name} along +{dg.d(p.name)}, a step *up* the loss (gradient ascent)")
    return f"this update does not move {p.name} against {dg.d(p.name)}"
