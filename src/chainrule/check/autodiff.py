"""The true gradients: re-run the forward statements with autograd and probes.

Every forward quantity (named variables and the unnamed sub-expressions inside
them, such as ``np.dot(X, W) + b`` inside ``np.maximum(0, ...)``) gets a zero
*probe* added to it; ``autograd.grad`` of the loss with respect to the probes
gives ∂L/∂(each quantity).  ``np.maximum`` is replaced by a version whose
subgradient at ties is chosen (0 or 1), so that kinks (a ReLU input exactly 0)
give the two extreme valid gradients.  Finite differences along random
directions confirm the parameter gradients.
"""

from __future__ import annotations

import ast
import copy
import types
from dataclasses import dataclass, field
from typing import Any, Optional

import autograd
import autograd.numpy as anp
import numpy as onp
from autograd.extend import defvjp, primitive
from autograd.numpy.numpy_boxes import ArrayBox

from chainrule.check.dataflow import is_float_array

if not hasattr(ArrayBox, "copy"):
    ArrayBox.copy = lambda self: self  # type: ignore[attr-defined]
if not hasattr(ArrayBox, "dot"):
    ArrayBox.dot = lambda self, other: anp.dot(self, other)  # type: ignore[attr-defined]

_TIE = [0.0]
_KINKS: list = []  # filled during the recording run: (statement index, tie mask)
_CUR = [None]


def _unbroadcast(g, shape):
    g = onp.asarray(g)
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for i, s in enumerate(shape):
        if s == 1 and g.shape[i] != 1:
            g = g.sum(axis=i, keepdims=True)
    return g


@primitive
def _cmax(a, b):
    out = onp.maximum(a, b)
    if _CUR[0] is not None:
        tie = onp.asarray(a) == onp.asarray(b)
        if onp.ndim(out) >= 1 and tie.any():
            _KINKS.append((_CUR[0], onp.broadcast_to(tie, onp.shape(out)).copy()))
    return out


@primitive
def _cmin(a, b):
    return onp.minimum(a, b)


def _mk(first: bool, op):
    def vjp_maker(ans, a, b):
        x, y = (a, b) if first else (b, a)
        def vjp(g):
            w = op(onp.asarray(x), onp.asarray(y)) + _TIE[0] * (onp.asarray(x) == onp.asarray(y))
            return _unbroadcast(g * w, onp.shape(x))
        return vjp
    return vjp_maker


defvjp(_cmax, _mk(True, onp.greater), _mk(False, onp.greater))
defvjp(_cmin, _mk(True, onp.less), _mk(False, onp.less))


def _np_module(base) -> types.ModuleType:
    m = types.ModuleType("numpy")
    m.__dict__.update({k: v for k, v in base.__dict__.items() if not k.startswith("__")})
    m.maximum, m.minimum = _cmax, _cmin
    m.fmax, m.fmin = _cmax, _cmin
    return m


ANP = _np_module(anp)
ONP_K = _np_module(onp)  # plain numpy, but np.maximum records kinks
ONP_K.maximum = _cmax  # plain evaluation of the primitive works on ndarrays


def setitem(a, idx, v):
    """``a[idx] = v`` without mutation (differentiable through ``a`` and ``v``)."""
    if not isinstance(a, ArrayBox) and not isinstance(v, ArrayBox):
        out = onp.array(a, copy=True)
        out[idx] = v
        return out
    shape = anp.shape(a)
    size = int(onp.prod(shape))
    flat = onp.arange(size).reshape(shape)[idx]
    inv = onp.full(size, -1)
    inv[onp.ravel(flat)] = onp.arange(onp.size(flat))
    mask = inv >= 0
    vb = anp.reshape(v * onp.ones(onp.shape(flat)), (-1,))
    gathered = vb[onp.where(mask, inv, 0)]
    return anp.reshape(anp.where(mask, gathered, anp.reshape(a, (-1,))), shape)


