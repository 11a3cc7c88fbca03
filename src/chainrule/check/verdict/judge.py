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
* an update is right when it is a descent step along the true gradient (:mod:`.updates`).

Where a line's value alone cannot say where a mistake starts, :mod:`.repairs` decides with what-if
replays.  The culprit is the earliest wrong line whose inputs are right.
"""

from __future__ import annotations

import numpy as np

from chainrule.check.verdict import diagnose as dg
from chainrule.check.verdict.aims import _aims
from chainrule.check.verdict.common import _intermediate_text, _is_factor, _local_ok, _signed, _widens, fmt_shape
from chainrule.check.verdict.repairs import _extra_factor_upstream, _missing_derivative, _repairs
from chainrule.check.verdict.updates import _update
from chainrule.check.verdict.lines import Line
from chainrule.check.verdict.match import align, best_match, compare


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
            L.verdict, L.message = "intermediate", _optimizer_text(a, L)
        elif L.kind == "alias":
            _alias(a, L)
        else:
            _backward(a, L)
    _repairs(a)
    _missing_derivative(a)
    for L in list(lines):
        if L.kind == "update" and not (L.param is not None and L.param.grad is None):
            _update(a, L)  # may add the optimizer line an update's mistake comes from
    lines.sort(key=lambda L: (L.order, L.execution))
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
            verb = "divides" if abs(m.factor) > 1 else "rescales"
            L.message = (f"{L.writes} = {short} {dg.d(m.q.label)} (not yet the gradient: {what} "
                         f"{verb if what == 'a later line' else verb[:-1]} it)")
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


def _gradient(a, L: Line) -> None:
    L.verdict, L.factor = "gradient", 1.0
    q = L.match.q if L.match is not None else L.aim
    L.gradient_of = q.label
    conv = " (your sign convention: the negative gradient)" if a.sign == -1 else ""
    div = a.__dict__.get("update_divides", {}).get(L.node.id) if L.aim is not None and q is L.aim else None
    if div is not None:  # `W -= lr * dW / N`: dW is N·∂L/∂W and the update divides
        L.verdict, L.factor = "scaled", div[0]
        L.message = (f"{L.writes} = {div[0]:g} × {'−' if a.sign == -1 else ''}{dg.d(q.label)}; the update divides "
                     f"it by {div[1]} (= {div[0]:g}) ✓{conv}")
        return
    L.message = f"{L.writes} = {'−' if a.sign == -1 else ''}{dg.d(q.label)} ✓{conv}"


def _optimizer_text(a, L: Line) -> str:
    """A state update of the optimizer, or the gradient clipping that is part of it."""
    p = next((p for p in a.graph.params if p.clip is not None and L.node is not None and L.node.id in p.region
              and L.node.op == "clip"), None)
    q = next((p for p in a.graph.params if p.rescale and L.node is not None and L.node.id in p.region
              and L.node.op in ("multiply", "divide", "true_divide")), None)
    if p is None and q is not None:
        return (f"gradient clipping by norm: {L.writes} = {q.rescale:.4g} × {dg.d(q.name)}, scaled down so that "
                f"its norm stays under the limit (part of the optimizer step below)")
    if p is None:
        norm = next((r for r in a.graph.params if r.rescale and L.node is not None and L.node.id in r.region
                     and np.size(L.node.value) == 1), None)
        return ("the gradient's norm, for the clipping below (part of the optimizer step)" if norm is not None
                else "part of the optimizer step below (state update)")
    lo, hi = p.clip
    return (f"gradient clipping: {L.writes} = {dg.d(p.name)} with every entry clipped to [{lo:g}, {hi:g}] "
            f"(part of the optimizer step below)")


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
            what = src.writes[4:] if src.writes.startswith("the ") else src.writes  # "the returned value"
            L.message = f"computed from the wrong {what} ({a.place(src)}): " + L.message
