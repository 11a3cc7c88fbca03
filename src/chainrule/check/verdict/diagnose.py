"""Why a line is wrong, in the learner's terms: a factor, a transpose, a mask, a derivative, regularisation.

Every diagnosis is a hypothesis tested with numbers: the line's value is compared with what
it would hold under a specific mistake (the ReLU mask inverted, the tanh derivative written
``1 − H``, the regularisation term added twice, a missing division by ``N``, the activation's
derivative left out before this line ...).  Only a hypothesis that reproduces the value to
rounding error is stated.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from chainrule.check.oracle.replay import Unreplayable, replay
from chainrule.check.verdict.acts import KEYS, MASK_RULE, WRONG, Activation, hypotheses
from chainrule.check.verdict.match import Candidate, align, describe_factor, fit


def d(label: str) -> str:
    return f"∂L/∂{label}" if " " not in label and "(" not in label else f"∂L/∂({label})"


def _formula(kind: str) -> str:
    from chainrule.formulas import get

    return MASK_RULE if kind == "mask" else get(KEYS[kind]).text


def _holds(V: Any, G: Any, exact_factor: bool = False) -> Optional[float]:
    """The factor c if V = c·G (to rounding), else None."""
    if V is None or G is None or np.size(V) != np.size(G):
        return None
    A, tr = align(np.asarray(V, dtype=float), np.shape(G))
    if A is None or tr:
        return None
    r = fit(A, np.asarray(G, dtype=float), np.asarray(G, dtype=float))
    if r is None or r[1] > 1e-6:
        return None
    if exact_factor and abs(r[0] - 1) > 1e-6:
        return None
    return r[0]


def activation(a, L, acts: list[Activation]) -> Optional[str]:
    """The line holds U·(a wrong local factor) for an activation whose input gradient it should be."""
    V = L.value
    for act in acts:
        if V is None or np.size(V) != np.size(act.D):
            continue
        U = a.truth.grad(act.A)
        for h, H in hypotheses(act).items():
            if _holds(V, U * H) is None or _holds(V, U * act.D) is not None:
                continue
            Z, A = a.label(act.Z), a.label(act.A)
            if h == "missing":
                return (f"{L.writes} still holds {d(A)}, the gradient *after* the {act.kind}: the "
                        f"{act.kind} derivative is missing (should be {d(Z)}; {_formula(act.kind)})")
            if h == "inverted":
                return (f"the ReLU mask is inverted: it keeps the gradient where {Z} ≤ 0 and zeroes "
                        f"it where the unit was on ({_formula(act.kind)})")
            return (f"wrong {act.kind} derivative: this line multiplies by {WRONG[h]}; the rule is "
                    f"{_formula(act.kind)} with H = {A}")
    return None


def local_derivative(a, L, acts: list[Activation]) -> Optional[str]:
    """A factor computed from forward values only: the wrong local derivative of an activation?"""
    V = L.value
    for act in acts:
        if V is None or np.shape(V) != np.shape(act.D):
            continue
        for h, H in hypotheses(act).items():
            if h not in ("missing", "h", "inverted") and _holds(V, H, exact_factor=True) is not None:
                return (f"wrong {act.kind} derivative: {L.writes} = {WRONG[h]}, but the derivative of "
                        f"H = {a.label(act.A)} is {_formula(act.kind).split('⊙', 1)[-1].strip()}")
    return None


def regularisation(a, L, target: Candidate, pvalue: Any) -> Optional[str]:
    if L.value is None or pvalue is None:
        return None
    V, tr = align(np.asarray(L.value, dtype=float), target.g0.shape)
    if V is None or tr:
        return None
    R = V - target.g0
    P = np.asarray(pvalue, dtype=float).reshape(target.g0.shape)
    pp = float(np.sum(P * P))
    if pp == 0 or float(np.linalg.norm(R)) == 0:
        return None
    alpha = float(np.sum(R * P)) / pp
    if np.linalg.norm(R - alpha * P) > 1e-6 * max(np.linalg.norm(R), 1e-300):
        return None
    rname = next((k for k in a.graph.numbers if "reg" in k.lower() or k in ("lam", "lmbda", "lambd", "lambda_")),
                 "reg")
    P_ = target.label
    if alpha < 0:
        return (f"{L.writes} lacks the regularisation gradient: it is {d(P_)} − {-alpha:g}·{P_}; add "
                f"`{L.writes} += {rname} * {P_}` (l2.backward: ∂R/∂W = λW)")
    return (f"{L.writes} has too much regularisation: it is {d(P_)} + {alpha:g}·{P_} (the term is added "
            f"twice, or its factor is wrong; l2.backward: ∂R/∂W = λW)")


def what_if(a, L, substitute: dict[int, Any]) -> Any:
    """The value line ``L`` would write if some of its inputs held other values."""
    env = dict(substitute)
    own = {n.id for n in L.nodes}
    for n in L.nodes:
        for m in n.inputs():
            if m.id not in own and m.id not in env and m.id in a.values64:
                env[m.id] = a.values64[m.id]
    try:
        with np.errstate(all="ignore"):
            replay(L.nodes, np, env, is_input=lambda n: n.id not in own)
    except Unreplayable:
        return None
    v = env.get(L.node.id) if L.node is not None else None
    return np.asarray(v, dtype=float) if v is not None else None


def what_if_all(a, substitute: dict[int, Any]) -> Optional[dict[int, Any]]:
    """Every backward and optimizer value after ``substitute`` (node id -> value), replayed from it."""
    g = a.graph
    affected = set(substitute)
    nodes = []
    lo = min(substitute, default=0)
    for n in g.nodes:
        if n.id <= lo or n.id in affected or (n.id not in g.backward and n.id not in g.optimizer):
            continue
        if any(m.id in affected for m in n.inputs()) or n.prev is not None and n.prev.id in affected:
            affected.add(n.id)
            nodes.append(n)
    env = dict(substitute)
    for n in nodes:
        for m in n.inputs():
            if m.id not in affected and m.id not in env and m.id in a.values64:
                env[m.id] = a.values64[m.id]
    try:
        with np.errstate(all="ignore"):
            replay(nodes, np, env, is_input=lambda n: n.id not in affected)
    except Unreplayable:
        return None
    return env


def counterfactual(a, L, acts: list[Activation], target: Optional[Candidate]) -> Optional[str]:
    """An input holds ∂L/∂A (after an activation) but this line needs ∂L/∂Z: the derivative is missing before it."""
    for I in L.inputs:
        if I.value is None:
            continue
        for act in acts:
            U = a.truth.grad(act.A)
            c = _holds(I.value, U)
            if c is None or np.size(I.value) != np.size(act.D):
                continue
            fixed = c * np.asarray(a.truth.grad(act.Z), dtype=float).reshape(np.shape(I.value))
            new = what_if(a, L, {I.node.id: fixed})
            if new is None:
                continue
            ok = _holds(new, target.g0) is not None if target is not None else any(
                _holds(new, q.g0) is not None for q in a.candidates if q.g0.size == np.size(new))
            if ok:
                return (f"`{I.writes}` holds {d(a.label(act.A))} (after the {act.kind}), but this line needs "
                        f"{d(a.label(act.Z))}: the {act.kind} derivative is missing before this line "
                        f"({_formula(act.kind)})")
    return None


def factor_text(a, L, c: float, label: str) -> str:
    short, cause = describe_factor(c, a.sizes)
    msg = f"{L.writes} = {short} {d(label)}: {cause}"
    if "division by" in cause and "missing" in cause:
        name = cause.split("by ")[1].split(" ")[0]
        msg += f". Divide by {name} here (e.g. `{L.writes} /= {name}`) or right after"
    return msg


def no_effect(a, L) -> Optional[str]:
    """An in-place edit that changed nothing (``dhidden[hidden_layer < 0] = 0``)."""
    n = L.node
    if n is None or n.prev is None or n.op != "setitem":
        return None
    old = a.values64.get(n.prev.id, n.prev.value)
    if old is None or not np.array_equal(np.asarray(old), np.asarray(L.value)):
        return None
    msg = f"this line changes nothing: {L.writes} is the same before and after it"
    key = n.args[1] if len(n.args) > 1 else None
    from chainrule.check.record.state import Node as _N
    if isinstance(key, _N) and key.op in ("less", "less_equal", "greater", "greater_equal"):
        text = a.label(key)
        msg += f" (`{text}` is never true"
        for act in a.acts:
            if act.kind == "relu" and any(x is act.A for x in key.args):
                A, Z = a.label(act.A), a.label(act.Z)
                msg += f": {A} = max(0, ·) is never negative; use `{A} <= 0` or `{Z} <= 0`"
        msg += ")"
    return msg


def update_order(a, L) -> Optional[str]:
    """The line reads a parameter after its update."""
    updated = {p.final.id: p for p in a.graph.params} | {p.update.op.id: p for p in a.graph.params}
    for n in L.nodes:
        for m in n.inputs():
            p = updated.get(m.id)
            if p is not None:
                upd = next((U for U in a.lines if U.kind == "update" and U.param is p), None)
                where = f" on {a.place(upd)}" if upd is not None else ""
                return (f"it reads {p.name} after the update{where}; compute every gradient before "
                        f"updating the parameters")
    return None
