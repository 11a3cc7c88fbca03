"""Verdicts: what each backward line holds, whether it is right, each update as an optimizer step, the culprit.

Rules (the lines are judged from the last to the first, since a value's verdict depends on
what is done with it):

* the array fed to the optimizer for parameter ``P`` must be exactly ∂L/∂P;
* an exact gradient (c = 1) of any forward quantity is right;
* a scaled gradient (c ≠ 1) is right while a later line fixes the factor — wrong when the
  lines that use it carry the factor on (they hold scaled gradients too);
* a transposed gradient is wrong;
* a value that is no gradient is an intermediate (a mask, ``dscores = probs``), right while
  the lines that use it are right; a local derivative computed from forward values only is
  checked against the activation's true derivative; otherwise, when the lines that use it are
  wrong, it is suspect — and wrong if putting a true gradient in its place repairs them;
* an update is right when it is a descent step along the true gradient (for momentum,
  Nesterov, RMSProp, Adam: the step moves against any small change of the gradient).

The culprit is the earliest wrong line whose inputs are right.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from chainrule.check.record.state import Node
from chainrule.check.verdict import diagnose as dg
from chainrule.check.verdict.acts import hypotheses
from chainrule.check.verdict.lines import Line
from chainrule.check.verdict.match import Candidate, best_match, compare, fit, align

OPTIMIZERS = {"gd": "gradient descent", "momentum": "momentum step", "nesterov": "Nesterov momentum step",
              "adagrad": "Adagrad step", "rmsprop": "RMSProp step", "adam": "Adam step", "other": "optimizer step"}


def _aims(a) -> dict:
    """What the array fed to each parameter's optimizer, and its earlier versions, must hold.

    ``dW = X.T @ dh`` then ``dW += reg * W``: the first version must be ∂L/∂W − reg·W.  If the final
    array is off by exactly one of the terms added in place (``dW += reg * W`` twice), that
    addition is the wrong line and the versions before it are judged without it.
    """
    aims = {}
    for p in a.graph.params:
        q = a.param_candidate(p)
        if p.grad is None or q is None:
            continue
        aims[p.grad.id] = q
        chain = []  # (version node, the term it added, already signed as a gradient term)
        n = p.grad
        while n.prev is not None and n.op in ("add", "subtract") and len(n.args) >= 2 \
                and isinstance(n.args[0], Node) and n.args[0].obj == n.obj:
            other = n.args[1]
            R = a.values64.get(other.id, other.value) if isinstance(other, Node) else other
            try:
                R = np.broadcast_to(np.asarray(R, dtype=float), q.g0.shape)
            except ValueError:
                break
            chain.append((n, (1 if n.op == "add" else -1) * a.sign * R, a.label(other) if isinstance(other, Node)
                          else repr(other)))
            n = n.args[0]
        if not chain:
            continue
        final = _signed(a, np.asarray(a.values64.get(p.grad.id, p.grad.value), dtype=float))
        extra = None
        if final.shape == q.g0.shape and np.linalg.norm(final - q.g0) > 1e-6 * max(np.linalg.norm(q.g0), 1e-300):
            E = final - q.g0
            for k, (v, R, _) in enumerate(chain):
                rr = float(np.sum(R * R))
                alpha = float(np.sum(E * R)) / rr if rr > 0 else 0.0
                if alpha and np.linalg.norm(E - alpha * R) <= 1e-6 * max(np.linalg.norm(E), 1e-300):
                    extra = (k, alpha)  # this addition is too big (alpha = 1: it should not be there)
                    break
        g0, g1, added = q.g0, q.g1, []
        for k, (v, R, text) in enumerate(chain):
            prev = v.args[0]
            if extra is not None and k == extra[0]:
                aims[v.id] = Candidate(q.key, q.label, g0, g1, True, True, part=" + ".join(reversed(added)))
                right = R * (1 - extra[1])  # what this line should have added
                g0, g1 = g0 - right, g1 - right
                added.append(text)
                aims[prev.id] = Candidate(q.key, q.label, g0, g1, True, True, part=" + ".join(reversed(added)))
                continue
            g0, g1 = g0 - R, g1 - R
            added.append(text)
            aims[prev.id] = Candidate(q.key, q.label, g0, g1, True, True, part=" + ".join(reversed(added)))
    return aims


def judge(a) -> None:
    lines = a.lines
    aims = _aims(a)
    for L in lines:
        if L.kind == "backward" and L.node is not None:
            L.aim = aims.get(L.node.id)
            L.floor = _floor(a, L)
            L.match, L.closest = best_match(_signed(a, L.value), a.candidates, floor=L.floor)
            if L.aim is not None and (L.match is None or L.match.q is not L.aim):
                L.closest = compare(_signed(a, L.value), L.aim, L.floor) or L.closest
    for L in lines:  # updates with the gradient written inline judge themselves: the lines before need them
        if L.kind == "update" and L.param is not None and L.param.grad is None:
            _update(a, L)
    for L in reversed(lines):
        if L.kind == "update":
            continue  # below, once the gradients they are fed are judged
        elif L.kind == "error":
            L.verdict, L.ok = "error", False
            L.message = "raises: " + a.translate(L.node)
        elif L.kind == "optimizer":
            L.verdict, L.message = "intermediate", "part of the optimizer step below (state update)"
        elif L.kind == "alias":
            _alias(a, L)
        else:
            _backward(a, L)
    _repairs(a)
    _missing_derivative(a)
    for L in lines:
        if L.kind == "update" and not (L.param is not None and L.param.grad is None):
            _update(a, L)
    _culprit(a)
    _downstream(a)


def _floor(a, L: Line) -> float:
    """Rounding noise of a zero for this line: a tiny fraction of the size of what it was computed from."""
    cache = a.__dict__.setdefault("_norms", {})
    norms = []
    for n in L.nodes:
        for m in n.inputs():
            if m.id not in cache:
                v = a.values64.get(m.id, m.value)
                ok = isinstance(v, np.ndarray) and v.dtype.kind == "f" and v.size
                flat = np.ravel(v) if ok else None  # a view for contiguous arrays: no temporary copy
                cache[m.id] = float(np.sqrt(np.dot(flat, flat))) if ok else 0.0
            norms.append(cache[m.id])
    return 1e-9 * max(norms, default=0.0)


def _signed(a, v):
    return v if a.sign == 1 or v is None else -np.asarray(v)


def _later_exact(L: Line) -> bool:
    """A later line overwrites this variable with an exact gradient of the same quantity (dscores /= N)."""
    todo, seen = list(L.consumers), set()
    while todo:
        c = todo.pop()
        if id(c) in seen:
            continue
        seen.add(id(c))
        if c.node is not None and L.node is not None and c.node.obj == L.node.obj:
            if c.match is not None and L.match is not None and c.match.q is L.match.q and c.match.exact:
                return True
            todo.extend(c.consumers)
    return False


def _backward(a, L: Line) -> None:
    m = L.match
    if L.node is not None and L.node.error is not None:
        L.verdict, L.ok, L.message = "error", False, "raises: " + a.translate(L.node)
        return
    if m is not None:
        L.gradient_of, L.rel_error, L.factor = m.q.label, m.rel, m.factor * a.sign
    eff = dg.no_effect(a, L)
    if eff:
        L.verdict, L.ok = "wrong", False
        diag = dg.activation(a, L, a.acts)
        L.message = eff + (f"; {diag}" if diag else "")
        return
    if L.aim is not None:
        ma = m if m is not None and m.q is L.aim else compare(_signed(a, L.value), L.aim, L.floor)
        widened = _widens(L.value, L.aim)
        if widened:
            L.verdict, L.ok, L.gradient_of = "wrong", False, L.aim.label
            L.message = (f"{L.writes} has shape {fmt_shape(np.shape(L.value))} but {L.aim.label} has shape "
                         f"{fmt_shape(L.aim.g0.shape)}: in the update numpy broadcasts them to {widened}, so "
                         f"{L.aim.label} changes shape (keep the summed axis with `keepdims=True`, or reshape).")
            return
        if ma is not None and ma.exact:
            L.match = ma
            if L.aim.part:
                L.verdict, L.gradient_of, L.factor = "intermediate", L.aim.label, None
                L.message = (f"{L.writes} holds the part of {dg.d(L.aim.label)} without {L.aim.part}, which a "
                             f"later line adds ✓")
            else:
                _gradient(a, L)
        else:
            L.verdict, L.ok = "wrong", False
            L.gradient_of = L.aim.label
            L.closest = ma or L.closest
        return
    if m is not None and m.exact:
        _gradient(a, L)
    elif m is not None and not m.transposed:
        cons = L.consumers
        fixed = any(c.ok and c.match is not None and c.match.exact for c in cons)  # dZ2 = A2 - Y; dW2 = dZ2 A1ᵀ / m
        carried = any(not c.ok and c.match is not None and not c.match.transposed and
                      (abs(c.match.factor - m.factor) <= 1e-6 * abs(m.factor) or c.match.factor < 0 < -m.factor)
                      for c in cons)  # the same factor, or the same wrong sign, goes on
        if _later_exact(L) or fixed or (cons and not carried):
            L.verdict = "scaled"
            short, _ = dg.describe_factor(m.factor * a.sign, a.sizes)
            what = "a later line" if _later_exact(L) else "the lines that use it"
            L.message = (f"{L.writes} = {short} {dg.d(m.q.label)} (not yet the gradient: {what} "
                         f"{'divides' if abs(m.factor) > 1 else 'rescales'} it)")
        else:
            L.verdict, L.ok = "wrong", False
    elif m is not None:
        L.verdict, L.ok = "wrong", False
    else:
        cons = L.consumers
        forward_only = not any(i.kind == "backward" for i in L.inputs)
        if forward_only and _is_factor(L) and dg.local_derivative(a, L, a.acts) and not all(c.ok for c in cons):
            L.verdict, L.ok = "wrong", False
        elif not cons or all(c.ok for c in cons) or (forward_only and _local_ok(a, L)):
            L.verdict = "intermediate"
            L.message = _intermediate_text(a, L)
        else:
            L.verdict, L.ok, L.suspect = "wrong", False, True


def _local_ok(a, L: Line) -> bool:
    """Is a forward-only value the true local derivative of an activation (or a mask)?"""
    if L.node is not None and L.node.value is not None and L.node.value.dtype == bool:
        return True
    return any(L.value is not None and np.shape(L.value) == np.shape(act.D)
               and dg._holds(L.value, act.D, exact_factor=True) is not None for act in a.acts)


def fmt_shape(s) -> str:
    return "(" + ", ".join(str(x) for x in s) + ("," if len(s) == 1 else "") + ")"


def _widens(V, q: Candidate) -> str:
    """The broadcast shape when ``P - lr * V`` would not keep the parameter's shape, else ''."""
    if V is None or np.shape(V) == q.g0.shape:
        return ""
    try:
        b = np.broadcast_shapes(np.shape(V), q.g0.shape)
    except ValueError:
        return ""
    return fmt_shape(b) if b != q.g0.shape else ""


