"""Softmax layers and their true local Jacobians, one per example.

An elementwise activation has a diagonal local derivative (:mod:`.acts`: ``D`` has ``Z``'s shape).
A softmax mixes the entries of one example, so its local derivative is a K×K matrix per example::

    J_i = ∂A_i/∂Z_i = diag(a_i) − a_i a_iᵀ

The nnfs book's separate softmax backward builds it example by example
(``np.diagflat(s) - np.dot(s, s.T)``).  Autograd gives every example's J with K vector-Jacobian
products of the recorded softmax (computed only when a line needs it).  A value computed from
forward values only that reads one example of the softmax (``single_output = self.output[i]``) is
checked against that example's J; a batched ``(N, K, K)`` array against all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import autograd
import autograd.numpy as anp
import numpy as np

from chainrule.check.graph import Graph
from chainrule.check.oracle.replay import replay
from chainrule.check.record.state import Node

MAX_CLASSES = 256
MAX_ENTRIES = 4_000_000  # examples × K × K kept in memory


@dataclass(eq=False)
class Softmax:
    Z: Node  # the scores
    A: Node  # the probabilities
    axis: int  # the axis normalised over (1: one example per row, 0: one per column)
    values: dict = field(repr=False, default_factory=dict)
    _J: Any = None

    @property
    def scores(self) -> Node:
        """``Z`` as the learner names it: the input of ``Z − max(Z)`` when the scores are shifted first."""
        z = self.Z
        if z.op == "subtract" and len(z.args) == 2 and isinstance(z.args[0], Node) and isinstance(z.args[1], Node) \
                and z.args[1].op in ("max", "amax", "maximum.reduce") and z.args[1].args \
                and z.args[1].args[0] is z.args[0]:
            return z.args[0]
        return z

    @property
    def classes(self) -> int:
        return int(np.shape(self.A.value)[self.axis])

    def jacobians(self, g: Graph) -> Optional[np.ndarray]:
        """``J[e, k, j] = ∂A[e, k]/∂Z[e, j]`` for example ``e`` (``None`` when too large)."""
        if self._J is not None:
            return self._J if self._J is not False else None
        self._J = False
        K = self.classes
        zval = np.asarray(self.values.get(self.Z.id, self.Z.value), dtype=float)
        E = zval.shape[1 - self.axis]
        if K > MAX_CLASSES or E * K * K > MAX_ENTRIES:
            return None
        sub = [m for m in g.nodes if self.Z.id < m.id <= self.A.id and m.id in g.forward]
        Z, A = self.Z, self.A

        def f(z):
            env = {Z.id: z}
            replay(sub, anp, env, is_input=lambda m: m.id < Z.id and g.is_input(m))
            return env[A.id]
        try:
            vjp, _ = autograd.make_vjp(f)(zval)
            J = np.empty((E, K, K))
            for k in range(K):
                ct = np.zeros_like(zval)
                ct[(slice(None), k) if self.axis == 1 else (k, slice(None))] = 1.0
                r = np.asarray(vjp(ct), dtype=float)  # example e holds ∂A[e, k]/∂Z[e, :]
                J[:, k, :] = r if self.axis == 1 else r.T
        except Exception:
            return None
        self._J = J
        return J


def classify(n: Node) -> Optional[tuple[Node, int]]:
    """(scores, axis) when ``n`` is ``exp(Z) / sum(exp(Z), axis)`` (also with ``Z − max(Z)`` inside)."""
    if n.op not in ("divide", "true_divide") or len(n.args) != 2:
        return None
    num, den = n.args
    if not (isinstance(num, Node) and num.op == "exp" and num.args and isinstance(den, Node)
            and den.op in ("sum", "add.reduce") and den.args):
        return None
    e = den.args[0]
    if not (isinstance(e, Node) and e.op == "exp" and (e is num or e.args and e.args[0] is num.args[0])):
        return None
    axis = den.kwargs.get("axis", den.args[1] if len(den.args) > 1 else None)
    Z = num.args[0]
    if not isinstance(axis, int) or not isinstance(Z, Node) or np.ndim(n.value) != 2 \
            or np.shape(Z.value) != np.shape(n.value):
        return None
    return Z, axis % 2


def find(g: Graph, values: dict[int, Any]) -> list[Softmax]:
    out = []
    for n in g.nodes:
        if n.id in g.forward:
            c = classify(n)
            if c is not None:
                out.append(Softmax(c[0], n, c[1], values))
    return out


def _example(g: Graph, nodes: list[Node], sm: Softmax) -> Optional[int]:
    """The one example of the softmax (its output or its scores) these nodes are computed from, and nothing else.

    Every path back from the nodes must end at ``A[i]`` (or ``Z[i]``) for one ``i``, or at a constant
    (``np.eye(K)``): a value that also reads a gradient, the targets or a parameter is no local Jacobian.
    """
    found: set[int] = set()
    stack, seen = list(nodes), set()
    while stack:
        n = stack.pop()
        if n.id in seen:
            continue
        seen.add(n.id)
        if n.op == "const":
            continue
        if n.op == "getitem" and len(n.args) == 2 and n.args[0] in (sm.A, sm.Z):
            key = n.args[1]
            key = key if type(key) is tuple else (key,)
            if sm.axis == 1 and _int(key[0]) and all(k == slice(None) for k in key[1:]):
                found.add(int(key[0]))
            elif sm.axis == 0 and len(key) == 2 and key[0] == slice(None) and _int(key[1]):
                found.add(int(key[1]))
            else:
                return None
            continue
        if n.id in g.forward or g.is_input(n):
            return None
        stack.extend(n.inputs())
    return found.pop() if len(found) == 1 else None


def _int(k: Any) -> bool:
    return isinstance(k, (int, np.integer)) and not isinstance(k, bool)


def local_truth(a, L) -> Optional[tuple[Softmax, Optional[int], np.ndarray]]:
    """(softmax, example, its true Jacobian) for a value that should be a softmax's local Jacobian."""
    V = L.value
    if V is None or np.ndim(V) not in (2, 3):
        return None
    for sm in a.softmaxes:
        K = sm.classes
        shape = np.shape(V)
        if shape == (K, K):
            e = _example(a.graph, L.nodes, sm)
            J = sm.jacobians(a.graph) if e is not None else None
            if J is not None and 0 <= e < len(J):
                return sm, e, J[e]
        elif len(shape) == 3 and shape[1:] == (K, K) and shape[0] == np.shape(sm.A.value)[1 - sm.axis]:
            J = sm.jacobians(a.graph)
            if J is not None:
                return sm, None, J
    return None


