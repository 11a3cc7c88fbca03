"""Recognise the op-table patterns in a learner's forward statements (AST only).

Forward: ``np.dot(a, W) + b`` / ``a @ W + b`` (linear), ReLU / leaky ReLU / tanh / sigmoid,
exp and row normalisation (softmax), ``-log`` of the correct-class probability and its
mean (cross-entropy), the SVM margins and their mean (hinge), ``0.5*reg*np.sum(W*W)`` (L2)
and sums of loss terms.  Each recognised quantity becomes an :class:`Item` with a maths
symbol (Z, H, S, P, L, ...) and the learner's names of its operands.

The backward statements are recognised in :mod:`chainrule.check.bwd_patterns`.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Optional

from chainrule.check.dataflow import writes
from chainrule.check.diagnose import _fname, _is_const, activation_of

ACTS = ("relu", "leaky_relu", "tanh", "sigmoid")


@dataclass
class Item:
    """One recognised forward quantity."""

    index: int  # record index of its statement
    kind: str  # linear, relu, ..., exp, probs, ce_rows, ce, pick, margins, margins_zero, hinge, l2, sum, shift
    name: str  # the learner's name, or the source text of an unnamed sub-expression
    node: Optional[ast.AST]  # the expression (None for in-place edits)
    ops: dict[str, str] = field(default_factory=dict)  # role -> learner's name (X, W, b, Z, S, P, ...)
    terms: list[str] = field(default_factory=list)  # l2: the penalised weights; sum: the added names
    key: str = ""  # formula key
    symbol: str = ""  # LaTeX symbol
    shifted: bool = False  # exp of the scores minus their row max


def src(a, node: ast.AST) -> str:
    """The learner's text of ``node`` (names of inlined helpers shown as written)."""
    if isinstance(node, ast.Name):
        return a.show(node.id)
    seg = ast.get_source_segment(a.plan.script.text, node) if hasattr(node, "lineno") else None
    return " ".join((seg or ast.unparse(node)).split())


def matmul(node: ast.AST) -> Optional[tuple[ast.AST, ast.AST]]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        return node.left, node.right
    if isinstance(node, ast.Call) and _fname(node) in ("dot", "matmul"):
        if len(node.args) == 2:
            return node.args[0], node.args[1]
        if len(node.args) == 1 and isinstance(node.func, ast.Attribute):
            return node.func.value, node.args[0]
    return None


def untranspose(node: ast.AST) -> tuple[ast.AST, bool]:
    while isinstance(node, ast.Call) and _fname(node) == "copy" and isinstance(node.func, ast.Attribute):
        node = node.func.value
    if isinstance(node, ast.Attribute) and node.attr == "T":
        return node.value, True
    if isinstance(node, ast.Call) and _fname(node) == "transpose":
        if node.args and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) \
                and node.func.value.id in ("np", "numpy"):
            return node.args[0], True
        if isinstance(node.func, ast.Attribute) and not node.args:
            return node.func.value, True
    return node, False


def _has(node: ast.AST, pred) -> bool:
    return any(pred(n) for n in ast.walk(node))


def _sum_axis(node: ast.AST) -> Optional[tuple[ast.AST, object, bool]]:
    """(array, axis, keepdims) of ``np.sum(U, axis=..)`` / ``U.sum(axis=..)``."""
    if not isinstance(node, ast.Call) or _fname(node) not in ("sum", "mean"):
        return None
    f = node.func
    args = list(node.args)
    if isinstance(f, ast.Attribute) and not (isinstance(f.value, ast.Name) and f.value.id in ("np", "numpy")):
        arr = f.value
    elif args:
        arr = args.pop(0)
    else:
        return None
    kw = {k.arg: k.value for k in node.keywords}
    ax = kw.get("axis", args[0] if args else None)
    axis = ax.value if isinstance(ax, ast.Constant) else None if ax is None else "?"
    keep = isinstance(kw.get("keepdims"), ast.Constant) and bool(kw["keepdims"].value)
    return arr, axis, keep


def _squares(node: ast.AST) -> list[ast.AST]:
    """Weights W inside ``np.sum(W*W)``, ``np.sum(W**2)``, ``np.sum(np.square(W))``."""
    out = []
    for n in ast.walk(node):
        s = _sum_axis(n)
        if s is None:
            continue
        e = s[0]
        if isinstance(e, ast.BinOp) and isinstance(e.op, ast.Mult) and ast.dump(e.left) == ast.dump(e.right):
            out.append(e.left)
        elif isinstance(e, ast.BinOp) and isinstance(e.op, ast.Pow):
            out.append(e.left)
        elif isinstance(e, ast.Call) and _fname(e) == "square" and e.args:
            out.append(e.args[0])
    return out


