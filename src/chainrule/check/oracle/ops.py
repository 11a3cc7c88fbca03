"""The op table: every recorded operation name -> how to compute it with a numpy-like module.

One home for the semantics of the ops the recorder sees (``"add"``, ``"matmul"``,
``"sum"``, ``"getitem"``, ``"setitem"``, ``"add.reduce"`` ...).  Each entry takes the
module ``xp`` first — ``numpy`` for plain replays (finite differences, the backward pass in
float64, what-if evaluations) or ``autograd.numpy`` for the oracle — then the op's
arguments and keyword arguments, already resolved to values.  In-place edits are written
functionally (``setitem`` with masks and ``where``), so autograd can differentiate them.

``maximum``/``minimum`` at ties (a ReLU input exactly 0) use the subgradient chosen by
:data:`TIE` (0 or 1), so the oracle can give both extreme valid gradients.  Ops whose
result is not a float (comparisons, ``argmax``, casts to int) are constants: :data:`NONDIFF`.
"""

from __future__ import annotations

from typing import Any, Callable

import autograd.numpy as anp
import numpy as onp
from autograd.extend import defvjp, primitive
from autograd.numpy.numpy_boxes import ArrayBox
from autograd.tracer import getval

TIE = [0.0]
BRANCH: dict = {}  # node id -> mask "the first argument won" (finite differences keep the branches)
RECORD_BRANCH = [False]
TIES: list = []  # (node id, tie mask) seen while KINK_NODE is set
KINK_NODE = [None]


def _unbroadcast(g, shape):
    g = onp.asarray(g)
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for i, s in enumerate(shape):
        if s == 1 and g.shape[i] != 1:
            g = g.sum(axis=i, keepdims=True)
    return g


def _note_ties(a, b, out) -> None:
    if KINK_NODE[0] is None:
        return
    tie = onp.asarray(getval(a)) == onp.asarray(getval(b))
    if onp.ndim(out) >= 1 and tie.any():
        TIES.append((KINK_NODE[0], onp.broadcast_to(tie, onp.shape(out)).copy()))


@primitive
def cmax(a, b):
    out = onp.maximum(a, b)
    _note_ties(a, b, out)
    return out


@primitive
def cmin(a, b):
    out = onp.minimum(a, b)
    _note_ties(a, b, out)
    return out


def _tie_vjp(first: bool, op):
    def maker(ans, a, b):
        x, y = (a, b) if first else (b, a)

        def vjp(g):
            w = op(onp.asarray(x), onp.asarray(y))
            if TIE[0]:
                w = w | (onp.asarray(x) == onp.asarray(y))
            return _unbroadcast(g * w, onp.shape(x))
        return vjp
    return maker


defvjp(cmax, _tie_vjp(True, onp.greater), _tie_vjp(False, onp.greater))
defvjp(cmin, _tie_vjp(True, onp.less), _tie_vjp(False, onp.less))


@primitive
def scatter_add(a, idx, v):
    """``np.add.at(a, idx, v)`` without mutation."""
    out = onp.array(a, dtype=float, copy=True)
    onp.add.at(out, idx, v)
    return out


defvjp(scatter_add, lambda ans, a, idx, v: lambda g: g,
       None, lambda ans, a, idx, v: lambda g: _unbroadcast(onp.asarray(g)[idx], onp.shape(v)))


@primitive
def mm(a, b, known=None):
    """``np.dot`` / ``@`` of 1-D and 2-D arrays, with plain matrix products as its backward rules.

    ``known``: the product as the script computed it (float64): returned as is, so the oracle's
    replay does not pay for the largest products twice (their backward rules never need it).
    """
    return onp.dot(a, b) if known is None else known


def _mm_vjp_a(ans, a, b, known=None):
    def vjp(g):
        if onp.ndim(b) == 1:
            return onp.outer(g, b) if onp.ndim(a) == 2 else g * b
        return onp.dot(g, onp.transpose(b)) if onp.ndim(a) == 2 or onp.ndim(g) == 1 else onp.dot(g, b.T)
    return vjp


