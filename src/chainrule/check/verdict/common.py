"""Small helpers shared by the verdict rules: signs, shapes, and the words for an intermediate value."""

from __future__ import annotations

import numpy as np

from chainrule.check.record.state import Node
from chainrule.check.verdict import diagnose as dg
from chainrule.check.verdict.jacobians import local_truth
from chainrule.check.verdict.lines import Line
from chainrule.check.verdict.match import Candidate


def _signed(a, v):
    return v if a.sign == 1 or v is None else -np.asarray(v)


def _local_ok(a, L: Line) -> bool:
    """Is a forward-only value the true local derivative of an activation (or a mask, or a softmax's Jacobian)?"""
    if L.node is not None and L.node.value is not None and L.node.value.dtype == bool:
        return True
    jac = local_truth(a, L)
    if jac is not None:
        return dg._holds(L.value, jac[2], exact_factor=True) is not None
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


def _intermediate_text(a, L: Line) -> str:
    if isinstance(L.value, np.ndarray) and L.node is not None and L.node.value is not None \
            and L.node.value.dtype == bool:
        return f"{L.writes} is a mask (not a gradient)"
    for act in a.acts:
        if L.value is not None and np.shape(L.value) == np.shape(act.D) and \
                dg._holds(L.value, act.D, exact_factor=True) is not None:
            return (f"{L.writes} is the {act.kind}'s local derivative d{a.label(act.A)}/d{a.label(act.Z)} "
                    f"(not a gradient yet) ✓")
    jac = local_truth(a, L)
    if jac is not None and dg._holds(L.value, jac[2], exact_factor=True) is not None:
        one = "of one example" if jac[1] is not None else "of every example"
        return (f"{L.writes} is the softmax's local Jacobian ∂{a.label(jac[0].A)}/∂{a.label(jac[0].scores)} {one}, "
                f"diag(s) − s·sᵀ (not a gradient yet) ✓")
    if L.closest is not None and L.closest.q.is_param:
        miss = dg.regularisation(a, L, L.closest.q, a.value_of_candidate(L.closest.q))
        if miss and "lacks" in miss:
            P_ = L.closest.q.label
            return (f"{L.writes} holds the data-loss part of {dg.d(P_)}; the regularisation term "
                    f"(λ·{P_}, from l2.backward) is still to be added")
    return f"{L.writes} holds an intermediate value, not yet a gradient"
