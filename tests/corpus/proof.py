"""Prove numerically that a corpus script's first step(s) are (or are not) the right optimizer step.

For a :class:`spec.Case` the harness runs the script (:mod:`scriptrun`), snapshots the parameters
at the loop header before the first iteration and after each of ``case.steps`` iterations, and
the iteration's data at its end. Then, for every step k and parameter θ,

    expected Δθ_k = optimizer step of ∇L(θ_k)   (∇ by autograd of the catalog's loss),
    error_k(θ)    = ‖Δθ_script − Δθ_expected‖ / max(‖Δθ_script‖, ‖Δθ_expected‖),

and autograd's gradient is cross-checked by central finite differences along random directions
(a disagreement there is a bug in the oracle, not a verdict). The verdict is "right" when every
error is within the tolerance of the parameters' dtype, "wrong" when one is far beyond it (or a
shape changed, or the script raised), and "unclear" in between.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from autograd import grad

from scriptrun import RunResult, find_line, run_script
from spec import Case

TOLERANCE = {"float64": 1e-6, "float32": 5e-4}  # a correct step is at least this close
WRONG = {"float64": 1e-3, "float32": 1e-2}  # a wrong step is at least this far
FD_TOLERANCE = 1e-4


@dataclass
class Proof:
    verdict: str  # "right" | "wrong" | "unclear"
    worst: float  # the largest relative error over parameters and steps (inf: shape or crash)
    dtype: str
    errors: dict[str, float] = field(default_factory=dict)  # "k:name" -> relative error
    fd_error: float = 0.0
    reason: str = ""
    run: RunResult | None = None

    def summary(self) -> str:
        parts = [f"{key}={value:.2e}" for key, value in self.errors.items()]
        return f"{self.verdict} (worst {self.worst:.2e}, {self.dtype}) {self.reason} " + " ".join(parts)


def _grab(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (int, float, np.number)):
        return np.asarray(value)
    return copy.deepcopy(value)


def _evaluate(frame, expressions: dict[str, str]) -> dict[str, Any]:
    namespace = dict(frame.f_globals)
    namespace.update(frame.f_locals)
    namespace.setdefault("np", np)
    return {name: _grab(eval(expr, namespace)) for name, expr in expressions.items()}


@dataclass
class Trace:
    params: list[dict[str, Any]]  # before iteration 1, after iteration 1, ...
    data: list[dict[str, Any]]  # data of iteration 1, 2, ...
    run: RunResult


def record(case: Case, folder: Path | None = None, stop_early: bool = False) -> Trace:
    """Run the case's script (from ``folder``, default its corpus folder) and take the snapshots."""
    folder = folder or case.path.parent
    script = folder / case.path.name
    loop_file = folder / (case.loop_file or case.path.name)
    line = find_line(loop_file, case.loop)
    params: list[dict[str, Any]] = []
    data: list[dict[str, Any]] = []

    def on_hit(frame, k: int) -> bool:
        if k > case.steps + 1:
            return False
        params.append(_evaluate(frame, case.params))
        if k > 1:
            data.append(_evaluate(frame, case.data))
        return stop_early and k == case.steps + 1

    return Trace(params, data, run_script(script, loop_file, line, on_hit))


def _as64(value: Any) -> Any:
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value.astype(np.float64)
    return value


