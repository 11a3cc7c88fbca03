"""The true gradients: the recorded forward pass replayed through autograd, with taps.

Every forward node's output passes through an identity primitive, :func:`tap`, whose
backward rule stores the gradient arriving there: one ``autograd.grad`` call gives ∂L/∂(every
forward quantity) — named variables and unnamed sub-expressions like ``np.dot(X, W) + b``
alike — and ∂L/∂(every parameter), with no extra copies.  The replay must reproduce the
values the script computed (else the parts that differ are reported as unsure).  Where a
``max`` or a comparison has a tie (a ReLU input exactly 0) a second pass takes the other
subgradient, so a line is right if it lies between the two (:class:`Truth`).  Finite
differences along random directions in parameter space confirm the parameter gradients.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Optional

import autograd
import autograd.numpy as anp
import numpy as onp
from autograd.extend import defvjp, primitive
from autograd.tracer import getval

from chainrule.check.oracle import ops
from chainrule.check.oracle.replay import as_float64, is_float, replay
from chainrule.check.record.state import Node

_STORE: dict[int, Any] = {}
_VALUES: dict[int, Any] = {}
_VALUES_BASE: dict[int, Any] = {}


@primitive
def tap(x, k):
    _VALUES[k] = x
    return x


def _tap_vjp(ans, x, k):
    def vjp(g):
        _STORE[k] = g
        return g
    return vjp


defvjp(tap, _tap_vjp, None)


@dataclass
class Truth:
    loss: float
    values: dict[int, Any]  # float64 replay value of every forward node
    g0: dict[int, Any]  # ∂L/∂node (subgradient 0 at ties), for forward nodes and parameter leaves
    g1: dict[int, Any]  # the same with subgradient 1 (g1 is g0 where there is no tie)
    kinks: list[dict] = field(default_factory=list)  # {"node": id, "mask": bool array}
    mismatch: list[tuple[Node, float]] = field(default_factory=list)  # replay != record
    fd_error: Optional[float] = None
    seconds: float = 0.0
    order: list = field(default_factory=list)  # the forward nodes replayed
    loss_of: Any = None  # loss(env, xp) -> scalar
    scale: float = 1.0  # the gradients above are scale × those of loss_of (an inferred loss's form)

    def grad(self, n: Node, side: int = 0) -> Any:
        g = (self.g0 if side == 0 else self.g1).get(n.id)
        if g is None and n.id in self.values:
            return onp.zeros(onp.shape(self.values[n.id]))
        return g


def tolerance(dtype) -> float:
    """Relative agreement expected between a replay in float64 and the script's own numbers."""
    kind = onp.dtype(dtype)
    return {2: 5e-2, 4: 5e-4}.get(kind.itemsize, 1e-9) if kind.kind == "f" else 1e-9


