"""The forward pass in maths: every forward node recognised as an op-table pattern, with a symbol.

Patterns are read off the recorded graph (what ran, not how it was written): a matrix product
with a parameter plus a bias (``linear``: ``X @ W + b`` in rows, ``W @ A + b`` in columns),
an activation (:mod:`chainrule.check.verdict.acts`), ``exp`` and the row (or column)
normalisation of the softmax, the cross-entropy of the picked probabilities, binary
cross-entropy, squared error, the SVM margins, ``½·reg·Σ W²`` and sums of loss terms.  Each
becomes an :class:`Item` with a maths symbol (Z, H, S, P, L ...) and the learner's names of
its operands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from chainrule.check.record.state import Node
from chainrule.check.narrate.layers import ACTS, _strip, assign_symbols
from chainrule.check.verdict.acts import classify as activation



@dataclass(eq=False)
class Item:
    node: Node
    kind: str  # linear | relu ... | exp | probs | shift | ce_rows | ce | bce | mse | margins | hinge | l2 | sum | pick
    name: str
    ops: dict[str, str] = field(default_factory=dict)  # role -> learner's name (X, W, b, Z, S, P, ...)
    terms: list[str] = field(default_factory=list)  # l2: the penalised weights; sum: the added parts
    key: str = ""
    symbol: str = ""
    shifted: bool = False
    inputs: dict[str, Node] = field(default_factory=dict)  # role -> node


def _is_param(g, x) -> bool:
    x = _strip(x)
    return isinstance(x, Node) and g.param_of(x) is not None


def _same_statement(a: Node, b: Node) -> bool:
    return a.site is not None and b.site is not None and a.site.file == b.site.file \
        and a.site.execution == b.site.execution


def _node(x) -> Optional[Node]:
    return x if isinstance(x, Node) else None


def _scalar_arg(n: Node) -> Optional[float]:
    for x in n.args[:2]:
        if isinstance(x, (int, float)):
            return float(x)
        if isinstance(x, Node) and np.size(x.value) == 1:
            return float(np.asarray(x.value).ravel()[0])
    return None


class Forward:
    """The recognised forward quantities of an analysis (see the module docstring)."""

    def __init__(self, a):
        self.a = a
        g = a.graph
        self.items: list[Item] = []
        self.by_node: dict[int, Item] = {}
        self.columns = g.layout == "columns"
        self.layers: dict[int, int] = {}  # linear item's node id -> its layer (1, 2, ...)
        for n in g.nodes:
            if n.id in g.forward and not g.is_input(n):
                self._node(n)
        self._one_per_statement()
        self._inside_activations()
        self._symbols()

    def _inside_activations(self) -> None:
        """``1 / (1 + np.exp(-z))`` is one sigmoid, not an exp too."""
        drop = set()
        for it in self.items:
            if it.kind in ACTS and "Z" in it.inputs:
                z = it.inputs["Z"]
                inner = self.a.graph.ancestors([it.node]) - self.a.graph.ancestors([z]) - {it.node.id}
                drop |= {x.node.id for x in self.items if x.node.id in inner}
        self.items = [x for x in self.items if x.node.id not in drop]
        for i in drop:
            self.by_node.pop(i, None)

    GROUPS = ({"logp", "ce_rows", "ce"}, {"sq", "mse"}, {"sqw", "l2"}, {"margins"}, {"logp", "ce_rows", "bce_rows", "bce"})

    def _one_per_statement(self) -> None:
        """``-np.log(probs[...])`` is one quantity, not three: keep the last item of a chain on one line."""
        keep = []
        for i, it in enumerate(self.items):
            later = self.items[i + 1:]
            same = [x for x in later if _same_statement(x.node, it.node)
                    and any(it.kind in grp and x.kind in grp for grp in self.GROUPS)]
            if same:
                self.by_node.pop(it.node.id, None)
            else:
                keep.append(it)
        self.items = keep

    # ------------------------------------------------------------------ recognition
    def _add(self, n: Node, kind: str, **kw) -> Item:
        it = Item(n, kind, self.a.label(n), **kw)
        self.items.append(it)
        self.by_node[n.id] = it
        return it

    def _linear(self, n: Node) -> bool:
        g = self.a.graph
        mm, b = None, None
        if n.op in ("matmul", "dot"):
            mm = n
        elif n.op == "add" and len(n.args) == 2:
            for x, y in ((n.args[0], n.args[1]), (n.args[1], n.args[0])):
                if isinstance(x, Node) and x.op in ("matmul", "dot") and x.id in self.by_node_pending():
                    mm, b = x, y
                    break
        if mm is None or len(mm.args) < 2:
            return False
        left, right = mm.args[0], mm.args[1]
        if _is_param(g, right):
            X, W = left, right
        elif _is_param(g, left):
            W, X = left, right
        else:
            return False
        ops = {"X": self.a.label(X) if isinstance(X, Node) else repr(X), "W": self.a.label(W)}
        inputs = {"X": X, "W": W}
        if b is not None:
            ops["b"] = self.a.label(b) if isinstance(b, Node) else repr(b)
            inputs["b"] = b
        if mm is not n and mm.id in self.by_node:  # Z = XW first recognised alone: replace it
            self.items.remove(self.by_node.pop(mm.id))
        self._add(n, "linear", ops=ops, inputs=inputs)
        return True

    def by_node_pending(self) -> set[int]:
        return {i for i, it in self.by_node.items() if it.kind == "linear"}

    def _node(self, n: Node) -> None:
        a = self.a
        if self._linear(n):
            return
        if n.op in ("maximum", "fmax") and any(isinstance(x, Node) and x.op in ("subtract", "add")
                                               and x.id not in self.by_node for x in n.args):
            self._add(n, "margins", ops={"S": self._score_name(n)})
            return
        act = activation(n)
        if act is not None:
            kind, Z = act
            self._add(n, kind, ops={"Z": a.label(Z)}, inputs={"Z": Z})
            return
        if n.op == "exp" and n.args and isinstance(n.args[0], Node):
            S = n.args[0]
            shifted = S.op == "subtract" and isinstance(S.args[1], Node) and S.args[1].op in ("max", "amax",
                                                                                          "maximum.reduce")
            base = S.args[0] if shifted else S
            self._add(n, "exp", ops={"S": a.label(_strip(base))}, inputs={"S": base}, shifted=shifted)
            return
        if n.op == "subtract" and len(n.args) == 2 and isinstance(n.args[1], Node) \
                and n.args[1].op in ("max", "amax", "maximum.reduce") and n.prev is not None:
            self._add(n, "shift", ops={"S": a.label(n)}, inputs={"S": n.args[0]})
            return
        if n.op == "divide" and len(n.args) == 2 and isinstance(n.args[1], Node) and n.args[1].op in ("sum",
                                                                                                   "add.reduce"):
            num = n.args[0]
            it = self.by_node.get(getattr(num, "id", -1))
            S = it.ops.get("S") if it is not None and it.kind == "exp" else a.label(num) if isinstance(num, Node) else ""
            self._add(n, "probs", ops={"S": S}, inputs={"E": num})
            return
        if n.op == "add" and self._bce(n):
            return
        if n.op == "log" and n.args and isinstance(n.args[0], Node):
            arg = n.args[0]
            P = arg.args[0] if arg.op == "getitem" else arg
            self._add(n, "logp", ops={"P": a.label(P)}, inputs={"P": P})
            return
        if n.op in ("negative", "multiply") and self._from(n, ("logp", "ce_rows")):
            src = self._from(n, ("logp", "ce_rows"))
            self._add(n, "ce_rows", ops={"P": src.ops.get("P", "")}, inputs=dict(src.inputs))
            return
        if n.op in ("sum", "mean", "divide", "multiply", "add.reduce", "negative"):
            src = self._from(n, ("ce_rows", "logp", "ce", "margins", "hinge", "sq", "mse", "bce_rows", "bce"))
            if src is not None:
                kind = {"ce_rows": "ce", "logp": "ce", "ce": "ce", "margins": "hinge", "hinge": "hinge",
                        "sq": "mse", "mse": "mse", "bce_rows": "bce", "bce": "bce"}[src.kind]
                self._add(n, kind, ops=dict(src.ops), inputs=dict(src.inputs))
                return
        if n.op == "setitem" and n.prev is not None and n.prev.id in self.by_node and \
                self.by_node[n.prev.id].kind == "margins":
            self._add(n, "margins", ops=dict(self.by_node[n.prev.id].ops))
            return
        if n.op in ("square", "power") or n.op == "multiply" and len(n.args) == 2 and n.args[0] is n.args[1]:
            base = n.args[0]
            if isinstance(base, Node) and (g_p := self.a.graph.param_of(_strip(base))) is not None:
                self._add(n, "sqw", ops={"W": g_p.name}, terms=[g_p.name])
                return
            self._add(n, "sq", ops={"D": self.a.label(base) if isinstance(base, Node) else ""},
                      inputs={"D": base} if isinstance(base, Node) else {})
            return
        if n.op in ("sum", "multiply", "add.reduce", "mean") and self._from(n, ("sqw", "l2")):
            src = self._from(n, ("sqw", "l2"))
            self._add(n, "l2", terms=list(src.terms))
            return
        if n.op == "add" and len(n.args) == 2:
            parts = [self.by_node.get(getattr(x, "id", -1)) for x in n.args]
            if all(p is not None and p.kind in ("ce", "hinge", "l2", "sum", "mse", "bce") for p in parts):
                l2 = [t for p in parts if p.kind == "l2" for t in p.terms]
                if all(p.kind == "l2" for p in parts):
                    self._add(n, "l2", terms=l2)
                else:
                    self._add(n, "sum", terms=[p.name for p in parts])
                return

    def _bce(self, n: Node) -> bool:
        """``Y * log(A) + (1 - Y) * log(1 - A)``: binary cross-entropy, entry by entry."""
        logs = []
        for x in n.args[:2]:
            todo = [x]
            while todo:
                m = todo.pop()
                if isinstance(m, Node) and m.op == "log":
                    logs.append(m)
                    break
                if isinstance(m, Node) and m.op in ("multiply", "dot", "negative"):
                    todo.extend(y for y in m.args if isinstance(y, Node))
        if len(logs) != 2:
            return False
        A = logs[0].args[0]
        self._add(n, "bce_rows", ops={"A": self.a.label(A) if isinstance(A, Node) else "A"},
                  inputs={"A": A} if isinstance(A, Node) else {})
        return True

    def _from(self, n: Node, kinds: tuple) -> Optional[Item]:
        for x in n.args:
            it = self.by_node.get(getattr(x, "id", -1))
            if it is not None and it.kind in kinds:
                return it
        return None

    def _score_name(self, n: Node) -> str:
        todo = [x for x in n.args if isinstance(x, Node)]
        seen = set()
        while todo:
            x = todo.pop()
            if x.id in seen:
                continue
            seen.add(x.id)
            it = self.by_node.get(x.id)
            if it is not None and it.kind == "linear":
                return it.name
            todo.extend(y for y in x.args if isinstance(y, Node))
        return ""

    def _symbols(self) -> None:
        self.layers = assign_symbols(self.a, self.items)

    # ------------------------------------------------------------------ look-ups
    def symbol(self, name: str) -> str:
        """LaTeX symbol of a learner's name: its quantity's, a parameter's (W2 -> W_2), or \\texttt."""
        for it in self.items:
            if it.name == name and it.symbol:
                return it.symbol
        m = re.fullmatch(r"([A-Za-z])_?(\d*)", name)
        if m:
            return m.group(1) + (f"_{m.group(2)}" if m.group(2) else "")
        return r"\texttt{%s}" % name.replace("_", r"\_").replace("$", "")

    def symbol_of(self, x) -> str:
        """The symbol of the quantity node ``x`` is (through transposes and copies), or ``''``."""
        it = self.by_node.get(getattr(_strip(x), "id", -1))
        return it.symbol if it is not None else ""

    def linear_of(self, name: str, role: str) -> Optional[Item]:
        return next((it for it in self.items if it.kind == "linear" and it.ops.get(role) == name), None)

    def linear_with(self, node: Node, role: str) -> Optional[Item]:
        return next((it for it in self.items if it.kind == "linear" and _strip(it.inputs.get(role)) is node), None)

    def activation_of(self, node: Node) -> Optional[Item]:
        return next((it for it in self.items if it.kind in ACTS and (it.node is node or it.inputs.get("Z") is node)),
                    None)

    def loss_kind(self) -> str:
        kinds = {it.kind for it in self.items}
        if "margins" in kinds or "hinge" in kinds:
            return "hinge"
        if "bce" in kinds or "bce_rows" in kinds:
            return "bce"
        if "probs" in kinds or "ce" in kinds:
            return "softmax_ce"
        return self.a.loss.kind if self.a.loss.kind in ("softmax_ce", "ce", "hinge", "bce", "mse") else ""
