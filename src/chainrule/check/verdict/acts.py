"""The activations of the forward pass, found in the graph, with their true local derivatives.

An activation is a forward node ``A`` computed entry by entry from one array ``Z`` of the
same shape: ``np.maximum(0, Z)`` (ReLU), ``np.maximum(0.01*Z, Z)`` / ``np.where(Z > 0, Z, a*Z)``
(leaky ReLU), ``Z * (Z > 0)``, ``np.tanh(Z)``, ``1 / (1 + np.exp(-Z))`` or ``expit(Z)``
(sigmoid), and ``H * mask`` with a fixed array of the data (dropout drawn once: kind ``mask``).
``D = dA/dZ`` is computed by autograd on the recorded sub-graph, so a line that
computes the local derivative (``sigmoid_prime(z)``, ``1 - np.power(A1, 2)``) can be checked
on its own, and a wrong one named.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import autograd
import autograd.numpy as anp
import numpy as np

from chainrule.check.graph import Graph
from chainrule.check.oracle import ops
from chainrule.check.oracle.replay import replay
from chainrule.check.record.state import Node

KEYS = {"relu": "relu.backward", "leaky_relu": "leaky_relu.backward", "tanh": "tanh.backward",
        "sigmoid": "sigmoid.backward"}
MASK_RULE = "∂L/∂H = ∂L/∂(H ⊙ M) ⊙ M, with the same mask M as in the forward pass"


@dataclass(eq=False)
class Activation:
    kind: str
    Z: Node
    A: Node
    D: Any  # dA/dZ, float64, the shape of Z (subgradient 0 at ties)
    zval: Any
    aval: Any


def _arr(x: Any) -> Optional[Node]:
    return x if isinstance(x, Node) and isinstance(x.value, np.ndarray) else None


def _scalar(x: Any) -> bool:
    return isinstance(x, (int, float)) or (isinstance(x, Node) and np.size(x.value) == 1 and x.is_leaf)


def classify(n: Node) -> Optional[tuple[str, Node]]:
    """(kind, input) when ``n`` is an activation of one array."""
    a = n.args
    if n.op in ("maximum", "fmax") and len(a) == 2:
        x, y = a
        for p, q in ((x, y), (y, x)):
            if _scalar(p) and _arr(q) is not None:
                return "relu", q
            if isinstance(p, Node) and p.op == "multiply" and _arr(q) is not None and q in p.args:
                return "leaky_relu", q
    if n.op == "tanh" and _arr(a[0] if a else None):
        return "tanh", a[0]
    if n.op == "expit" and _arr(a[0] if a else None):
        return "sigmoid", a[0]
    if n.op == "divide" and len(a) == 2 and _scalar(a[0]) and isinstance(a[1], Node) and a[1].op == "add":
        for part in a[1].args:
            if isinstance(part, Node) and part.op == "exp" and isinstance(part.args[0], Node) \
                    and part.args[0].op == "negative" and _arr(part.args[0].args[0]):
                return "sigmoid", part.args[0].args[0]
    if n.op == "multiply" and len(a) == 2:
        for p, q in ((a[0], a[1]), (a[1], a[0])):
            mask = q.args[0] if isinstance(q, Node) and q.op == "astype" and q.args else q
            if _arr(p) is not None and isinstance(mask, Node) and mask.op in ops.FLIP and p in mask.args:
                return "relu", p
    if n.op == "where" and len(a) == 3 and isinstance(a[0], Node) and a[0].op in ops.FLIP:
        z = next((x for x in a[0].args if _arr(x) is not None), None)
        if z is not None and a[1] is z:
            other = a[2]
            if _scalar(other):
                return "relu", z
            if isinstance(other, Node) and other.op == "multiply" and z in other.args:
                return "leaky_relu", z
    return None


def _mask(g: Graph, n: Node) -> Optional[tuple[str, Node]]:
    """``H * mask`` with a fixed array of the data (inverted dropout drawn once): ("mask", H)."""
    if n.op != "multiply" or len(n.args) != 2:
        return None
    for z, m in ((n.args[0], n.args[1]), (n.args[1], n.args[0])):
        if _arr(z) is not None and z.id in g.forward and not g.is_input(z) and _arr(m) is not None \
                and g.is_input(m) and g.param_of(m) is None and m.value.dtype.kind == "f" and np.size(m.value) > 1:
            return "mask", z
    return None


def find(g: Graph, values: dict[int, Any]) -> list[Activation]:
    out = []
    for n in g.nodes:
        if n.id not in g.forward:
            continue
        c = classify(n) or _mask(g, n)
        if c is None:
            continue
        kind, Z = c
        if np.shape(Z.value) != np.shape(n.value):
            continue
        zval = np.asarray(values.get(Z.id, Z.value), dtype=float)
        sub = [m for m in g.nodes if Z.id < m.id <= n.id and m.id in g.forward]

        def f(z, sub=sub, Z=Z, n=n):
            env = {Z.id: z}
            replay(sub, anp, env, is_input=lambda m: m.id < Z.id and g.is_input(m))
            return env[n.id]
        try:
            D = np.asarray(autograd.elementwise_grad(f)(zval), dtype=float)
        except Exception:
            continue
        out.append(Activation(kind, Z, n, D, zval, np.asarray(values.get(n.id, n.value), dtype=float)))
    return out


def hypotheses(act: Activation) -> dict[str, Any]:
    """Local factors a learner may have written instead of D (by name)."""
    A, Z = act.aval, act.zval
    h: dict[str, Any] = {"missing": np.ones_like(A)}
    if act.kind in ("relu", "leaky_relu"):
        h["inverted"] = (Z <= 0).astype(float)
    if act.kind == "tanh":
        h.update({"1-h": 1 - A, "1-z2": 1 - Z ** 2, "sig": A * (1 - A)})
    if act.kind == "sigmoid":
        h.update({"1-h": 1 - A, "h": A, "tanh": 1 - A ** 2, "1+h": A * (1 + A)})
    return h


WRONG = {"1-h": "1 − H", "1-z2": "1 − Z² (the input instead of the output)", "sig": "H(1 − H) (sigmoid's derivative)",
         "h": "H", "tanh": "1 − H² (tanh's derivative)", "1+h": "H(1 + H)"}