def _linear(node: ast.AST) -> Optional[tuple[ast.AST, ast.AST, Optional[ast.AST]]]:
    mm = matmul(node)
    if mm:
        return mm[0], mm[1], None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        for x, b in ((node.left, node.right), (node.right, node.left)):
            mm = matmul(x)
            if mm:
                return mm[0], mm[1], b
    return None


def _margins(node: ast.AST) -> Optional[ast.AST]:
    if _fname(node) in ("maximum", "fmax") and isinstance(node, ast.Call) and len(node.args) == 2:
        x, y = node.args
        inner = y if _is_const(x) else x if _is_const(y) else None
        if inner is not None and _has(inner, lambda n: isinstance(n, ast.BinOp) and isinstance(n.op, ast.Sub)) \
                and not _has(inner, lambda n: matmul(n) is not None):
            return inner
    return None


def _log_arg(node: ast.AST) -> Optional[ast.AST]:
    for n in ast.walk(node):
        if isinstance(n, ast.Call) and _fname(n) == "log" and n.args:
            arg = n.args[0]
            return arg.value if isinstance(arg, ast.Subscript) else arg
    return None


class Forward:
    """The recognised forward quantities of an analysis, with their symbols."""

    def __init__(self, a):
        self.a = a
        self.items: list[Item] = []
        self.by_name: dict[str, Item] = {}
        recs = a.trace.records
        for k in a.forward:
            st = recs[k].stmt
            if not st.internal:
                self._statement(k, st.node)
        self._symbols()

    # ---------------------------------------------------------------- recognition
    def _add(self, it: Item) -> Item:
        self.items.append(it)
        self.by_name[it.name] = it
        return it

    def _statement(self, k: int, node: ast.stmt) -> None:
        a = self.a
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and isinstance(node.op, ast.Sub) \
                and _fname(node.value) in ("max", "amax"):
            name = a.show(node.target.id)
            self._add(Item(k, "shift", name, None, {"S": name}))
            return
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Subscript):
            name = a.show(writes(node)[0]) if writes(node) else ""
            if name in self.by_name and self.by_name[name].kind == "margins":
                self._add(Item(k, "margins_zero", name, None, {"M": name}))
            return
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            return
        self._expr(k, node.value, a.show(node.targets[0].id))

    def _expr(self, k: int, v: ast.AST, name: str) -> None:
        a, by = self.a, self.by_name
        inner = _margins(v)
        if inner is not None:
            sub = [n for n in ast.walk(inner) if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Sub)][0]
            self._add(Item(k, "margins", name, v, {"S": src(a, sub.left), "Sy": src(a, sub.right)}))
            return
        act = activation_of(v)
        if act is not None and not (isinstance(v, ast.BinOp) and isinstance(v.op, ast.Mult)):
            kind, x = act
            if _linear(x) is not None:
                self._expr(k, x, src(a, x))
            self._add(Item(k, kind, name, v, {"Z": src(a, x)}))
            return
        lin = _linear(v)
        if lin is not None:
            X, W, b = lin
            ops = {"X": src(a, X), "W": src(a, W)}
            if b is not None:
                ops["b"] = src(a, b)
            self._add(Item(k, "linear", name, v, ops))
            return
        if isinstance(v, ast.Call) and _fname(v) == "exp" and v.args:
            arg = v.args[0]
            S = arg.left if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Sub) else arg
            self._add(Item(k, "exp", name, v, {"S": src(a, S)}, shifted=S is not arg))
            return
        if isinstance(v, ast.BinOp) and isinstance(v.op, ast.Div) and (_sum_axis(v.right) or (None, None))[1] == 1:
            num = v.left
            if isinstance(num, ast.Name) and a.show(num.id) in by and by[a.show(num.id)].kind == "exp":
                S = by[a.show(num.id)].ops["S"]
            elif isinstance(num, ast.Call) and _fname(num) == "exp":
                arg = num.args[0]
                S = src(a, arg.left if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Sub) else arg)
            else:
                S = src(a, num)
            self._add(Item(k, "probs", name, v, {"S": S}))
            return
        if isinstance(v, ast.Subscript) and isinstance(v.value, ast.Name) and a.show(v.value.id) in by:
            self._add(Item(k, "pick", name, v, {"S": a.show(v.value.id)}))
            return
        if isinstance(v, ast.Call) and _fname(v) == "reshape" and isinstance(v.func, ast.Attribute) \
                and isinstance(v.func.value, ast.Subscript):
            self._expr(k, v.func.value, name)
            return
        names = [a.show(n.id) for n in ast.walk(v) if isinstance(n, ast.Name)]
        l2 = [src(a, w) for w in _squares(v)]
        log = _log_arg(v)
        summed = _has(v, lambda n: _sum_axis(n) is not None) or isinstance(v, ast.BinOp) and isinstance(v.op, ast.Div)
        rows = [n for n in names if n in by and by[n].kind == "ce_rows"]
        margins = [n for n in names if n in by and by[n].kind in ("margins", "margins_zero")]
        parts = [n for n in names if n in by and by[n].kind in ("ce", "hinge", "l2", "sum")]
        if log is not None:
            kind = "ce" if summed else "ce_rows"
            self._add(Item(k, kind, name, v, {"P": src(a, log)}, l2))
        elif rows and summed:
            self._add(Item(k, "ce", name, v, {"P": by[rows[0]].ops["P"], "rows": rows[0]}, l2))
        elif margins and summed:
            self._add(Item(k, "hinge", name, v, {"M": margins[0], "S": by[margins[0]].ops.get("S", "")}, l2))
        elif l2 and not parts:
            self._add(Item(k, "l2", name, v, {}, l2))
        elif parts:
            self._add(Item(k, "sum", name, v, {}, parts + l2))

    # ---------------------------------------------------------------- symbols
    def _symbols(self) -> None:
        lin = [it for it in self.items if it.kind == "linear"]
        acts = [it for it in self.items if it.kind in ACTS]
        for i, it in enumerate(lin):
            last = i == len(lin) - 1
            it.symbol = "S" if last else ("Z" if len(lin) == 2 else f"Z_{i + 1}")
            it.key = "linear.forward"
        for i, it in enumerate(acts):
            it.symbol = "H" if len(acts) == 1 else f"H_{i + 1}"
            it.key = f"{it.kind}.forward"
        loss = self.a.show(self.a.loss_var) if self.a.loss_var else None
        table = {"exp": ("E", "softmax_ce.probs"), "probs": ("P", "softmax_ce.probs"),
                 "ce_rows": (r"\ell", "softmax_ce.forward"), "ce": ("L", "softmax_ce.forward"),
                 "pick": ("S_{y}", "hinge.forward"), "margins": ("M", "hinge.forward"),
                 "margins_zero": ("M", "hinge.forward"), "hinge": ("L", "hinge.forward"),
                 "l2": ("R", "l2.forward"), "sum": ("L", ""), "shift": ("S", "softmax_ce.probs")}
        for it in self.items:
            if it.kind in table:
                it.symbol, it.key = table[it.kind]
                if it.kind in ("ce", "hinge") and loss and it.name != loss:
                    it.symbol = r"L_{\text{data}}"
        for it in self.items:  # the shifted scores keep the scores' symbol
            if it.kind == "shift" and it.name in self.by_name:
                prev = [p for p in self.items if p.name == it.name and p is not it]
                it.symbol = prev[0].symbol if prev else "S"

    def symbol(self, name: str) -> str:
        """LaTeX symbol of a learner's name: its quantity's, a parameter's (W2 -> W_2), or \\texttt."""
        it = self.by_name.get(name)
        if it is not None and it.symbol:
            return it.symbol
        m = re.fullmatch(r"([A-Za-z])_?(\d*)", name)
        if m:
            return m.group(1) + (f"_{m.group(2)}" if m.group(2) else "")
        return r"\texttt{%s}" % name.replace("_", r"\_")

    # ---------------------------------------------------------------- look-ups
    def line(self, it: Item) -> int:
        return self.a.trace.records[it.index].stmt.line

    def linear_of(self, name: str, role: str) -> Optional[Item]:
        return next((it for it in self.items if it.kind == "linear" and it.ops.get(role) == name), None)

    def activation_of(self, name: str) -> Optional[Item]:
        """The activation whose output or input is ``name``."""
        return next((it for it in self.items if it.kind in ACTS and name in (it.name, it.ops.get("Z"))), None)

    def loss_kind(self) -> str:
        return "hinge" if any(it.kind in ("margins", "hinge") for it in self.items) else "softmax_ce"
