"""The learner's own script as a :class:`chainrule.report.Report` (for ``chainrule explain SCRIPT``)."""

from __future__ import annotations

import numpy as np

from chainrule.report import ForwardStep, Report, Step


def _shape(v) -> list[int]:
    return [int(s) for s in np.shape(v)]


def build_report(a) -> Report:
    from chainrule.check.result import from_analysis
    from chainrule.formulas import get

    res = from_analysis(a)
    rep = Report(title=f"Your script: {a.name}",
                 intro="Each backward line of your training loop, what its variable holds after it runs, "
                       "and the formula it implements, checked against autodiff.",
                 network={"loss": a.loss_name, "params": {p: _shape(a.trace.start[p]) for p in a.params}},
                 source=a.plan.script.text)
    recs = a.trace.records
    for k in a.forward:
        rec = recs[k]
        w = [n for n in rec.after][:1]
        v = rec.after.get(w[0]) if w else None
        rep.forward.append(ForwardStep(code=rec.stmt.code, symbol=a.show(w[0]) if w else "",
                                       name=a.show(w[0]) if w else "", formula_latex="", formula_text="",
                                       shape=_shape(v), shape_text=str(tuple(_shape(v))), line=rec.stmt.line))
    for L in a.lines:
        rec = recs[L.index]
        if rec.stmt.internal:
            continue
        f = get(L.formula_keys[0]) if L.formula_keys else None
        shapes = {a.show(n): _shape(v) for n, v in rec.before.items() if isinstance(v, np.ndarray)}
        if isinstance(L.value, np.ndarray):
            shapes[L.writes] = _shape(L.value)
        rep.steps.append(Step(
            code=L.code, writes=L.writes, holds=L.verdict, gradient_of=L.gradient_of, factor=L.factor,
            title=(f.title if f else f"{L.writes}"), holds_text=L.message,
            formula_latex=f.matrix if f else None, index_latex=f.index if f else None,
            formula_text=f.text if f else None, formula_keys=list(L.formula_keys), shapes=shapes,
            rel_error_autodiff=L.rel_error if L.verdict in ("gradient", "scaled") else None,
            line=L.line, message=L.message, ok=L.ok))
    rep.kinks = res.kinks
    return rep
