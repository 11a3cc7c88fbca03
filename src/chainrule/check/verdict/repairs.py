"""Where a mistake starts when a line's own value cannot say: what-if repairs over the line graph.

A suspect value is wrong only if a true value in its place (a true gradient, or the activation's true
local derivative for a value made from forward values only) repairs a line that uses it; a missing
activation derivative is blamed on the line that should have applied it; one extra factor shared by
every parameter's gradient is blamed on the single line that carries it.  A statement run once per
example (a softmax's Jacobian) is repaired in all its executions at once.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.check.verdict import diagnose as dg
from chainrule.check.verdict.acts import hypotheses
from chainrule.check.verdict.common import _intermediate_text, _signed
from chainrule.check.verdict.jacobians import diagnose as jac_diagnose
from chainrule.check.verdict.jacobians import local_truth
from chainrule.check.verdict.lines import Line
from chainrule.check.verdict.match import align


def _repairs(a) -> None:
    """A suspect intermediate is wrong only if a true gradient in its place repairs a line that uses it."""
    _statement_repairs(a)
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
        jac = local_truth(a, S)
        local = [act.D for act in derivs] + ([jac[2]] if jac is not None else [])
        trials += local  # the true local derivative (or a softmax's Jacobian)
        for C in S.consumers:
            if C.ok or C.node is None:
                continue
            for G in trials:
                A, tr = align(G, np.shape(S.value))
                if A is None:
                    continue
                new = dg.what_if(a, C, {S.node.id: A if any(G is D for D in local) else A * a.sign})
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
        elif jac is not None and G is jac[2]:
            S.message = jac_diagnose(a, S, jac[0], jac[1])
        elif any(G is act.D for act in derivs):
            act = next(act for act in derivs if G is act.D)
            for h, H in hypotheses(act).items():
                if h != "missing" and dg._holds(S.value, H, exact_factor=True) is not None:
                    S.message = (f"wrong {act.kind} derivative: {S.writes} is {dg.WRONG[h]}, but the derivative of "
                                 f"H = {a.label(act.A)} is {dg._formula(act.kind).split('⊙', 1)[-1].strip()}.")
                    break


def _statement_repairs(a) -> None:
    """A statement run once per example (a softmax's Jacobian built row by row) is wrong when its true value
    put into *every* execution at once repairs a wrong line after them (one execution alone cannot)."""
    groups: dict[tuple, list[Line]] = {}
    for S in a.lines:
        if S.kind == "backward" and S.node is not None and S.value is not None:
            groups.setdefault((S.file, S.line, S.writes), []).append(S)
    for group in groups.values():
        if len(group) < 2 or not any(S.suspect for S in group):
            continue
        truths = [local_truth(a, S) for S in group]
        if any(t is None for t in truths):
            _per_example_gradients(a, group)
            continue
        subst = {S.node.id: np.asarray(t[2], dtype=float).reshape(np.shape(S.value)) for S, t in zip(group, truths)}
        if not _repaired_after(a, subst, group):
            continue
        for S, t in zip(group, truths):
            S.ok, S.suspect, S.verdict = False, False, "wrong"
            S.message = jac_diagnose(a, S, t[0], t[1])


def _per_example_gradients(a, group: list[Line]) -> None:
    """A statement run once per example (``dz = err * w2 * (1 - a ** 2)`` for each row) is wrong when the true
    gradients of one forward statement run as often (``z = x @ W1 + b1``), one per execution, put into every
    execution at once repair a wrong line after them (the accumulated ``dW1``)."""
    size = np.size(group[0].value)
    families: dict[tuple, list] = {}
    for q in a.candidates:
        n = a.graph.by_id.get(q.key)
        if n is not None and n.site is not None and not q.is_param and q.g0.size == size and not q.part:
            families.setdefault((n.site.file, n.site.line, n.op), []).append((n.id, q))
    for members in families.values():
        if len(members) != len(group):
            continue
        members.sort(key=lambda m: m[0])
        subst = {}
        for S, (_, q) in zip(group, members):
            A, _ = align(q.g0, np.shape(S.value))
            if A is None:
                break
            subst[S.node.id] = A * a.sign
        if len(subst) == len(group) and _repaired_after(a, subst, group):
            for S, (_, q) in zip(group, members):
                S.ok, S.suspect, S.verdict, S.gradient_of = False, False, "wrong", q.label
                S.message = (f"{S.writes} should be (a multiple of) {dg.d(q.label)} for this example, but it is "
                             f"not: the true gradient here repairs the lines after it")
                diag = dg.activation(a, S, a.acts)
                if diag:
                    S.message += f"; {diag}"
            return


def _repaired_after(a, subst: dict[int, Any], group: list[Line]) -> bool:
    """Does a wrong line after these values become right when they hold ``subst``?"""
    env = dg.what_if_all(a, subst)
    if env is None:
        return False
    for C in a.lines:
        if C.ok or C in group or C.node is None or C.node.id not in env:
            continue
        new = np.asarray(env[C.node.id], dtype=float)
        goal = [C.aim] if C.aim is not None else [q for q in a.candidates if q.g0.size == np.size(new)]
        if C.kind != "update" and any(dg._holds(_signed(a, new), q.g0) is not None for q in goal if q is not None):
            return True
    return False


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
