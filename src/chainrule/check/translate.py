"""Translate numpy's exceptions into the learner's terms.

``np.dot(hidden_layer, dscores)``: (800, 1000)·(800, 2), inner sizes 1000 ≠ 800;
did you mean ``hidden_layer.T``?  We re-evaluate the failing statement's
sub-expressions (innermost first) to find the operation that raised and name
its operands by their source text.
"""

from __future__ import annotations

import ast
from typing import Any, Optional

import numpy as np

_MATMUL_FUNCS = {"dot", "matmul"}


def _shape(v: Any) -> Optional[tuple]:
    try:
        return tuple(np.shape(v))
    except Exception:
        return None


def _txt(node: ast.AST, display: dict) -> str:
    class _Back(ast.NodeTransformer):
        def visit_Name(self, n):
            return ast.Name(id=display.get(n.id, n.id), ctx=n.ctx)
    import copy
    return ast.unparse(_Back().visit(copy.deepcopy(node)))


def _shp(s: tuple) -> str:
    return "(" + ", ".join(str(x) for x in s) + ("," if len(s) == 1 else "") + ")"


def _broadcastable(a: tuple, b: tuple) -> bool:
    try:
        np.broadcast_shapes(a, b)
        return True
    except ValueError:
        return False


def _matmul_msg(expr: str, an: str, bn: str, sa: tuple, sb: tuple) -> Optional[str]:
    if len(sa) < 1 or len(sb) < 1:
        return None
    k1 = sa[-1]
    k2 = sb[0] if len(sb) == 1 else sb[-2]
    if k1 == k2:
        return None
    msg = (f"`{expr}`: {_shp(sa)}·{_shp(sb)}, inner sizes {k1} ≠ {k2} (the columns of `{an}` must "
           f"match the rows of `{bn}`)")
    hints = []
    if len(sa) == 2 and sa[0] == k2:
        hints.append(f"`{an}.T`")
    if len(sb) == 2 and k1 == sb[1]:
        hints.append(f"`{bn}.T`")
    if hints:
        msg += "; did you mean " + " or ".join(hints) + "?"
    return msg


def _operands(node: ast.AST):
    if isinstance(node, ast.BinOp):
        return node.left, node.right
    if isinstance(node, ast.Call) and len(node.args) >= 2:
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
        if name in _MATMUL_FUNCS:
            return node.args[0], node.args[1]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "dot" \
            and len(node.args) == 1:
        return node.func.value, node.args[0]
    return None


def _is_matmul(node: ast.AST) -> bool:
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, ast.MatMult)
    return _operands(node) is not None


def _explain_node(node, ns, display) -> Optional[str]:
    ops = _operands(node)
    if ops is None:
        return None
    try:
        a = eval(compile(ast.fix_missing_locations(ast.Expression(ops[0])), "<cr>", "eval"), dict(ns))
        b = eval(compile(ast.fix_missing_locations(ast.Expression(ops[1])), "<cr>", "eval"), dict(ns))
    except Exception:
        return None
    try:
        eval(compile(ast.fix_missing_locations(ast.Expression(node)), "<cr>", "eval"), dict(ns))
        return None  # this one works: the problem is elsewhere
    except Exception:
        pass
    sa, sb = _shape(a), _shape(b)
    if sa is None or sb is None:
        return None
    expr, an, bn = _txt(node, display), _txt(ops[0], display), _txt(ops[1], display)
    if _is_matmul(node):
        return _matmul_msg(expr, an, bn, sa, sb)
    if not _broadcastable(sa, sb):
        msg = f"`{expr}`: shapes {_shp(sa)} and {_shp(sb)} cannot be combined element by element (broadcast)"
        if len(sb) == 2 and _broadcastable(sa, sb[::-1]):
            msg += f"; did you mean `{bn}.T`?"
        elif len(sa) == 2 and _broadcastable(sa[::-1], sb):
            msg += f"; did you mean `{an}.T`?"
        return msg
    return None


def translate(exc: BaseException, stmt: Optional[ast.stmt], ns: dict, display: Optional[dict] = None) -> str:
    """One sentence for ``exc`` raised by ``stmt`` (evaluated against ``ns``)."""
    display = display or {}
    raw = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, NameError):
        name = getattr(exc, "name", None) or str(exc).split("'")[1] if "'" in str(exc) else ""
        if name == "xrange":
            return "`xrange` is Python 2; in Python 3 write `range`"
        return f"`{display.get(name, name)}` is not defined here (a typo, or a variable set later in the script?)"
    if stmt is not None:
        nodes = [n for n in ast.walk(stmt) if isinstance(n, (ast.BinOp, ast.Call))]
        # innermost first: deeper nodes come later in ast.walk's breadth-first order
        for n in reversed(nodes):
            msg = _explain_node(n, ns, display)
            if msg:
                return msg
        if isinstance(stmt, ast.AugAssign):
            try:
                t = eval(compile(ast.fix_missing_locations(ast.Expression(_load(stmt.target))), "<cr>", "eval"), dict(ns))
                v = eval(compile(ast.fix_missing_locations(ast.Expression(stmt.value)), "<cr>", "eval"), dict(ns))
                st, sv = _shape(t), _shape(v)
                if st is not None and sv is not None and st != np.broadcast_shapes(st, sv) if _broadcastable(st, sv) else True:
                    tn, vn = _txt(stmt.target, display), _txt(stmt.value, display)
                    return (f"`{tn}` has shape {_shp(st)} but `{vn}` has shape {_shp(sv)}: an in-place "
                            f"update must keep `{tn}`'s shape")
            except Exception:
                pass
    if isinstance(exc, IndexError):
        return f"an index is out of range ({exc})"
    return raw


def _load(node: ast.expr) -> ast.expr:
    import copy
    n = copy.deepcopy(node)
    for m in ast.walk(n):
        if hasattr(m, "ctx"):
            m.ctx = ast.Load()
    return n
