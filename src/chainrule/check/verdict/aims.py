"""What the array fed to each parameter's optimizer, and its earlier in-place versions, must hold."""

from __future__ import annotations

import numpy as np

from typing import Optional

from chainrule.check.record.state import Node
from chainrule.check.verdict.common import _signed
from chainrule.check.verdict.match import Candidate


def _aims(a) -> dict:
    """What the array fed to each parameter's optimizer, and its earlier versions, must hold.

    ``dW = X.T @ dh`` then ``dW += reg * W``: the first version must be ∂L/∂W − reg·W.  If the final
    array is off by exactly one of the terms added in place (``dW += reg * W`` twice), that
    addition is the wrong line and the versions before it are judged without it.
    """
    aims = {}
    scaled = a.__dict__.setdefault("update_divides", {})  # grad node id -> (N, text): `W -= lr * dW / N`
    for p in a.graph.params:
        q = a.param_candidate(p)
        if p.grad is None or q is None:
            continue
        div = update_divisor(a, p, q)
        if div is not None:
            scaled[p.grad.id] = div
            q = Candidate(q.key, q.label, q.g0 * div[0], q.g1 * div[0], q.is_param, q.named)
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


def update_divisor(a, p, q: Candidate) -> Optional[tuple[float, str]]:
    """``W -= lr * dW / N`` with ``dW = N·∂L/∂W``: the mean's 1/N written in the update line (N a size of the
    data the script has, > 1).  Returns (N, its name) when the fed array is exactly N·∂L/∂P and the update's own
    statement divides by N (or multiplies by 1/N); None otherwise (then ``dW`` must be ∂L/∂P itself)."""
    G = np.asarray(a.values64.get(p.grad.id, p.grad.value), dtype=float)
    g = np.asarray(q.g0, dtype=float)
    gg = float(np.sum(g * g))
    if G.shape != g.shape or gg == 0:
        return None
    c = float(np.sum(_signed(a, G) * g)) / gg
    if c <= 1 or np.linalg.norm(_signed(a, G) - c * g) > 1e-6 * np.linalg.norm(c * g):
        return None
    names = {float(v): k for k, v in reversed(list(a.sizes.items()))}
    name = next((k for v, k in names.items() if abs(v - c) <= 1e-9 * c), None)
    if name is None:
        return None
    stmt = (p.update.op.site.file, p.update.op.site.execution) if p.update.op.site else None
    for n in a.step_nodes(p):
        if n.site is None or (n.site.file, n.site.execution) != stmt or len(n.args) != 2:
            continue
        x = n.args[1] if n.op in ("divide", "true_divide") else None
        ys = [y for y in n.args if not isinstance(y, Node)] if n.op == "multiply" else []
        if x is not None and not isinstance(x, Node) and np.size(x) == 1 and abs(float(x) - c) <= 1e-9 * c:
            return c, name
        if any(np.size(y) == 1 and abs(float(y) * c - 1) <= 1e-9 for y in ys):
            return c, name
    return None
