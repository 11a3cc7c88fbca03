"""numpy's array-making functions, patched while the script runs, return ``Traced`` arrays.

``np.zeros``, ``np.random.randn``, ``np.array``, ``np.load`` ... called from the learner's code give ``Traced`` views (the same arrays, no copy), so that
parameters and gradient buffers are followed from the moment they exist.  Calls from
libraries (numpy itself, matplotlib, scikit-learn) get plain arrays, exactly as before.
``np.array(x)`` / ``np.asarray(x)`` of a ``Traced`` is recorded as a copy / kept as is, and
``np.random.shuffle`` of one as an in-place edit.  Arrays drawn from a ``default_rng()`` or
``RandomState`` object stay plain here; the frame scan (``record.frames``) wraps them when an
iteration starts, so library classes keep their real types.
"""

from __future__ import annotations

import functools
import sys
from typing import Any, Callable

import numpy as np

from chainrule.check.record.state import REC, Node, StopScript
from chainrule.check.record.traced import Traced, _record, _version, node_of, plain

MAKERS = ("zeros", "ones", "empty", "full", "eye", "identity", "arange", "linspace", "logspace",
          "zeros_like", "ones_like", "empty_like", "full_like", "load", "loadtxt", "genfromtxt",
          "fromfunction", "tri", "diag", "frombuffer", "fromfile", "fromiter")
RANDOM = ("randn", "rand", "random", "random_sample", "ranf", "sample", "normal", "uniform",
          "standard_normal", "randint", "choice", "permutation", "binomial", "beta", "exponential",
          "laplace", "poisson", "multivariate_normal", "gamma", "lognormal", "logistic", "integers",
          "standard_exponential", "triangular", "bytes")


class Patches:
    """Install with :meth:`install`, undo with :meth:`uninstall` (see the module docstring)."""

    def __init__(self, is_user: Callable[[str], bool]):
        self.is_user = is_user
        self.saved: list[tuple[Any, str, Any]] = []

    def _set(self, obj: Any, name: str, value: Any) -> None:
        self.saved.append((obj, name, getattr(obj, name)))
        setattr(obj, name, value)

    def install(self) -> None:
        for name in MAKERS:
            if hasattr(np, name):
                self._set(np, name, self.maker(getattr(np, name), name))
        for name in RANDOM:
            if hasattr(np.random, name):
                self._set(np.random, name, self.maker(getattr(np.random, name), name))
        self._set(np, "array", self.array(np.array, copy_default=True))
        self._set(np, "asarray", self.array(np.asarray, copy_default=False))
        self._set(np, "asanyarray", self.array(np.asanyarray, copy_default=False))
        self._set(np, "ascontiguousarray", self.array(np.ascontiguousarray, copy_default=False))
        self._set(np.random, "shuffle", self.shuffle(np.random.shuffle))

    def uninstall(self) -> None:
        for obj, name, value in reversed(self.saved):
            setattr(obj, name, value)
        self.saved.clear()

    # ------------------------------------------------------------------ wrappers
    def _from_user(self, depth: int = 2) -> bool:
        rec = REC
        if not rec.active or rec.paused:
            return False
        return self.is_user(sys._getframe(depth).f_code.co_filename)

    def made(self, r: Any, name: str) -> Any:
        """A freshly made array as a Traced leaf (a ``const`` node while recording)."""
        if not isinstance(r, np.ndarray) or isinstance(r, Traced) or r.dtype.kind not in "fiub":
            return r
        t = r.view(Traced)
        rec = REC
        if rec.recording:
            n = Node(rec.tick(), "const", (), {"made_by": name}, r, rec.site_of() if rec.site_of else None,
                     t._cr_oid, birth=rec.clock)
            t._cr_node = rec.add(n)
        return t

    def maker(self, fn: Callable, name: str) -> Callable:
        @functools.wraps(fn)
        def make(*a, **k):
            if REC.stopped and not REC.paused:
                raise StopScript()
            if name.endswith("_like") and a and isinstance(a[0], Traced):
                a = (plain(a[0]),) + a[1:]
            r = fn(*a, **k)
            if name in ("empty", "empty_like") and isinstance(r, np.ndarray) and \
                    self.is_user(sys._getframe(1).f_code.co_filename):
                r.fill(0)  # uninitialised memory (NaN, inf ...) must not decide a verdict: zeros, every run
            return self.made(r, name) if self._from_user() else r
        return make

    def array(self, fn: Callable, copy_default: bool) -> Callable:
        @functools.wraps(fn)
        def make(obj=None, *a, **k):
            if REC.stopped and not REC.paused:
                raise StopScript()
            user = self._from_user()
            if user and _has_traced(obj):
                r = fn(plain(obj), *a, **k)
                copy = k.get("copy", copy_default)
                if isinstance(obj, Traced) and not copy and r.dtype == obj.dtype and r.shape == obj.shape:
                    return obj  # np.asarray(x) of an array is x itself
                if not REC.recording:
                    return r.view(Traced) if isinstance(r, np.ndarray) else r
                return _record(r, "array", (node_of(obj),), {"dtype": r.dtype})
            r = fn(obj, *a, **k)
            return self.made(r, "array") if user else r
        return make

    def shuffle(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def shuffle(x, *a, **k):
            if REC.stopped and not REC.paused:
                raise StopScript()
            if isinstance(x, Traced) and REC.recording and not REC.paused:
                args = (node_of(x),)
                REC.before_write(plain(x))
                fn(plain(x), *a, **k)
                _version(x, "shuffle", args, {})
                return None
            return fn(plain(x), *a, **k)
        return shuffle


def _has_traced(obj: Any) -> bool:
    if isinstance(obj, Traced):
        return True
    if isinstance(obj, (list, tuple)) and len(obj) <= 10000:
        return any(_has_traced(v) for v in obj)
    return False
