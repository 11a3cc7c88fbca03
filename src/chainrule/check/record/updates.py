"""Parameter updates, recognised at the moment they happen: ``P ± G`` where ``G`` was computed from ``P``.

An operation ``P + S`` / ``P - S`` (in place, or rebinding a slot; also ``(1 - eta*lmbda) * w - ...``
and ``copy.deepcopy(W) - ...``) is a candidate update of loop L when the array ``P`` existed before L's
current iteration and ``S`` was computed in it *from* ``P``.  In-place updates are proven at once; a
rebinding when, at the iteration's end, the slot that held ``P`` holds the result (:meth:`Tracer.confirm`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

from chainrule.check.record.state import ANALYSE, SEARCH, Node, upstream

_UPDATE_OPS = frozenset({"add", "subtract"})


@dataclass(eq=False)
class Update:
    """An array moved along a computed array: ``result = param ± grad`` (in place or rebound)."""

    param: Node  # the version of the parameter the update read
    op: Node  # the add/subtract node (its value is the new parameter)
    grad: Any  # the other operand (a node)
    in_place: bool
    confirmed: bool = False
    path: str = ""  # the slot: "W2", 'parameters["W1"]', "self.weights[0]"
    final: Optional[Node] = None  # what the slot holds at the end (the op, or an array made from it)



class UpdateDetector:
    """Mixin of :class:`~chainrule.check.record.tracer.Tracer`: ``REC.on_op`` lands here."""

    def on_op(self, node: Node) -> None:
        if node.op not in _UPDATE_OPS or self.mode not in (SEARCH, ANALYSE) or len(node.args) < 2:
            return
        a, b = node.args[0], node.args[1]
        pairs = []
        failed = node.error is not None
        if failed:
            if not node.kwargs.get("in_place"):
                return
            pairs.append((a, b))
        elif node.prev is not None:
            if isinstance(a, Node) and a.obj == node.obj:
                pairs.append((a, b))
            elif node.op == "add" and isinstance(b, Node) and b.obj == node.obj:
                pairs.append((b, a))
        else:
            pairs.append((a, b))
            if node.op == "add":
                pairs.append((b, a))
            # weight decay: (1 - eta * lmbda) * w - eta * nw
            for x, y in ((a, b),) + (((b, a),) if node.op == "add" else ()):
                if isinstance(x, Node) and x.op == "multiply" and len(x.args) == 2:
                    inner = [z for z in x.args if isinstance(z, Node) and np.size(z.value) > 1]
                    if len(inner) == 1 and all(not isinstance(z, Node) or np.size(z.value) == 1 for z in x.args
                                               if z is not inner[0]):
                        pairs.append((inner[0], y))
        loops = [self.train] if self.mode == ANALYSE else self.active()
        pairs = [(_origin(P), G) for P, G in pairs]
        pairs = [(P, G) for P, G in pairs if isinstance(P, Node) and isinstance(G, Node) and P.value is not None
                 and P.value.dtype.kind == "f" and (failed or P.shape == node.shape or _widened(P, node))]
        # first a loop whose iteration computed G from P outside the update's own statement (the forward
        # pass); an update that reads P itself (AdamW's `+ wd * p`) does not make its inner loop the training loop
        for strict in (True, False):
            for P, G in pairs:
                for ls in loops:
                    if ls is None or P.birth >= ls.start or G.id < ls.start:
                        continue
                    if _depends(G, P.obj, ls.start, node if strict else None):
                        ls.candidates.append(Update(P, node, G, node.prev is not None or failed))
                        return


def _widened(P: Node, node: Node) -> bool:
    """``b1 - alpha * db1`` with b1 (10, 1) and db1 (10,): numpy broadcasts the update to (10, 10)."""
    try:
        return np.broadcast_shapes(P.shape, np.shape(node.args[1].value if isinstance(node.args[1], Node)
                                                       else node.args[1])) == node.shape and node.value.size > P.value.size
    except (ValueError, AttributeError):
        return False

def _origin(P):
    """``W1 = copy.deepcopy(parameters["W1"])`` then ``W1 - lr * dW1``: the update is of the original.

    Also ``W = np.clip(W, -c, c)`` before the step: an update of ``W`` whose step is judged with the clip."""
    while isinstance(P, Node) and P.op in ("copy", "array", "astype", "clip") and P.args and isinstance(P.args[0], Node) \
            and P.prev is None and P.args[0].value is not None and np.shape(P.args[0].value) == np.shape(P.value):
        P = P.args[0]
    return P

def _depends(g: Node, obj: int, start: int, update: Optional[Node] = None) -> bool:
    """Does node ``g`` depend, through operations made since ``start``, on array object ``obj``?

    With ``update``: only through a node of another statement than the update's (reads of the parameter
    inside the update's own statement do not count)."""
    if update is None:
        return any(n.obj == obj for n in upstream([g], start))
    stmt = _statement(update)
    stack, seen = [g], set()
    while stack:
        n = stack.pop()
        if id(n) in seen or n.id < start:
            continue
        seen.add(id(n))
        own = _statement(n) == stmt
        for x in n.inputs() + ([n.prev] if n.prev is not None else []):
            if x.obj == obj and not own:
                return True
            stack.append(x)
    return False


def _statement(n: Node):
    return (n.site.file, n.site.execution) if n.site is not None else None

def _derived(n: Node, target: Node, start: int) -> bool:
    return any(m is target for m in upstream([n], start))