def _is_factor(L: Line) -> bool:
    """Is the value multiplied into a backward value (``delta * sigmoid_prime(z)``)?"""
    for c in L.consumers:
        for n in c.nodes:
            if n.op == "multiply" and any(x is L.node for x in n.args) and \
                    any(isinstance(x, Node) and x is not L.node and x not in c.nodes or x in c.nodes and x is not L.node
                        for x in n.args if isinstance(x, Node)):
                return True
    return False


def _gradient(a, L: Line) -> None:
    L.verdict, L.factor = "gradient", 1.0
    q = L.match.q if L.match is not None else L.aim
    L.gradient_of = q.label
    conv = " (your sign convention: the negative gradient)" if a.sign == -1 else ""
    L.message = f"{L.writes} = {'−' if a.sign == -1 else ''}{dg.d(q.label)} ✓{conv}"


def _intermediate_text(a, L: Line) -> str:
    if isinstance(L.value, np.ndarray) and L.node is not None and L.node.value is not None \
            and L.node.value.dtype == bool:
        return f"{L.writes} is a mask (not a gradient)"
    for act in a.acts:
        if L.value is not None and np.shape(L.value) == np.shape(act.D) and \
                dg._holds(L.value, act.D, exact_factor=True) is not None:
            return (f"{L.writes} is the {act.kind}'s local derivative d{a.label(act.A)}/d{a.label(act.Z)} "
                    f"(not a gradient yet) ✓")
    if L.closest is not None and L.closest.q.is_param:
        miss = dg.regularisation(a, L, L.closest.q, a.value_of_candidate(L.closest.q))
        if miss and "lacks" in miss:
            P_ = L.closest.q.label
            return (f"{L.writes} holds the data-loss part of {dg.d(P_)}; the regularisation term "
                    f"(λ·{P_}, from l2.backward) is still to be added")
    return f"{L.writes} holds an intermediate value, not yet a gradient"