def diagnose(a, L, sm: Softmax, e: Optional[int]) -> str:
    """Which textbook slip reproduces the line's value (the inner product sᵀs for the outer s·sᵀ, ...)."""
    probs = np.asarray(a.values64.get(sm.A.id, sm.A.value), dtype=float)
    s = np.moveaxis(probs, sm.axis, -1)
    s = s if e is None else s[e:e + 1]
    outer = s[:, :, None] * s[:, None, :]
    diag = np.einsum("ek,kj->ekj", s, np.eye(s.shape[1]))
    inner = np.sum(s * s, axis=1)[:, None, None] * np.ones_like(outer)
    slips = {"the inner product sᵀ·s (a 1×1 number that numpy spreads over the matrix) where the Jacobian "
             "needs the outer product s·sᵀ (s as a column)": diag - inner,
             "only diag(s): the outer product s·sᵀ is missing": diag,
             "only −s·sᵀ: diag(s) is missing": -outer,
             "the negative of the Jacobian": outer - diag}
    V = np.asarray(L.value, dtype=float).reshape(outer.shape) if np.size(L.value) == outer.size else None
    A = a.label(sm.A)
    for text, H in slips.items():
        if V is not None and np.allclose(V, H, rtol=1e-9, atol=1e-12 * max(1.0, float(np.abs(H).max()))):
            return f"{L.writes} holds {text}; the softmax's Jacobian is diag(s) − s·sᵀ with s = {A} of one example."
    return f"{L.writes} should be the softmax's Jacobian diag(s) − s·sᵀ (s = {A} of one example), but differs from it."
