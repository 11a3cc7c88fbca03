"""``Traced``: an ``ndarray`` subclass that records every numpy operation done with it.

numpy hands every ufunc call (``a + b``, ``np.exp``, ``a @ b``, ``a.sum()`` through
``add.reduce``, in-place ``W -= g`` through ``out=``) to :meth:`Traced.__array_ufunc__` and
every function (``np.dot``, ``np.sum``, ``np.where``, ``np.concatenate``, ...) to
:meth:`Traced.__array_function__` when one argument is a ``Traced``.  Indexing and the
methods that do not dispatch (``.T``, ``reshape``, ``dot``, ``copy``, ``astype``, ``ravel``,
...) are overridden here.  Each handler computes on plain arrays (so numpy's own internals
never see a ``Traced``), wraps the result, and — while the recorder is recording — makes a
:class:`~chainrule.check.record.state.Node`.

Plain arrays met as arguments become ``const`` leaves; a ``Traced`` whose node belongs to
an earlier window becomes a ``leaf`` with its current value.  Python and numpy scalars stay
literals.  ``float(x)``, ``x.item()`` and ``x.tolist()`` leave the graph.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.check.record.state import REC, Node, StopScript

PASSIVE = frozenset({"ndim", "shape", "size", "result_type", "can_cast", "iscomplexobj", "isrealobj",
                     "may_share_memory", "shares_memory", "isscalar", "array_repr", "array_str",
                     "array2string", "save", "savez", "savetxt", "array_equal", "allclose", "isclose",
                     "printoptions", "min_scalar_type", "unique", "argsort", "sort", "nonzero",
                     "flatnonzero", "argwhere", "count_nonzero", "bincount", "histogram", "percentile",
                     "quantile", "median", "searchsorted", "lexsort", "packbits", "unravel_index"})
IN_PLACE = {"copyto": 0, "put": 0, "place": 0, "putmask": 0, "fill_diagonal": 0}


def plain(x: Any) -> Any:
    """The same data without the subclass (also inside tuples/lists, e.g. index keys)."""
    if isinstance(x, Traced):
        return x.view(np.ndarray)
    if type(x) is tuple:
        return tuple(plain(v) for v in x)
    if type(x) is list and x and any(isinstance(v, (Traced, list, tuple)) for v in x):
        return [plain(v) for v in x]
    return x


def lift(r: Any) -> Any:
    """A result as ``Traced`` (float scalars become 0-d arrays so that losses stay in the graph)."""
    if isinstance(r, np.ndarray):
        return r.view(Traced)
    if isinstance(r, (np.floating, np.complexfloating)):
        return np.asarray(r).view(Traced)
    return r


def node_of(x: Any) -> Any:
    """The node that stands for argument ``x`` (a leaf if it has none in this window)."""
    rec = REC
    if isinstance(x, Traced):
        n = x._cr_node
        if n is not None and not n.stale:
            if not n.dirty:
                return n
            return _version(x, "sync", (n,), {})  # its memory was written through another view
        n = Node(rec.tick(), "leaf", value=x.view(np.ndarray), obj=x._cr_oid, birth=x._cr_birth)
        x._cr_node = rec.add(n)
        return n
    if isinstance(x, np.ndarray):
        n = rec.consts.get(id(x))
        if n is None or n.stale:
            n = Node(rec.tick(), "const", value=x, obj=rec.new_oid(), birth=0)
            rec.consts[id(x)] = rec.add(n)
            rec.keep.append(x)
        return n
    if type(x) is tuple:
        return tuple(node_of(v) for v in x)
    if type(x) is list and any(isinstance(v, np.ndarray) for v in x):
        return [node_of(v) for v in x]
    return x


def _site():
    return REC.site_of() if REC.site_of is not None else None


def _record(r: Any, op: str, args: tuple, kwargs: dict) -> Any:
    """Wrap result ``r`` of ``op`` and make its node(s)."""
    rec = REC
    if isinstance(r, tuple) and r and all(isinstance(v, np.ndarray) for v in r):
        return tuple(_record(v, f"{op}#{i}", args, kwargs) for i, v in enumerate(r))
    out = lift(r)
    if not isinstance(out, Traced):
        return out
    n = Node(rec.tick(), op, args, kwargs, out.view(np.ndarray), _site(), out._cr_oid, birth=rec.clock)
    out._cr_node = rec.add(n)
    if rec.on_op is not None:
        rec.on_op(n)
    return out


def _version(target: Any, op: str, args: tuple, kwargs: dict) -> Node:
    """A new version of ``target`` after an in-place ``op``."""
    rec = REC
    if isinstance(target, Traced):
        old = target._cr_node
        n = Node(rec.tick(), op, args, kwargs, target.view(np.ndarray), _site(), target._cr_oid,
                 prev=old if old is not None and not old.stale else None, birth=target._cr_birth)
        target._cr_node = rec.add(n)
    else:
        old = rec.consts.get(id(target))
        n = Node(rec.tick(), op, args, kwargs, target, _site(), old.obj if old else rec.new_oid(),
                 prev=old, birth=0)
        rec.consts[id(target)] = rec.add(n)
        rec.keep.append(target)
    if rec.on_op is not None:
        rec.on_op(n)
    return n


def _failed(op: str, args: tuple, kwargs: dict, exc: BaseException) -> None:
    rec = REC
    n = rec.add(Node(rec.tick(), op, args, kwargs, None, _site(), error=exc))
    if rec.on_op is not None:
        rec.on_op(n)  # a failed `b2 += ...` is still an attempted update of b2


def _live() -> bool:
    rec = REC
    if rec.stopped and not rec.paused:
        raise StopScript()
    return rec.recording and not rec.paused


def _kw(kwargs: dict) -> dict:
    return {k: plain(v) for k, v in kwargs.items()}


def _nkw(kwargs: dict) -> dict:
    return {k: node_of(v) for k, v in kwargs.items()}


class Traced(np.ndarray):
    """An array of the learner's script whose operations are recorded (see the module docstring)."""

    _cr_node: Node | None
    _cr_oid: int
    _cr_birth: int

    def __array_finalize__(self, obj) -> None:
        self._cr_node = None
        self._cr_oid = REC.new_oid()
        self._cr_birth = REC.clock

    # ------------------------------------------------------------------ dispatch
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        live = _live()
        out = kwargs.pop("out", None)
        name = ufunc.__name__ if method == "__call__" else f"{ufunc.__name__}.{method}"
        kw = _kw(kwargs)
        pin = tuple(plain(x) for x in inputs)
        if not live:
            if out is not None:
                kw["out"] = tuple(plain(o) for o in out)
            r = getattr(ufunc, method)(*pin, **kw)
            if out is not None:
                return out[0] if len(out) == 1 else out
            return lift(r)
        args, nkw = tuple(node_of(x) for x in inputs), _nkw(kwargs)
        targets = list(out) if out is not None else ([inputs[0]] if method == "at" else [])
        for t in targets:
            if isinstance(t, np.ndarray):
                REC.before_write(plain(t))
        if out is not None:
            kw["out"] = tuple(plain(o) for o in out)
        try:
            r = getattr(ufunc, method)(*pin, **kw)
        except Exception as exc:
            _failed(name, args, dict(nkw, in_place=True) if targets else nkw, exc)
            raise
        if targets:
            for t in targets:
                if isinstance(t, np.ndarray):
                    _version(t, name, args, nkw)
            if out is None:
                return r
            return out[0] if len(out) == 1 else out
        return _record(r, name, args, nkw)

    def __array_function__(self, func, types, args, kwargs):
        live = _live()
        name = func.__name__
        mod = getattr(func, "__module__", "") or ""
        if mod.startswith("numpy.linalg"):
            name = "linalg." + name
        if name in PASSIVE or not live:
            r = func(*plain(tuple(args)), **_kw(kwargs))
            return r if name in PASSIVE else lift(r)
        nargs, nkw = node_of(tuple(args)), _nkw(kwargs)
        target = None
        if name in IN_PLACE:
            target = args[IN_PLACE[name]]
        elif isinstance(kwargs.get("out"), np.ndarray):
            target = kwargs["out"]
        if target is not None:
            REC.before_write(plain(target))
        try:
            r = func(*plain(tuple(args)), **_kw(kwargs))
        except Exception as exc:
            _failed(name, nargs, nkw, exc)
            raise
        if target is not None:
            _version(target, name, nargs, nkw)
            return target if name not in IN_PLACE else r
        return _record(r, name, nargs, nkw)

    # ------------------------------------------------------------------ indexing
    def __getitem__(self, key):
        live = _live()
        r = self.view(np.ndarray)[plain(key)]
        if not isinstance(r, np.ndarray):
            return r  # a single entry: a Python/numpy scalar leaves the graph
        if not live:
            return r.view(Traced)
        return _record(r, "getitem", (node_of(self), node_of(key)), {})

    def __setitem__(self, key, value):
        live = _live()
        if not live:
            self.view(np.ndarray)[plain(key)] = plain(value)
            return
        args = (_current(self), node_of(key), node_of(value))
        REC.before_write(self.view(np.ndarray))
        try:
            self.view(np.ndarray)[plain(key)] = plain(value)
        except Exception as exc:
            _failed("setitem", args, {}, exc)
            raise
        _version(self, "setitem", args, {})

    # ------------------------------------------------------------------ methods that do not dispatch
    @property
    def T(self):
        return np.transpose(self)

    def transpose(self, *axes):
        return np.transpose(self, axes[0] if len(axes) == 1 else (axes or None))

    def reshape(self, *shape, **kw):
        return np.reshape(self, shape[0] if len(shape) == 1 else shape, **kw)

    def dot(self, b, out=None):
        return np.dot(self, b) if out is None else np.dot(self, b, out=out)

    def copy(self, order="C"):
        return np.copy(self, order=order)

    def __copy__(self):
        return np.copy(self)

    def __deepcopy__(self, memo):
        return np.copy(self)

    def astype(self, dtype, *a, **kw):
        live = _live()
        r = self.view(np.ndarray).astype(dtype, *a, **kw)
        if not live:
            return r.view(Traced)
        return _record(r, "astype", (node_of(self),), {"dtype": np.dtype(dtype)})

    def ravel(self, order="C"):
        return np.ravel(self, order=order)

    def flatten(self, order="C"):
        return np.ravel(np.copy(self), order=order)

    def squeeze(self, axis=None):
        return np.squeeze(self, axis=axis)

    def fill(self, value):
        self[...] = value

    def sum(self, axis=None, dtype=None, out=None, keepdims=False, **kw):
        return np.sum(self, axis=axis, dtype=dtype, out=out, keepdims=keepdims, **kw)

    def mean(self, axis=None, dtype=None, out=None, keepdims=False, **kw):
        return np.mean(self, axis=axis, dtype=dtype, out=out, keepdims=keepdims, **kw)

    def max(self, axis=None, out=None, keepdims=False, **kw):
        return np.max(self, axis=axis, out=out, keepdims=keepdims, **kw)

    def min(self, axis=None, out=None, keepdims=False, **kw):
        return np.min(self, axis=axis, out=out, keepdims=keepdims, **kw)

    def std(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
        return np.std(self, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims, **kw)

    def var(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
        return np.var(self, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims, **kw)

    def prod(self, axis=None, dtype=None, out=None, keepdims=False, **kw):
        return np.prod(self, axis=axis, dtype=dtype, out=out, keepdims=keepdims, **kw)

    def clip(self, min=None, max=None, out=None, **kw):
        return np.clip(self, min, max, out=out, **kw)

    def cumsum(self, axis=None, dtype=None, out=None):
        return np.cumsum(self, axis=axis, dtype=dtype, out=out)

    def argmax(self, axis=None, out=None, **kw):
        return np.argmax(self.view(np.ndarray), axis=axis, out=out, **kw)

    def argmin(self, axis=None, out=None, **kw):
        return np.argmin(self.view(np.ndarray), axis=axis, out=out, **kw)

    def __reduce__(self):  # pickles (np.save, pickle.dump of weights) as a plain ndarray
        return self.view(np.ndarray).__reduce__()

    def __repr__(self) -> str:
        return repr(self.view(np.ndarray))

    def __str__(self) -> str:
        return str(self.view(np.ndarray))

    def __round__(self, ndigits=None):  # round(loss, 4) on a 0-d loss, as on a numpy float
        if self.size == 1:
            return round(self.view(np.ndarray).item(), ndigits) if ndigits is not None else round(
                self.view(np.ndarray).item())
        return np.round(self, ndigits or 0)

    def __format__(self, spec: str) -> str:
        if self.ndim == 0:
            return format(self.view(np.ndarray).item(), spec)
        return format(self.view(np.ndarray), spec)


def _current(x: Traced) -> Any:
    """The node of ``x`` for an edit of part of it: a write through a view of it is taken as part of this edit."""
    n = x._cr_node
    if n is not None and not n.stale and n.dirty:
        n.dirty = False
        return n
    return node_of(x)


def traced(a: Any) -> Any:
    """``a`` as a ``Traced`` view (no copy); anything else unchanged."""
    if isinstance(a, np.ndarray) and not isinstance(a, Traced) and a.dtype.kind in "fiub":
        return a.view(Traced)
    return a
