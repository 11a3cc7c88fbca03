"""Replay recorded nodes with a numpy-like module: the shared engine of the oracle and every what-if.

:func:`replay` evaluates nodes in order from an environment (node id -> value): inputs from
before the iteration come from the record (floats as float64), every other node through the
op table (:mod:`.ops`).  Non-float results (masks, labels, ``argmax``) are constants — taken
from the record — unless ``recompute`` asks to evaluate comparisons again (finite differences
cross kinks honestly; ``flip`` turns ``>`` into ``>=`` to find ties).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Optional

import numpy as onp
from autograd.tracer import getval

from chainrule.check.oracle import ops
from chainrule.check.record.state import Node


class Unreplayable(Exception):
    def __init__(self, node: Node):
        super().__init__(node.op)
        self.node = node


def as_float64(v: Any) -> Any:
    if isinstance(v, onp.ndarray) and v.dtype.kind == "f" and v.dtype != onp.float64:
        return v.astype(onp.float64)
    return v


def input_value(n: Node) -> Any:
    return as_float64(n.value)


def _resolve(x: Any, env: dict[int, Any]) -> Any:
    if isinstance(x, Node):
        v = env.get(x.id)
        return v if v is not None or x.id in env else input_value(x)
    if type(x) is tuple:
        return tuple(_resolve(v, env) for v in x)
    if type(x) is list:
        return [_resolve(v, env) for v in x]
    if isinstance(x, slice):
        return slice(_resolve(x.start, env), _resolve(x.stop, env), _resolve(x.step, env))
    return x


def _plain_index(k: Any) -> Any:
    """Index keys are never differentiated: unbox them."""
    if type(k) is tuple:
        return tuple(_plain_index(v) for v in k)
    if type(k) is list:
        return [_plain_index(v) for v in k]
    return getval(k)


def is_float(n: Node) -> bool:
    v = n.value
    return isinstance(v, onp.ndarray) and v.dtype.kind in "fc"


def replay(nodes: Iterable[Node], xp, env: dict[int, Any], tap: Optional[Callable] = None,
           recompute: bool = False, flip: bool = False, is_input: Optional[Callable[[Node], bool]] = None,
           branches: bool = False, reuse: bool = False) -> dict:
    """Evaluate ``nodes`` (in order) into ``env``; see the module docstring.

    ``branches``: remember which argument of every max()/min() won (:data:`ops.BRANCH`), so that
    later plain replays keep those branches.  ``reuse``: large float64 matrix products return the
    script's own result (their inputs are replayed; the oracle's backward rules need no output).
    """
    ops.RECORD_BRANCH[0] = branches
    try:
        return _replay(nodes, xp, env, tap, recompute, flip, is_input, reuse)
    finally:
        ops.RECORD_BRANCH[0] = False


REUSE_SIZE = 1 << 16


def _replay(nodes, xp, env, tap, recompute, flip, is_input, reuse=False) -> dict:
    for n in nodes:
        if n.id in env:
            continue
        if is_input is not None and is_input(n) or n.op in ("leaf", "const"):
            env[n.id] = input_value(n)
            continue
        if n.error is not None or n.value is None:
            raise Unreplayable(n)
        if not is_float(n):
            env[n.id] = _constant(n, env, recompute, flip)
            continue
        fn = ops.IMPL.get(n.op)
        if fn is None:
            raise Unreplayable(n)
        args = _resolve(n.args, env)
        kwargs = {k: _resolve(v, env) for k, v in n.kwargs.items()}
        if n.op in ("getitem", "setitem"):
            args = (args[0], _plain_index(args[1])) + tuple(args[2:])
        elif n.op == "add.at":
            args = (args[0], _plain_index(args[1])) + tuple(args[2:])
        ops.KINK_NODE[0] = n.id if n.op in ("maximum", "minimum", "fmax", "fmin") else None
        if n.op in ("matmul", "dot") and reuse and n.value.dtype == onp.float64 and n.value.size >= REUSE_SIZE:
            ops.KNOWN["value"] = n.value
        try:
            val = fn(xp, *args, **kwargs)
        except Unreplayable:
            raise
        except Exception as exc:
            raise Unreplayable(n) from exc
        finally:
            ops.KINK_NODE[0] = None
            ops.KNOWN["value"] = None
        env[n.id] = tap(val, n.id) if tap is not None else val
    return env


def _constant(n: Node, env: dict, recompute: bool, flip: bool) -> Any:
    name = n.op
    if (recompute or flip) and name in ops.FLIP or recompute and name in ("equal", "not_equal"):
        args = [getval(a) for a in _resolve(n.args, env)]
        if flip and name in ops.FLIP:
            name = ops.FLIP[name]
        try:
            return getattr(onp, name)(*args)
        except Exception:
            return n.value
    if recompute and name == "astype" and n.args:
        v = getval(_resolve(n.args[0], env))
        try:
            return onp.asarray(v).astype(n.value.dtype)
        except Exception:
            return n.value
    return n.value