def _mm_vjp_b(ans, a, b, known=None):
    def vjp(g):
        if onp.ndim(a) == 1:
            return onp.outer(a, g) if onp.ndim(b) == 2 else g * a
        return onp.dot(onp.transpose(a), g)
    return vjp


defvjp(mm, _mm_vjp_a, _mm_vjp_b)


KNOWN: dict = {"value": None}  # set by the replay: the recorded product of the node being replayed


def _matmul(xp, a, b, **kw):
    if xp is anp and onp.ndim(a) in (1, 2) and onp.ndim(b) in (1, 2) and (onp.ndim(a), onp.ndim(b)) != (1, 1):
        known = KNOWN["value"]
        return mm(a, b, known) if known is not None and onp.shape(known) == _mm_shape(a, b) else mm(a, b)
    return xp.dot(a, b) if kw.get("_dot") else xp.matmul(a, b)


def _mm_shape(a, b) -> tuple:
    sa, sb = onp.shape(a), onp.shape(b)
    if len(sa) == 2 and len(sb) == 2:
        return (sa[0], sb[1])
    if len(sa) == 2:
        return (sa[0],)
    return (sb[-1],)


def setitem(xp, a, key, v):
    """``a[key] = v`` without mutation (differentiable through ``a`` and ``v``)."""
    if not isinstance(a, ArrayBox) and not isinstance(v, ArrayBox):
        out = onp.array(a, copy=True)
        out[key] = v
        return out
    shape = anp.shape(a)
    size = int(onp.prod(shape))
    flat = onp.arange(size).reshape(shape)[key]
    inv = onp.full(size, -1)
    inv[onp.ravel(flat)] = onp.arange(onp.size(flat))
    mask = inv >= 0
    vb = anp.reshape(v * onp.ones(onp.shape(flat)), (-1,))
    gathered = vb[onp.where(mask, inv, 0)]
    return anp.reshape(anp.where(mask, gathered, anp.reshape(a, (-1,))), shape)


def _reduce(fn: str):
    def f(xp, a, axis=0, dtype=None, out=None, keepdims=False, initial=None, where=True):
        return getattr(xp, fn)(a, axis=axis, keepdims=keepdims)
    return f


def _branch(a, b, better):
    k = KINK_NODE[0]
    if RECORD_BRANCH[0] and k is not None:
        BRANCH[k] = onp.broadcast_to(better(a, b) | (onp.asarray(a) == onp.asarray(b)),
                                     onp.broadcast_shapes(onp.shape(a), onp.shape(b))).copy()
    if k is not None and k in BRANCH and not RECORD_BRANCH[0]:
        return onp.where(BRANCH[k], a, b)
    return None


def _maximum(xp, a, b, **kw):
    if xp is anp or isinstance(a, ArrayBox) or isinstance(b, ArrayBox):
        return cmax(a, b)
    fixed = _branch(a, b, onp.greater)
    return onp.maximum(a, b) if fixed is None else fixed


def _minimum(xp, a, b, **kw):
    if xp is anp or isinstance(a, ArrayBox) or isinstance(b, ArrayBox):
        return cmin(a, b)
    fixed = _branch(a, b, onp.less)
    return onp.minimum(a, b) if fixed is None else fixed


def _array(xp, obj, *a, dtype=None, **kw):
    if isinstance(obj, (list, tuple)):
        return xp.array(list(obj)) if xp is anp else onp.array(obj, dtype=float)
    return obj if xp is anp else onp.array(obj, dtype=float, copy=True)


def _astype(xp, a, dtype=None, **kw):
    return a  # float -> float: values are float64 in replays; other casts are constants (NONDIFF)


def _copyto(xp, dst, src, **kw):
    return xp.broadcast_to(src, xp.shape(dst)) * 1.0