def compute(order: list[Node], loss, params: list[Node], is_input, fd: bool = True,
            seed: int = 12345) -> Truth:
    """∂loss/∂(every node of ``order`` and every parameter leaf); see the module docstring.

    ``loss`` is the loss node, or a function ``loss(env, xp)`` of the replayed values (an inferred loss).
    """
    loss_of = loss if callable(loss) else (lambda env, xp, n=loss: xp.sum(env[n.id]))
    t0 = time.perf_counter()
    pvals = [as_float64(onp.asarray(p.value)) for p in params]
    pids = [p.id for p in params]

    def f(args):
        env = dict(zip(pids, args))
        replay(order, anp, env, tap=tap, is_input=lambda n: n.id not in env and is_input(n), reuse=True)
        out = loss_of(env, anp)
        _VALUES["loss"] = getval(out)
        return out

    _STORE.clear()
    _VALUES.clear()
    ops.TIES.clear()
    gp = autograd.grad(f)(pvals)
    g0 = dict(_STORE)
    values = dict(_VALUES)
    g0.update(zip(pids, [onp.asarray(v) for v in gp]))
    ties = list(ops.TIES)
    ops.TIES.clear()
    flips = _comparison_ties(order, values, is_input)
    kinks = [{"node": i, "mask": m} for i, m in ties] + flips
    if kinks:
        _STORE.clear()
        ops.TIE[0] = 1.0  # read by the backward rules of max/min, which run after the forward pass
        try:
            gp1 = autograd.grad(f)(pvals) if not flips else _flipped(order, loss_of, pids, pvals, is_input)
        finally:
            ops.TIE[0] = 0.0
        g1 = dict(_STORE)
        g1.update(zip(pids, [onp.asarray(v) for v in gp1]))
    else:
        g1 = g0
    _STORE.clear()
    _VALUES.clear()
    loss_value = float(onp.sum(values.pop("loss", onp.nan)))
    values.update(zip(pids, pvals))
    truth = Truth(loss_value, values, g0, g1, kinks, order=order, loss_of=loss_of)
    truth.mismatch = _check_values(order, values, is_input)
    for n in order:  # where the replay agrees, keep the script's own array and free the copy
        v = values.get(n.id)
        if v is not None and isinstance(n.value, onp.ndarray) and n.value.dtype == onp.float64 \
                and n not in {m for m, _ in truth.mismatch} and onp.shape(v) == n.value.shape:
            values[n.id] = n.value
    if fd and params:
        _VALUES_BASE.clear()
        _VALUES_BASE.update(values)
        try:
            truth.fd_error = _finite_differences(order, loss_of, pids, pvals, g0, g1, is_input, seed)
        finally:
            _VALUES_BASE.clear()
    truth.seconds = time.perf_counter() - t0
    return truth


def _flipped(order, loss_of, pids, pvals, is_input):
    """The second pass when comparisons have ties: ``>`` becomes ``>=`` (and back)."""
    def f(args):
        env = dict(zip(pids, args))
        replay(order, anp, env, tap=tap, flip=True, is_input=lambda n: n.id not in env and is_input(n))
        return loss_of(env, anp)
    return autograd.grad(f)(pvals)


def _comparison_ties(order: list[Node], values: dict, is_input) -> list[dict]:
    out = []
    for n in order:
        if n.op not in ops.FLIP or is_input(n) or n.value is None:
            continue
        try:
            flipped = ops_flip(n, values)
        except Exception:
            continue
        if flipped is not None and onp.shape(flipped) == onp.shape(n.value) and (flipped != n.value).any():
            out.append({"node": n.id, "mask": onp.asarray(flipped != n.value)})
    return out


def ops_flip(n: Node, values: dict) -> Any:
    args = []
    for a in n.args:
        if isinstance(a, Node):
            args.append(values.get(a.id, as_float64(a.value)))
        else:
            args.append(a)
    return getattr(onp, ops.FLIP[n.op])(*args)


def _check_values(order: list[Node], values: dict, is_input) -> list[tuple[Node, float]]:
    bad = []
    for n in order:
        if is_input(n) or not is_float(n) or n.id not in values or values[n.id] is n.value:
            continue
        a = onp.asarray(values[n.id], dtype=float)
        b = onp.asarray(n.value, dtype=float)
        if a.shape != b.shape:
            bad.append((n, onp.inf))
            continue
        nb = float(onp.linalg.norm(b))
        err = float(onp.linalg.norm(a - b)) / max(nb, 1e-300)
        if not onp.isfinite(b).all():
            continue  # NaN/inf in the script's own numbers: reported elsewhere
        if err > tolerance(n.value.dtype) and float(onp.linalg.norm(a - b)) > 1e-12:
            bad.append((n, err))
    return bad


