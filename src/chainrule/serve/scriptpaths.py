"""Read a value of the learner's script by the name the checker gave it, in a running frame.

The checker names parameters and losses the way the learner writes them: ``W2``,
``parameters["W1"]``, ``self.weights[0]``, ``dense1.weights``, ``np.squeeze(cost)``,
``data_loss + reg_loss``.  :func:`compile_path` accepts only such expressions — names,
attributes (no ``_``-names), subscripts by constants or names, arithmetic, and calls of a few
numpy functions, ``float``, and an array's own ``.mean()``/``.sum()``… — so reading a value never
calls anything of the script's except what an attribute of its own objects does; anything else
is refused.
:func:`read` evaluates one in a frame's locals, then its globals.
"""

from __future__ import annotations

import ast
import builtins
import operator
from typing import Any

import numpy as np

_BIN = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
        ast.Pow: operator.pow, ast.MatMult: operator.matmul}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}
CALLS = (np.squeeze, np.sum, np.mean, np.asarray, np.array, np.float64, np.float32, np.abs, np.round,
         np.square, np.log, np.exp, np.arange, np.multiply, np.dot, np.maximum, float, abs, round, sum, len, range)
METHODS = ("mean", "sum", "item", "squeeze", "max", "min", "reshape", "dot")  # of an ndarray: they compute only


class Unreadable(Exception):
    """The expression is not a plain path, or it does not resolve in this frame."""


def compile_path(text: str) -> ast.expr:
    """The checked expression tree of ``text`` (:class:`Unreadable` if it is not allowed)."""
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise Unreadable(text) from None
    _check(tree)
    return tree


def _check(n: ast.AST) -> None:
    if isinstance(n, (ast.Name, ast.Constant)):
        return
    if isinstance(n, ast.Attribute) and not n.attr.startswith("_"):
        return _check(n.value)
    if isinstance(n, ast.Subscript):
        _check(n.value)
        return _check(n.slice)
    if isinstance(n, ast.Tuple):
        for e in n.elts:
            _check(e)
        return
    if isinstance(n, ast.Slice):
        for e in (n.lower, n.upper, n.step):
            if e is not None:
                _check(e)
        return
    if isinstance(n, ast.BinOp) and type(n.op) in _BIN:
        _check(n.left)
        return _check(n.right)
    if isinstance(n, ast.UnaryOp) and type(n.op) in _UNARY:
        return _check(n.operand)
    if isinstance(n, ast.Call) and not any(isinstance(a, ast.Starred) for a in n.args):
        _check(n.func)
        for a in [*n.args, *(k.value for k in n.keywords)]:
            _check(a)
        return
    raise Unreadable(ast.unparse(n))


def read(tree: ast.expr, frame: Any) -> Any:
    """The value of a compiled path in ``frame`` (:class:`Unreadable` if it does not resolve)."""
    try:
        return _eval(tree, frame.f_locals, frame.f_globals)
    except Unreadable:
        raise
    except Exception as exc:  # a missing key, an attribute the object lacks, a shape error
        raise Unreadable(f"{ast.unparse(tree)}: {type(exc).__name__}") from None


def _eval(n: ast.AST, loc: dict, glob: dict) -> Any:
    if isinstance(n, ast.Constant):
        return n.value
    if isinstance(n, ast.Name):
        for space in (loc, glob, vars(builtins)):
            if n.id in space:
                return space[n.id]
        raise Unreadable(n.id)
    if isinstance(n, ast.Attribute):
        return getattr(_eval(n.value, loc, glob), n.attr)
    if isinstance(n, ast.Subscript):
        return _eval(n.value, loc, glob)[_eval(n.slice, loc, glob)]
    if isinstance(n, ast.Tuple):
        return tuple(_eval(e, loc, glob) for e in n.elts)
    if isinstance(n, ast.Slice):
        return slice(*(None if e is None else _eval(e, loc, glob) for e in (n.lower, n.upper, n.step)))
    if isinstance(n, ast.BinOp):
        return _BIN[type(n.op)](_eval(n.left, loc, glob), _eval(n.right, loc, glob))
    if isinstance(n, ast.UnaryOp):
        return _UNARY[type(n.op)](_eval(n.operand, loc, glob))
    if isinstance(n, ast.Call):
        fn = _eval(n.func, loc, glob)
        method = isinstance(getattr(fn, "__self__", None), (np.ndarray, np.generic)) and fn.__name__ in METHODS
        if not method and not any(fn is c for c in CALLS):
            raise Unreadable(f"a call of {ast.unparse(n.func)}")
        return fn(*(_eval(a, loc, glob) for a in n.args), **{k.arg: _eval(k.value, loc, glob) for k in n.keywords})
    raise Unreadable(ast.unparse(n))
