"""Each update judged as an optimizer step along the gradient it is fed (or written inline)."""

from __future__ import annotations

from typing import Optional

import numpy as np

from chainrule.check.record.state import Node, upstream
from chainrule.check.verdict import diagnose as dg
from chainrule.check.verdict.lines import Line
from chainrule.check.verdict.match import Candidate, compare
from chainrule.check.verdict.moments import first_moment_check


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
    div = a.__dict__.get("update_divides", {}).get(p.grad.id)
    if div is not None:  # the step along dW = N·∂L/∂W divides by N: its rate along ∂L/∂W is N times the slope
        L.factor = abs(slope) * div[0]
    if p.rescale:  # clipped by norm: the slope is the rate times the shrink factor
        L.factor = abs(slope) / p.rescale
    kappa, decay = _decay(a, p)
    if decay:
        L.verdict, L.ok, L.message = "wrong", False, decay
        _blame_clip(a, L)
        return
    moment = first_moment_check(a, p)
    if moment is not None:
        _blame_moment(a, L, *moment)
        return
    if gline is not None and not gline.ok:
        L.verdict, L.ok = "wrong", False
        L.message = (f"a descent step along {gname}, but {gname} is not {dg.d(p.name)}, so this update is "
                     f"wrong too")
        return
    L.verdict = "update"
    shrink = f"{1 - kappa:g}·" if kappa else ""
    wd = " with weight decay" if kappa else ""
    if p.clip is not None:
        wd += f", the gradient clipped to [{p.clip[0]:g}, {p.clip[1]:g}]"
    if p.rescale:
        wd += f", the gradient's norm clipped (scaled by {p.rescale:.4g})"
    if p.optimizer == "gd":
        grad = f"clip({dg.d(p.name)})" if p.clip is not None or p.rescale else dg.d(p.name)
        if div is not None:
            wd += f", with the mean's 1/{div[1]} applied here"
        L.message = f"{p.name} ← {shrink}{p.name} − {L.factor:g}·{grad} (gradient descent{wd}) ✓"
    else:
        L.message = f"{p.name}: {kind}{wd} along {dg.d(p.name)} ({gname}), downhill ✓"


def _blame_moment(a, L: Line, m, msg: str) -> None:
    """The statement that hands the uncorrected moment to the step (``m_hat = config['m']``) is wrong, else the update."""
    L.verdict, L.ok = "wrong", False
    own = (m.site.file, m.site.execution) if m.site is not None else None
    names = [b for b in a.run.tracer.bindings if (b.file, b.execution) != own and b.execution < L.execution
             and any(n is m for _, n in b.targets)]
    if not names:
        L.message = msg + "."
        return
    b = names[-1]
    text = next(t for t, n in b.targets if n is m)
    M = Line(b.file, b.line, b.execution, b.call, a.run.files.info(b.file).statement_text(b.line), text, m, [],
             "optimizer", verdict="wrong", ok=False, message=f"{text} = {a.label(m)}: {msg}.")
    a.lines.append(M)
    L.inputs.append(M)
    M.consumers.append(L)
    L.message = f"computed from the uncorrected {text} ({a.place(M)}): the step is not Adam's."