@dataclass
class Quantity:
    key: int
    label: str  # learner's name or the source text of the sub-expression
    line: int
    named: bool
    is_param: bool = False
    value: Any = None
    g0: Any = None  # gradient with subgradient 0 at ties
    g1: Any = None  # ... and 1


@dataclass
class Gradients:
    loss: float
    quantities: list[Quantity]
    params: dict[str, Quantity]
    kinks: list[dict] = field(default_factory=list)
    fd: dict[str, float] = field(default_factory=dict)  # param -> worst rel. error of directional FD
    fd_ok: bool = True
    forward_nodes: dict[int, tuple] = field(default_factory=dict)  # key -> (node, stmt index)


class _Wrap(ast.NodeTransformer):
    """Wrap sub-expressions as ``__cr_P(k, expr)`` and register them as quantities."""

    def __init__(self, owner: "Prober", line: int):
        self.owner, self.line = owner, line

    def visit_Subscript(self, node):  # leave index expressions alone
        node.value = self.visit(node.value)
        return node

    def visit_Lambda(self, node):
        return node

    def visit_Compare(self, node):  # masks are booleans: nothing to differentiate
        return node

    def children(self, node):
        if isinstance(node, ast.Call):
            node.args = [self.visit(a) for a in node.args]
            if isinstance(node.func, ast.Attribute):
                node.func.value = self.visit(node.func.value)
            return node
        return self.generic_visit(node)

    def _wrap(self, node):
        label = ast.get_source_segment(self.owner.text, node) or ast.unparse(node)
        orig = copy.deepcopy(node)
        node = self.children(node)
        k = self.owner.new(label, self.line, named=False, node=orig)
        return ast.Call(func=ast.Name("__cr_P", ast.Load()), args=[ast.Constant(k), node], keywords=[])

    visit_BinOp = visit_Call = visit_UnaryOp = _wrap


class _DotMethod(ast.NodeTransformer):
    """``A.dot(B)`` -> ``__cr_dot(A, B)`` (ndarray.dot cannot take an autograd box)."""

    def visit_Call(self, node):
        self.generic_visit(node)
        f = node.func
        if isinstance(f, ast.Attribute) and f.attr == "dot" and len(node.args) == 1 and not node.keywords \
                and not (isinstance(f.value, ast.Name) and f.value.id in ("np", "numpy")):
            new = ast.Call(ast.Name("__cr_dot", ast.Load()), [f.value, node.args[0]], [])
            return ast.copy_location(new, node)
        return node


class Prober:
    def __init__(self, text: str, display: dict):
        self.text, self.display = text, display
        self.quantities: dict[int, Quantity] = {}
        self.nodes: dict[int, tuple] = {}
        self.cur_stmt = 0

    def new(self, label, line, named, node=None) -> int:
        k = len(self.quantities)
        self.quantities[k] = Quantity(k, " ".join(label.split()), line, named)
        self.nodes[k] = (node, self.cur_stmt)
        return k

    def transform(self, idx: int, stmt: ast.stmt, line: int) -> ast.stmt:
        self.cur_stmt = idx
        s = _DotMethod().visit(copy.deepcopy(stmt))
        w = _Wrap(self, line)
        P = lambda k, e: ast.Call(ast.Name("__cr_P", ast.Load()), [ast.Constant(k), e], [])  # noqa: E731
        if isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name):
            name = s.targets[0].id
            inner = w.children(s.value) if isinstance(s.value, (ast.BinOp, ast.Call, ast.UnaryOp)) \
                else w.visit(s.value)
            k = self.new(self.display.get(name, name), line, True, node=stmt.value)
            s.value = P(k, inner)
        elif isinstance(s, ast.AugAssign) and isinstance(s.target, ast.Name):
            name = s.target.id
            val = ast.BinOp(ast.Name(name, ast.Load()), s.op, w.visit(s.value))
            k = self.new(self.display.get(name, name), line, True, node=stmt)
            s = ast.Assign(targets=[ast.Name(name, ast.Store())], value=P(k, val))
        elif isinstance(s, (ast.Assign, ast.AugAssign)) and isinstance(
                s.targets[0] if isinstance(s, ast.Assign) else s.target, ast.Subscript):
            t = s.targets[0] if isinstance(s, ast.Assign) else s.target
            name = t.value.id if isinstance(t.value, ast.Name) else None
            if name is not None:
                val = w.visit(s.value)
                if isinstance(s, ast.AugAssign):
                    cur = ast.Subscript(ast.Name(name, ast.Load()), t.slice, ast.Load())
                    val = ast.BinOp(cur, s.op, val)
                call = ast.Call(ast.Name("__cr_setitem", ast.Load()),
                                [ast.Name(name, ast.Load()), _as_index(t.slice), val], [])
                s = ast.Assign(targets=[ast.Name(name, ast.Store())], value=call)
        ast.copy_location(s, stmt)
        return ast.fix_missing_locations(s)


