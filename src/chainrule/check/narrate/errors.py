"""A numpy error in the learner's terms: which operation failed, the shapes, and the likely fix.

``np.dot(hidden_layer, dscores)``: (800, 1000)·(800, 2), inner sizes 1000 ≠ 800; did you mean
``hidden_layer.T``?  The failing operation is the recorded node (its inputs' shapes are known);
the operands are named by the source text of the call that failed.
"""

from __future__ import annotations

import ast
from typing import Any, Optional

import numpy as np

from chainrule.check.record.state import Node


def _shp(s: tuple) -> str:
    return "(" + ", ".join(str(x) for x in s) + ("," if len(s) == 1 else "") + ")"


def _broadcastable(a: tuple, b: tuple) -> bool:
    try:
        np.broadcast_shapes(a, b)
        return True
    except ValueError:
        return False


def _operand_texts(text: str) -> Optional[tuple[str, str]]:
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    if isinstance(node, ast.BinOp):
        return ast.unparse(node.left), ast.unparse(node.right)
    if isinstance(node, ast.Call):
        f = node.func
        if isinstance(f, ast.Attribute) and f.attr == "dot" and len(node.args) == 1 and not (
                isinstance(f.value, ast.Name) and f.value.id in ("np", "numpy")):
            return ast.unparse(f.value), ast.unparse(node.args[0])
        if len(node.args) >= 2:
            return ast.unparse(node.args[0]), ast.unparse(node.args[1])
    return None


def matmul_text(expr: str, an: str, bn: str, sa: tuple, sb: tuple) -> Optional[str]:
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


def explain_error(a, node: Node) -> str:
    exc = node.error
    raw = f"{type(exc).__name__}: {exc}" if exc is not None else "the operation failed"
    shapes = [tuple(np.shape(x.value)) if isinstance(x, Node) else tuple(np.shape(x)) for x in node.args[:2]]
    expr = a.graph.label(node) if node.site is not None else node.op
    names = _operand_texts(expr) or ("a", "b")
    if node.op in ("matmul", "dot") and len(shapes) == 2:
        msg = matmul_text(expr, names[0], names[1], shapes[0], shapes[1])
        if msg:
            return msg
    if len(shapes) == 2 and node.kwargs.get("in_place") and (
            not _broadcastable(shapes[0], shapes[1]) or np.broadcast_shapes(shapes[0], shapes[1]) != shapes[0]):
        tn = a.graph.label(node.args[0]) if isinstance(node.args[0], Node) else "the target"
        other = a.graph.label(node.args[1]) if isinstance(node.args[1], Node) else "the value"
        return (f"`{tn}` has shape {_shp(shapes[0])} but `{other}` has shape {_shp(shapes[1])}: an in-place "
                f"update must keep `{tn}`'s shape")
    if len(shapes) == 2 and not _broadcastable(shapes[0], shapes[1]):
        msg = f"`{expr}`: shapes {_shp(shapes[0])} and {_shp(shapes[1])} cannot be combined element by element"
        an, bn = names
        if len(shapes[1]) == 2 and _broadcastable(shapes[0], shapes[1][::-1]):
            msg += f"; did you mean `{bn}.T`?"
        elif len(shapes[0]) == 2 and _broadcastable(shapes[0][::-1], shapes[1]):
            msg += f"; did you mean `{an}.T`?"
        return msg
    return plain_error(exc) if exc is not None else raw


def plain_error(exc: BaseException) -> str:
    if isinstance(exc, NameError):
        name = getattr(exc, "name", None) or (str(exc).split("'")[1] if "'" in str(exc) else "")
        if name == "xrange":
            return "`xrange` is Python 2; in Python 3 write `range`"
        return f"`{name}` is not defined here (a typo, or a variable set later in the script?)"
    if isinstance(exc, ModuleNotFoundError):
        return (f"{exc} (chainrule runs the script from its own folder, as `python script.py` would; install "
                f"the module or put it next to the script)")
    if isinstance(exc, IndexError):
        return f"an index is out of range ({exc})"
    return f"{type(exc).__name__}: {exc}"


def shape_text(v: Any) -> str:
    return _shp(tuple(np.shape(v)))