def _decay(a, p) -> tuple[float, str]:
    """(κ, what is wrong) for the part of the step made without the gradient: with a zero gradient and zero
    optimizer state an update may only shrink the parameter, P ← (1 − κ)·P with 0 ≤ κ < 1 (weight decay)."""
    G = np.asarray(a.values64.get(p.grad.id, p.grad.value), dtype=float)
    env = {p.grad.id: np.zeros_like(G)}
    env.update({s.id: np.zeros_like(np.asarray(s.value, dtype=float)) for s in p.state})
    rest = a._final(a.step_nodes(p), p, env)
    P = np.asarray(a.values64.get(p.leaf.id, p.leaf.value), dtype=float)
    if rest is None or np.shape(rest) != np.shape(P) or not np.all(np.isfinite(rest)):
        return 0.0, ""
    R, pp = rest - P, float(np.sum(P * P))
    if pp == 0 or float(np.linalg.norm(R)) <= 1e-9 * np.sqrt(pp):
        return 0.0, ""
    kappa = -float(np.sum(R * P)) / pp
    if float(np.linalg.norm(R + kappa * P)) > 1e-6 * float(np.linalg.norm(R)):
        return 0.0, _moved(a, p, P, R)  # not proportional to P: no weight decay
    if 0 <= kappa < 1:
        return kappa, ""
    what = "grows" if kappa < 0 else "zeroes" if abs(kappa - 1) < 1e-9 else "flips the sign of"
    msg = (f"wrong weight decay: besides the gradient step this update multiplies {p.name} by 1 − {kappa:g} = "
           f"{1 - kappa:g}, which {what} the weights; a weight decay shrinks them by a factor between 0 and 1")
    hint = next(((k, v) for k, v in a.sizes.items() if kappa > 1 and 0 < kappa / v < 1), None)
    if hint is not None:
        msg += f" (with a division by {hint[0]} = {hint[1]}: 1 − {kappa / hint[1]:g} = {1 - kappa / hint[1]:g})"
    return kappa, msg + "."


def _moved(a, p, P: np.ndarray, R: np.ndarray) -> str:
    """What is wrong with a step that moves P without a gradient, not in proportion to P: clipped weights.

    Only a clip of the parameter itself is judged (``np.clip`` on W, before or after the step); any other
    non-proportional rest is left alone, as before (nothing this rule can prove)."""
    clip = next((n for n in a.step_nodes(p) if n.op == "clip"), None) or _weight_clip(p)
    if clip is None:
        return ""
    kind = getattr(p.leaf.value, "dtype", np.dtype(float))
    eps = float(np.finfo(kind).eps) if kind.kind == "f" else float(np.finfo(float).eps)
    moved = np.abs(R) > max(1e-9, 8 * eps) * max(float(np.max(np.abs(P))), 1e-300)  # beyond the dtype's rounding
    if not np.any(moved):
        return ""
    count = f"{int(moved.sum())} of its {moved.size} entries move{'s' if int(moved.sum()) == 1 else ''}"
    return (f"wrong update: this update clips {p.name} itself (`np.clip` on the weights), so {count} even where "
            f"the gradient is zero; clip the gradient before the step instead (`dW = np.clip(dW, -c, c)`).")


def _weight_clip(p):
    """The ``np.clip`` of the parameter itself before its update (``W = np.clip(W, -c, c)``), if any."""
    return next((n for n in upstream([p.final], p.leaf.id + 1) if n.op == "clip" and n.id < p.update.op.id
                 and n.args and isinstance(n.args[0], Node) and n.args[0].obj == p.leaf.obj), None)


def _blame_clip(a, L: Line) -> None:
    """``W = np.clip(W, -c, c)`` in its own statement before ``W -= lr * dW``: that statement is the wrong line."""
    p = L.param
    clip = _weight_clip(p)
    if clip is None or clip.site is None or (clip.site.file, clip.site.execution) == (L.file, L.execution):
        return
    b = next((b for b in reversed(a.run.tracer.bindings) if any(n is clip for _, n in b.targets)), None)
    text = next((t for t, n in b.targets if n is clip), a.label(clip)) if b is not None else a.label(clip)
    file, line, exe = (b.file, b.line, b.execution) if b is not None else (clip.site.file, clip.site.line,
                                                                           clip.site.execution)
    C = Line(file, line, exe, b.call if b is not None else 0, a.run.files.info(file).statement_text(line), text,
             clip, [], "optimizer", verdict="wrong", ok=False, message=L.message.replace("this update clips", "this line clips"))
    a.lines.append(C)
    L.inputs.append(C)
    C.consumers.append(L)
    L.message = f"computed from the clipped weights {text} ({a.place(C)}): {p.name} is not moved along {dg.d(p.name)}."


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