def _as_index(sl: ast.expr) -> ast.expr:
    return sl if not isinstance(sl, ast.Slice) else ast.Call(ast.Name("slice", ast.Load()), [
        sl.lower or ast.Constant(None), sl.upper or ast.Constant(None), sl.step or ast.Constant(None)], [])


def _namespace(start: dict, script_ns: dict, npmod) -> dict:
    ns = {"__builtins__": __builtins__, "__cr_dot": npmod.dot}
    for k, v in start.items():
        ns[k] = v.copy() if isinstance(v, onp.ndarray) else v
    for k, v in script_ns.items():
        if isinstance(v, types.ModuleType) and v.__name__ == "numpy":
            ns[k] = npmod
        elif isinstance(v, (onp.ufunc, types.FunctionType, types.BuiltinFunctionType)) \
                and getattr(v, "__module__", "") and str(getattr(v, "__module__", "")).startswith("numpy") \
                and hasattr(npmod, getattr(v, "__name__", "")):
            ns[k] = getattr(npmod, v.__name__)
    for k, v in list(ns.items()):
        if isinstance(v, types.FunctionType) and v.__globals__ is script_ns:
            ns[k] = types.FunctionType(v.__code__, ns, v.__name__, v.__defaults__, v.__closure__)
    return ns


def _run(code, ns, rng_state):
    if rng_state is not None:
        onp.random.set_state(rng_state)
    for i, c in code:
        _CUR[0] = i
        try:
            exec(c, ns)
        finally:
            _CUR[0] = None