def _alias(a, L: Line) -> None:
    src = L.note
    L.verdict = "intermediate"
    if L.writes == "the returned value" and L.node.id not in a.graph.backward and L.consumers \
            and not all(c.ok for c in L.consumers):
        L.ok, L.verdict, L.suspect = False, "wrong", True  # a forward value handed on as a factor: repairs decide
        return
    later = any(n.prev is not None and n.obj == L.node.obj for n in a.graph.nodes if n.id > L.node.id)
    L.message = (f"{L.writes} holds {src} (not a gradient yet). It is the *same array* as {src}, not a copy"
                 + (f": the next in-place edits change {src} too (use `{src}.copy()` to keep it)" if later else ""))


def _wrong_text(a, L: Line) -> str:
    parts = []
    order = dg.update_order(a, L)
    if order:
        parts.append(order)
    target = L.aim
    m = L.match if L.match is not None else L.closest
    if not parts and target is not None and m is not None and m.q is target and not m.transposed and m.rel < 1e-6:
        parts.append(dg.factor_text(a, L, m.factor * a.sign, target.label))
    if not parts and target is None and L.match is not None and not L.match.transposed:
        parts.append(dg.factor_text(a, L, L.match.factor * a.sign, L.match.q.label))
    if not parts and m is not None and m.transposed and m.rel < 1e-6:
        q = m.q
        parts.append(f"{L.writes} holds the transpose of {dg.d(q.label)} (shape {tuple(np.shape(L.value))}, "
                     f"but {q.label} has shape {tuple(q.g0.shape)}): swap the operands and transpose them")
    for fn in (lambda: dg.regularisation(a, L, target, a.value_of_candidate(target)) if target else None,
               lambda: dg.activation(a, L, a.acts),
               lambda: dg.local_derivative(a, L, a.acts),
               lambda: dg.counterfactual(a, L, a.acts, target)):
        if not parts:
            t = fn()
            if t:
                parts.append(t)
    if parts and target is not None and target.label not in parts[-1] and not target.part:
        parts.append(f"{L.writes} should be {dg.d(target.label)}")
    if not parts:
        if target is not None:
            V, tr = align(np.asarray(L.value, dtype=float), target.g0.shape) if isinstance(L.value, np.ndarray) \
                else (None, False)
            if V is None:
                parts.append(f"{L.writes} has shape {tuple(np.shape(L.value))} but {target.label} has "
                             f"shape {tuple(target.g0.shape)}")
            else:
                r = float(np.linalg.norm(_signed(a, V) - target.g0) / max(np.linalg.norm(target.g0), 1e-300))
                parts.append(f"{L.writes} should be {dg.d(target.label)} but differs from it (relative error {r:.2g})")
                L.rel_error = r
        elif L.closest is not None:
            parts.append(f"{L.writes} matches no gradient; closest is {dg.d(L.closest.q.label)} "
                         f"(relative error {L.closest.rel:.2g})")
        else:
            parts.append(f"{L.writes} (shape {tuple(np.shape(L.value))}) matches no gradient of the loss")
    return "; ".join(parts) + "."


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