def _fd_error(case: Case, p: dict[str, np.ndarray], d: dict[str, Any]) -> float:
    """Largest disagreement of autograd's directional derivative with central differences.

    It is measured a little away from the proven point (each parameter moved by 1e-3 of its
    size): the corpus has inputs at exactly 0, which put ReLUs on their kink, where a central
    difference averages the two one-sided slopes while the scripts (and :mod:`oracle`) take
    relu'(0) = 0. Away from kinks the two must agree: this checks the oracle's derivative.
    """
    rng = np.random.default_rng(0)
    p = {n: a + 1e-3 * (np.sqrt(np.mean(a * a)) + 1e-2) * rng.standard_normal(np.shape(a)) for n, a in p.items()}
    g = grad(lambda q: case.loss(q, d))(p)
    worst = 0.0
    gnorm = np.sqrt(sum(float(np.sum(v * v)) for v in g.values()))
    for _ in range(3):
        v = {n: rng.standard_normal(np.shape(a)) for n, a in p.items()}
        vnorm = np.sqrt(sum(float(np.sum(x * x)) for x in v.values()))
        v = {n: x / vnorm for n, x in v.items()}
        exact = sum(float(np.sum(g[n] * v[n])) for n in p)
        errors = []
        for h in (1e-5, 1e-6, 1e-7):  # kinks crossed make the error ∝ h; rounding makes it ∝ 1/h
            plus = case.loss({n: p[n] + h * v[n] for n in p}, d)
            minus = case.loss({n: p[n] - h * v[n] for n in p}, d)
            fd = (float(plus) - float(minus)) / (2 * h)
            errors.append(abs(fd - exact) / max(abs(exact), 1e-3 * gnorm, 1e-12))
        worst = max(worst, min(errors))
    return worst


def _dtype(params: dict[str, Any]) -> str:
    kinds = {np.asarray(v).dtype for v in params.values()}
    return "float32" if np.dtype(np.float32) in kinds else "float64"


def prove(case: Case, folder: Path | None = None, stop_early: bool = False) -> Proof:
    """The verdict on the case's script (in ``folder``: e.g. a mutant's copy)."""
    trace = record(case, folder, stop_early)
    dtype = _dtype(trace.params[0]) if trace.params else "float64"
    if trace.run.error is not None and len(trace.params) < case.steps + 1:
        where = trace.run.error_line
        why = f"the script raised {type(trace.run.error).__name__}: {trace.run.error} at {where}"
        return Proof("wrong", float("inf"), dtype, reason=why, run=trace.run)
    if len(trace.params) < case.steps + 1:
        raise AssertionError(f"{case.name}: loop header {case.loop!r} ran {trace.run.hits} times")
    errors: dict[str, float] = {}
    step = case.opt.stepper()
    fd_error, reasons = 0.0, []
    for k in range(case.steps):
        before, after = trace.params[k], trace.params[k + 1]
        p = {n: np.asarray(v, dtype=np.float64) for n, v in before.items()}
        d = {n: _as64(v) for n, v in trace.data[k].items()}
        g = grad(lambda q: case.loss(q, d))(p)
        if k == 0:
            fd_error = _fd_error(case, p, d)
        expected = {n: np.asarray(step(n, g[n], k, p[n])) for n in p}
        # a parameter whose true step is 0 (balanced classes) is judged against the others' size
        floor = 1e-9 * max(float(np.linalg.norm(e)) for e in expected.values())
        for n in p:
            moved = np.asarray(after[n], dtype=np.float64)
            if moved.shape != p[n].shape:
                reasons.append(f"{n} changed shape {p[n].shape} -> {moved.shape}")
                errors[f"{k}:{n}"] = float("inf")
                continue
            actual = moved - p[n]
            scale = max(np.linalg.norm(actual), np.linalg.norm(expected[n]), floor)
            error = float(np.linalg.norm(actual - expected[n]) / scale) if scale else 0.0
            errors[f"{k}:{n}"] = error if np.isfinite(error) else float("inf")  # NaN: diverged
    if fd_error > FD_TOLERANCE:
        raise AssertionError(f"{case.name}: the oracle's gradient disagrees with finite differences ({fd_error:.1e})")
    worst = max(errors.values())
    verdict = "right" if worst <= TOLERANCE[dtype] else "wrong" if worst >= WRONG[dtype] else "unclear"
    return Proof(verdict, worst, dtype, errors, fd_error, "; ".join(reasons), trace.run)