def _cost(n: Node) -> float:
    """Rough work of replaying node ``n`` (multiply-adds for products, entries otherwise)."""
    if n.op in ("matmul", "dot") and len(n.args) >= 2:
        a = n.args[0].value if isinstance(n.args[0], Node) else n.args[0]
        return float(onp.size(n.value)) * float(onp.shape(a)[-1] if onp.ndim(a) else 1)
    return float(onp.size(n.value)) if n.value is not None else 0.0


def _descendants(order: list[Node], ids: set) -> list[Node]:
    out, desc = [], set(ids)
    for n in order:
        if any(m.id in desc for m in n.inputs()) or (n.prev is not None and n.prev.id in desc):
            desc.add(n.id)
            out.append(n)
    return out


def _finite_differences(order, loss_of, pids, pvals, g0, g1, is_input, seed: int) -> float:
    """Worst relative error of the directional derivative along a few directions (kinks: the interval).

    Directions are chosen among the parameters whose part of the forward pass is cheap to
    replay (on an MNIST-size batch, the first layer's product with the data is left out); the
    forward values before them are reused.
    """
    rng = onp.random.default_rng(seed)
    t0 = time.perf_counter()
    costs = {}
    for i in pids:
        costs[i] = sum(_cost(n) for n in _descendants(order, {i}))
    budget = 5e8
    keep = [i for i in sorted(pids, key=lambda i: costs[i])]
    chosen, total = [], 0.0
    for i in keep:
        if not chosen or total + costs[i] <= budget:
            chosen.append(i)
            total = max(total, costs[i])
    later = _descendants(order, set(chosen))
    later_ids = {n.id for n in later}
    fixed = {k: v for k, v in _VALUES_BASE.items() if k not in later_ids}
    vals = dict(zip(pids, pvals))

    def L(shift: dict) -> float:
        env = dict(fixed)
        env.update({i: vals[i] + shift.get(i, 0.0) for i in chosen})
        with onp.errstate(all="ignore"):
            replay(later, onp, env, is_input=lambda n: n.id not in env and is_input(n))
        return float(onp.sum(loss_of(env, onp)))

    # every max()/min() keeps the branch it took at the analysed point: the slope of the piece the
    # point lies on (a step across a kink would measure a mix of two slopes); masks stay as recorded
    ops.BRANCH.clear()
    base = dict(fixed)
    base.update({i: vals[i] for i in chosen})
    replay(later, onp, base, is_input=lambda n: n.id not in base and is_input(n), branches=True)
    scale = max(1.0, max(float(onp.abs(vals[i]).max()) if onp.size(vals[i]) else 0.0 for i in chosen))
    eps = 1e-5 * scale
    gnorm = onp.sqrt(sum(float(onp.sum(onp.asarray(g0[i]) ** 2)) for i in chosen))
    worst = 0.0
    for k in range(2):
        if k == 0 and gnorm > 0:
            d = {i: onp.asarray(g0[i], dtype=float) / gnorm for i in chosen}  # steepest: a large, clean slope
        else:
            d = {i: rng.standard_normal(onp.shape(vals[i])) for i in chosen}
            norm = onp.sqrt(sum(float(onp.sum(x * x)) for x in d.values())) or 1.0
            d = {i: x / norm for i, x in d.items()}
        fd = (L({i: eps * x for i, x in d.items()}) - L({i: -eps * x for i, x in d.items()})) / (2 * eps)
        a0 = sum(float(onp.sum(g0[i] * x)) for i, x in d.items())
        a1 = sum(float(onp.sum(g1[i] * x)) for i, x in d.items())
        lo, hi = min(a0, a1), max(a0, a1)
        span = max(abs(fd), abs(a0), abs(a1), 1e-3 * gnorm, 1e-12)
        err = 0.0 if lo - 1e-7 * span <= fd <= hi + 1e-7 * span else min(abs(fd - a0), abs(fd - a1)) / span
        worst = max(worst, err)
        if time.perf_counter() - t0 > 0.5:
            break  # a large network: one direction is convincing enough and keeps check fast
    ops.BRANCH.clear()
    return worst