def _repairs(a) -> None:
    """A suspect intermediate is wrong only if a true gradient in its place repairs a line that uses it."""
    for S in a.lines:
        if not S.suspect or S.value is None:
            continue
        repaired = False
        forward_only = S.kind == "alias" or not any(i.kind == "backward" for i in S.inputs)
        # a value made from forward values only is a local factor, never a gradient: only derivatives are
        # tried — unless it reads the targets (``dA2 = -(Y / A2 - ...)`` starts the backward pass)
        seed = forward_only and S.kind != "alias" and _reads_targets(a, S)
        trials = [] if forward_only and not seed else [q.g0 for q in a.candidates if q.g0.size == np.size(S.value)]
        derivs = [act for act in a.acts if act.D.size == np.size(S.value)]
        trials += [act.D for act in derivs]  # the true local derivative
        for C in S.consumers:
            if C.ok or C.node is None:
                continue
            for G in trials:
                A, tr = align(G, np.shape(S.value))
                if A is None:
                    continue
                new = dg.what_if(a, C, {S.node.id: A if any(A is act.D for act in derivs) else A * a.sign})
                if new is None:
                    continue
                if C.kind == "update" and C.param is not None:  # an update with its gradient written inline
                    q = a.param_candidate(C.param)
                    step = new - np.asarray(C.param.leaf.value, dtype=float) if np.shape(new) == np.shape(
                        C.param.leaf.value) else None
                    if q is not None and step is not None and (dg._holds(step, q.g0) or 0) < 0:
                        repaired = True
                        break
                    continue
                goal = C.aim
                targets = [goal] if goal is not None else [x for x in a.candidates if x.g0.size == np.size(new)]
                if any(dg._holds(_signed(a, new), t.g0) is not None for t in targets if t is not None):
                    repaired = True
                    break
            if repaired:
                break
        if repaired and _also_forward(a, S):
            # `nonlin(l1)` instead of `nonlin(l1, deriv=True)`: the helper is right, the call is not
            C.ok, C.verdict = False, "wrong"
            C.message = (f"{C.writes} multiplies by `{S.code}` from a helper that computes the forward function "
                         f"here as well (as in the forward pass), not its derivative")
            repaired = False
        if not repaired:
            S.ok, S.suspect, S.verdict = True, False, "intermediate"
            S.message = _intermediate_text(a, S) if S.kind != "alias" else S.message
        elif any(G is act.D for act in derivs):
            act = next(act for act in derivs if G is act.D)
            for h, H in hypotheses(act).items():
                if h != "missing" and dg._holds(S.value, H, exact_factor=True) is not None:
                    S.message = (f"wrong {act.kind} derivative: {S.writes} is {dg.WRONG[h]}, but the derivative of "
                                 f"H = {a.label(act.A)} is {dg._formula(act.kind).split('⊙', 1)[-1].strip()}.")
                    break


