"""The pipeline: load, locate, run one iteration, find parameters/loss, differentiate, classify."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

from chainrule.check import autodiff
from chainrule.check.dataflow import Flow, find_updates, is_scalar, reads, writes
from chainrule.check.locate import SUPPORTED, locate
from chainrule.check.runner import Runner, Trace
from chainrule.check.source import load_script
from chainrule.errors import ChainruleError


@dataclass
class Analysis:
    plan: Any
    trace: Trace
    flow: Flow
    updates: list
    params: list[str]
    loss_index: Optional[int]
    loss_name: Optional[str]
    forward: list[int]
    backward: list[int]
    grads: Optional[autodiff.Gradients] = None
    lines: list = field(default_factory=list)  # classify.Line
    culprit: Optional[int] = None  # record index
    notes: list[str] = field(default_factory=list)
    loss_var: Optional[str] = None
    aims: dict = field(default_factory=dict)  # record -> param it is building the gradient of

    @property
    def name(self) -> str:
        return os.path.basename(self.plan.script.path)

    def show(self, name: str) -> str:
        return self.plan.display.get(name, name)


def _loss(records, flow: Flow, updates, params) -> tuple[int, str]:
    first_update = min(u.index for u in updates)
    gslice = flow.slice([(u.index, u.grad) for u in updates if u.grad])
    cands = []
    for rec in records[:first_update]:
        w = writes(rec.stmt.node)
        if len(w) != 1 or rec.stmt.internal or w[0] not in rec.after or not is_scalar(rec.after[w[0]]):
            continue
        fs = flow.slice([(rec.index, r) for r in reads(rec.stmt.node)]) | {rec.index}
        dep = any(set(reads(records[j].stmt.node)) & set(params) for j in fs)
        if not dep:
            continue
        rest = gslice - fs
        chained = [k for k in rest if any(j in rest for j in flow.inputs(k).values())]
        first_bwd = min(chained) if chained else len(records)
        if rec.index < first_bwd:
            cands.append((rec.index, w[0]))
    if not cands:
        raise ChainruleError(
            f"no loss found: chainrule needs the loop to compute the loss (a single number, e.g. "
            f"`loss = data_loss + reg_loss`) from the parameters before the backward lines; "
            f"{SUPPORTED}.")
    named = [c for c in cands if any(t in c[1].lower() for t in ("loss", "cost", "error", "obj"))]
    return (named or cands)[-1]


def analyse(path: str, iteration: int = 1, seed: int = 0, timeout: float = 60.0) -> Analysis:
    from chainrule.check.classify import classify

    if iteration < 1:
        raise ChainruleError(f"Invalid value {iteration} for --iteration: iterations count from 1.")
    if timeout <= 0:
        raise ChainruleError(f"Invalid value {timeout} for --timeout: give a number of seconds > 0.")
    script = load_script(path)
    plan = locate(script)
    runner = Runner(plan, seed=seed, timeout=timeout)
    np.random.seed(seed)
    trace = runner.run(iteration)
    records = trace.records
    flow = Flow([st.node for st in plan.body])
    updates = find_updates(plan.body, records, trace.start)
    name = os.path.basename(path)
    if not updates:
        raise ChainruleError(f"{name}: the loop on line {plan.loop.lineno} has no update of a numpy "
                             f"array parameter that chainrule can follow; {SUPPORTED}.")
    params = []
    for u in updates:
        if u.param not in params:
            params.append(u.param)
    error_idx = records[-1].index if records and records[-1].error is not None else None
    try:
        loss_index, loss_name = _loss(records, flow, updates, params)
    except ChainruleError:
        if error_idx is None:
            raise
        a = Analysis(plan, trace, flow, updates, params, None, None,
                     [r.index for r in records[:-1]], [error_idx])
        classify(a)
        return a
    fwd = sorted(flow.slice([(loss_index, r) for r in reads(records[loss_index].stmt.node)]) | {loss_index})
    gslice = flow.slice([(u.index, u.grad) for u in updates if u.grad])
    bwd = sorted((gslice - set(fwd)) | {u.index for u in updates})
    if error_idx is not None:
        bwd = sorted(set(k for k in bwd if k < error_idx) | {error_idx})
    a = Analysis(plan, trace, flow, updates, params, loss_index, plan.display.get(loss_name, loss_name), fwd, bwd)
    a.loss_var = loss_name
    a.grads = autodiff.compute(records, fwd, loss_name, params, trace.start, trace.ns, script.text,
                               script.path, plan.display, rng_state=trace.rng_state)
    if not a.grads.fd_ok:
        a.notes.append("finite differences disagree with autograd on "
                       + ", ".join(f"{p} (rel. error {e:.1e})" for p, e in a.grads.fd.items())
                       + "; the verdicts below may be unreliable")
    classify(a)
    return a