def compute(records, fwd_idx: list[int], loss_name: str, params: list[str], start: dict,
            script_ns: dict, text: str, path: str, display: dict, rng_state=None,
            kink_lines: Optional[dict] = None) -> Gradients:
    """∂L/∂(every forward quantity and parameter), twice (subgradient 0 and 1 at ties)."""
    prober = Prober(text, display)
    code = []
    for i in fwd_idx:
        s = prober.transform(i, records[i].stmt.node, records[i].stmt.line)
        code.append((i, compile(ast.Module(body=[s], type_ignores=[]), path, "exec")))
    values: dict[int, Any] = {}

    def rec(k, v):
        values[k] = v
        return v

    ns = _namespace(start, script_ns, ONP_K)
    ns.update(__cr_P=rec, __cr_setitem=setitem)
    _KINKS.clear()
    _run(code, ns, rng_state)
    kinks_raw = list(_KINKS)
    _KINKS.clear()
    loss = float(onp.sum(ns[loss_name]))
    keys = [k for k, v in values.items() if is_float_array(onp.asarray(v)) and onp.ndim(v) >= 1]
    qs = {k: prober.quantities[k] for k in keys}
    for k in keys:
        qs[k].value = onp.asarray(values[k])

    def f(args):
        pv, probes = args[:len(params)], args[len(params):]
        pmap = dict(zip(keys, probes))
        g = _namespace(start, script_ns, ANP)
        g.update(zip(params, pv))
        g.update(__cr_P=lambda k, v: v + pmap[k] if k in pmap else v, __cr_setitem=setitem)
        _run(code, g, rng_state)
        return anp.sum(g[loss_name])

    args = [onp.asarray(start[p], dtype=float) for p in params] + [onp.zeros_like(qs[k].value, dtype=float) for k in keys]
    _TIE[0] = 0.0
    g0 = autograd.grad(f)(args)
    if kinks_raw:
        _TIE[0] = 1.0
        try:
            g1 = autograd.grad(f)(args)
        finally:
            _TIE[0] = 0.0
    else:
        g1 = g0
    pq = {}
    for j, p in enumerate(params):
        pq[p] = Quantity(-1 - j, p, 0, True, True, onp.asarray(start[p]), onp.asarray(g0[j]), onp.asarray(g1[j]))
    for j, k in enumerate(keys):
        qs[k].g0, qs[k].g1 = onp.asarray(g0[len(params) + j]), onp.asarray(g1[len(params) + j])
    out = Gradients(loss, list(pq.values()) + [qs[k] for k in keys], pq,
                    forward_nodes={k: prober.nodes[k] for k in keys})
    # kinks, grouped by statement
    by_stmt: dict[int, Any] = {}
    for i, mask in kinks_raw:
        by_stmt[i] = mask if i not in by_stmt else (by_stmt[i] | mask if by_stmt[i].shape == mask.shape else by_stmt[i])
    for i, mask in by_stmt.items():
        rows = onp.unique(onp.nonzero(mask)[0]) if mask.ndim >= 2 else onp.nonzero(mask)[0]
        out.kinks.append({"line": records[i].stmt.line, "code": records[i].stmt.code,
                          "rows": [int(r) for r in rows[:50]], "n_rows": int(len(rows)),
                          "entries": int(mask.sum()), "subgradient": None, "mask": mask})
    _finite_differences(out, code, loss_name, params, start, script_ns, rng_state)
    return out


def _finite_differences(out: Gradients, code, loss_name, params, start, script_ns, rng_state) -> None:
    """Directional derivatives along 2 random directions (all parameters at once) vs autograd."""
    rng = onp.random.default_rng(12345)
    plain = _np_module(onp)
    plain.maximum, plain.minimum, plain.fmax, plain.fmin = onp.maximum, onp.minimum, onp.fmax, onp.fmin
    base = {p: onp.asarray(start[p], dtype=float) for p in params}
    single = any(onp.asarray(start[p]).dtype == onp.float32 for p in params)
    eps, tol = (1e-2, 5e-2) if single else (1e-7, 1e-3)

    def loss_at(shift):
        ns = _namespace(start, script_ns, plain)
        for p in params:
            ns[p] = (base[p] + shift[p]).astype(onp.asarray(start[p]).dtype)
        ns.update(__cr_P=lambda k, v: v, __cr_setitem=setitem)
        _run(code, ns, rng_state)
        return float(onp.sum(ns[loss_name]))

    worst = 0.0
    for _ in range(2):
        d = {p: rng.standard_normal(base[p].shape) for p in params}
        norm = onp.sqrt(sum(float(onp.sum(v * v)) for v in d.values()))
        d = {p: v / norm for p, v in d.items()}
        fd = (loss_at({p: eps * v for p, v in d.items()}) - loss_at({p: -eps * v for p, v in d.items()})) / (2 * eps)
        a0 = sum(float(onp.sum(out.params[p].g0 * d[p])) for p in params)
        a1 = sum(float(onp.sum(out.params[p].g1 * d[p])) for p in params)
        lo, hi = min(a0, a1), max(a0, a1)
        err = 0.0 if lo - 1e-12 <= fd <= hi + 1e-12 else \
            min(abs(fd - a0), abs(fd - a1)) / max(abs(fd), abs(a0), abs(a1), 1e-8)
        worst = max(worst, err)
    out.fd = {"all parameters": worst}
    out.fd_ok = worst <= tol