def _missing_derivative(a) -> None:
    """A line holds (c×) ∂L/∂A after an activation, but the lines that use it need ∂L/∂Z: the derivative
    is missing right there (``dZ1 = W2.T @ dZ2`` without ``* (Z1 > 0)``; a ReLU layer's ``return grad``)."""
    for I in a.lines:
        if not I.ok or I.kind not in ("backward",) or I.match is None or I.match.transposed:
            continue
        acts = [act for act in a.acts if act.A.id == I.match.q.key]
        wrong = [C for C in I.consumers if not C.ok and C.kind in ("backward", "error")]
        if not acts or not wrong or any(C.node is not None and C.node.obj == I.node.obj for C in wrong):
            continue  # a later edit of the same array (a mask line) is where the derivative goes wrong
        act = acts[0]
        c = I.match.factor
        fixed = c * np.asarray(a.truth.grad(act.Z), dtype=float).reshape(np.shape(I.value))
        repaired = 0
        for C in wrong:
            new = dg.what_if(a, C, {I.node.id: fixed * a.sign})
            goal = [C.aim] if C.aim is not None else [q for q in a.candidates if new is not None and q.g0.size == np.size(new)]
            if new is not None and any(dg._holds(_signed(a, new), q.g0) is not None for q in goal if q is not None):
                repaired += 1
        if not repaired:
            continue
        # the last line that passes this array on (a ReLU layer's `return grad`) is where the mask belongs
        passes = [L for L in a.lines if L.kind == "alias" and L.node is I.node and L.order >= I.order]
        target = passes[-1] if passes else I
        target.ok, target.verdict = False, "wrong"
        target.gradient_of = a.label(act.Z)
        A, Z = a.label(act.A), a.label(act.Z)
        target.message = (f"{target.writes} holds {dg.d(A)}, the gradient *after* the {act.kind}, but the lines that "
                          f"use it need {dg.d(Z)}: the {act.kind} derivative is missing here ({dg._formula(act.kind)}).")
        for C in wrong:
            if target not in C.inputs:
                C.inputs.append(target)