def _sum(xp, a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    return xp.sum(a, axis=axis, keepdims=keepdims)


def _mean(xp, a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    return xp.mean(a, axis=axis, keepdims=keepdims)


def _max(xp, a, axis=None, out=None, keepdims=False, **kw):
    return xp.max(a, axis=axis, keepdims=keepdims)


def _min(xp, a, axis=None, out=None, keepdims=False, **kw):
    return xp.min(a, axis=axis, keepdims=keepdims)


def _std(name):
    def f(xp, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
        return getattr(xp, name)(a, axis=axis, ddof=ddof, keepdims=keepdims)
    return f


def _ufunc(name: str) -> Callable:
    def f(xp, *args, **kw):  # out=, dtype=, casting= ... do not change the maths of a replay
        return getattr(xp, name)(*args)
    return f


def _func(name: str) -> Callable:
    def f(xp, *args, **kw):
        kw.pop("out", None)
        return getattr(xp, name)(*args, **kw)
    return f


UFUNCS = ("add", "subtract", "multiply", "divide", "true_divide", "power", "negative", "positive",
          "absolute", "exp", "exp2", "log", "log2", "log10", "log1p", "expm1", "sqrt", "square", "tanh",
          "sinh", "cosh", "sin", "cos", "tan", "arctan", "arcsin", "arccos", "arctanh", "logaddexp",
          "matmul", "float_power", "reciprocal", "cbrt", "fabs", "hypot")
FUNCS = ("dot", "where", "concatenate", "stack", "hstack", "vstack", "column_stack", "clip", "transpose",
         "reshape", "ravel", "squeeze", "expand_dims", "broadcast_to", "tile", "repeat", "outer", "inner",
         "einsum", "tensordot", "diag", "trace", "cumsum", "atleast_1d", "atleast_2d", "flip", "roll",
         "take", "prod", "swapaxes", "moveaxis", "triu", "tril", "kron", "abs", "fliplr", "flipud",
         "take_along_axis", "append", "diagonal", "diagflat")

IMPL: dict[str, Callable[..., Any]] = {}
for _n in UFUNCS:
    IMPL[_n] = _ufunc(_n if _n != "true_divide" else "divide")
for _n in FUNCS:
    IMPL[_n] = _func(_n)
IMPL.update({
    "matmul": _matmul, "dot": lambda xp, a, b, **kw: _matmul(xp, a, b, _dot=True),
    "maximum": _maximum, "fmax": _maximum, "minimum": _minimum, "fmin": _minimum,
    "sum": _sum, "mean": _mean, "max": _max, "amax": _max, "min": _min, "amin": _min,
    "std": _std("std"), "var": _std("var"), "average": _mean, "nansum": _sum, "nanmean": _mean,
    "add.reduce": _reduce("sum"), "maximum.reduce": _reduce("max"), "minimum.reduce": _reduce("min"),
    "multiply.reduce": _reduce("prod"), "add.accumulate": lambda xp, a, axis=0, **k: xp.cumsum(a, axis=axis),
    "getitem": lambda xp, a, key: a[key],
    "setitem": lambda xp, a, key, v: setitem(xp, a, key, v),
    "add.at": lambda xp, a, idx, v=1.0: scatter_add(a, idx, v),
    "astype": _astype, "array": _array, "copy": lambda xp, a, **k: a, "copyto": _copyto,
    "linalg.norm": lambda xp, x, ord=None, axis=None, keepdims=False: xp.linalg.norm(x, ord=ord, axis=axis,
                                                                                     keepdims=keepdims),
    "fill": lambda xp, a, v: xp.ones(xp.shape(a)) * v,
})
# results that are never differentiated: booleans, integers, signs, roundings
NONDIFF = frozenset({"greater", "greater_equal", "less", "less_equal", "equal", "not_equal", "logical_and",
                     "logical_or", "logical_not", "logical_xor", "sign", "floor", "ceil", "rint", "round",
                     "around", "trunc", "isnan", "isinf", "isfinite", "argmax", "argmin", "heaviside",
                     "invert", "bitwise_and", "bitwise_or", "nonzero", "argsort", "searchsorted",
                     "random", "shuffle"})
FLIP = {"greater": "greater_equal", "greater_equal": "greater", "less": "less_equal", "less_equal": "less"}


def supported(op: str) -> bool:
    return op in IMPL or op in NONDIFF
