"""What the array fed to each parameter's optimizer, and its earlier in-place versions, must hold."""

from __future__ import annotations

import numpy as np

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