def _reads_targets(a, S: Line) -> bool:
    """Does the line read the targets (where the backward pass starts: ``y - out``, ``-(Y / A2 - ...)``)?"""
    targets = getattr(a, "_targets", None)
    if targets is None:
        from chainrule.check.oracle.losses import seeds

        targets = {t.obj for _, t, _ in seeds(a.graph)}
        a._targets = targets
    for n in S.nodes:
        for m in n.inputs():  # (index keys are among the inputs too)
            if m.obj in targets:
                return True
    return False


def _also_forward(a, S: Line) -> bool:
    """Did the same line of a helper also compute part of the forward pass?"""
    for n in a.graph.nodes:
        if n.id in a.graph.forward and n.site is not None and n.site.file == S.file:
            st = a.run.files.info(n.site.file).statement(n.site.line, n.site.col)
            if st is not None and st.lineno == S.line:
                return True
    return False


def _extra_factor_upstream(a) -> None:
    """Every parameter's gradient is off by one common factor, in helper lines run for every layer, and one
    line before them all (run once) carries exactly that factor already (``dAL = ... / m`` with Ng's
    ``dW = 1/m * dZ @ A.T``): that single line holds the extra factor."""
    aimed = [L for L in a.lines if L.aim is not None and not L.aim.part]
    if not aimed or any(L.ok for L in aimed):
        return
    fs = [L.closest.factor if L.closest is not None and L.closest.q is L.aim and L.closest.rel < 1e-6 else None
          for L in aimed]
    if None in fs or max(fs) - min(fs) > 1e-6 * abs(fs[0]) or abs(fs[0] - 1) < 1e-6:
        return
    c = fs[0]
    runs: dict = {}
    for L in a.lines:
        runs[(L.file, L.line)] = runs.get((L.file, L.line), 0) + 1
    if any(runs[(L.file, L.line)] < 2 for L in aimed):
        return
    for X in a.lines:
        if X.kind != "backward" or not X.ok or runs[(X.file, X.line)] != 1 or X.match is None:
            continue
        if all(_upstream_of(X, L) for L in aimed):
            X.ok, X.verdict = False, "wrong"
            X.message = (f"{X.writes} = {dg.d(X.match.q.label)} already, but the lines after it divide by the same "
                         f"number again (every parameter's gradient comes out {dg.describe_factor(c, a.sizes)[0]} "
                         f"the true one): keep the 1/N in one place only")
            return


def _upstream_of(X: Line, L: Line) -> bool:
    todo, seen = [L], set()
    while todo:
        M = todo.pop()
        if M is X:
            return True
        if id(M) in seen:
            continue
        seen.add(id(M))
        todo.extend(M.inputs)
    return False


def _culprit(a) -> None:
    a.culprit = None
    _extra_factor_upstream(a)
    bad = [L for L in a.lines if not L.ok]
    for L in bad:
        if all(i.ok for i in L.inputs):
            a.culprit = L
            break
    if a.culprit is None and bad:
        a.culprit = bad[0]
    for L in bad:
        if not L.message:
            L.message = _wrong_text(a, L)


def _downstream(a) -> None:
    """Lines computed from a wrong value say so."""
    for L in a.lines:
        if L.ok or L is a.culprit:
            continue
        wrong_in = [i for i in L.inputs if not i.ok]
        if wrong_in and "computed from" not in L.message and L.kind != "update":
            src = wrong_in[0]
            L.message = f"computed from the wrong {src.writes} ({a.place(src)}): " + L.message
