"""The learner's own script as a :class:`chainrule.report.Report` (for ``chainrule explain SCRIPT``).

Forward: one :class:`ForwardStep` per recognised quantity (a line such as
``hidden = np.maximum(0, X @ W + b)`` gives two: the pre-activation and the activation),
its op-table formula written with the script's symbols and names
(:mod:`chainrule.check.narrate`).  Backward: every statement with its formula keys
(:mod:`chainrule.check.patterns`), chain-rule and shape argument in the script's names
(:mod:`chainrule.check.narrate_bwd`), windows of the arrays it read and wrote, and its
relative errors against autograd (the checker's) and finite differences
(:mod:`chainrule.check.numbers`).  Nothing here is recomputed by a renderer.
"""

from __future__ import annotations

import numpy as np

from chainrule.check import narrate_bwd
from chainrule.check.compare import compare
from chainrule.check.dataflow import reads, writes
from chainrule.check.narrate import forward_formula, text_sym
from chainrule.check.numbers import FiniteDifferences, window
from chainrule.check.bwd_patterns import backward
from chainrule.check.patterns import Forward
from chainrule.report import ForwardStep, Report, Step

INTRO = ("Each line of your training loop, in your own names: the forward chain with the formula "
         "each line computes, then every backward line — what its variable holds after it runs, the "
         "formula it implements, the chain-rule step and the shape argument behind it, the first "
         "entries of the arrays it reads and writes in the analysed iteration, and a check against autograd "
         "and finite differences.")


def _shape(v) -> list[int]:
    return [int(s) for s in np.shape(v)]


def _shape_text(v) -> str:
    return "scalar" if np.ndim(v) == 0 else str(tuple(_shape(v)))


def _quantity_value(a, name: str):
    q = next((q for q in (a.grads.quantities if a.grads else []) if q.label == name), None)
    return q.value if q is not None else None


def forward_steps(a, fw: Forward) -> list[ForwardStep]:
    recs = a.trace.records
    out: list[ForwardStep] = []
    done: set[int] = set()
    for k in a.forward:
        rec = recs[k]
        if rec.stmt.internal:
            continue
        items = [it for it in fw.items if it.index == k]
        for it in items:
            raw = next((w for w in rec.after if a.show(w) == it.name), None)
            v = rec.after[raw] if raw is not None else _quantity_value(a, it.name)
            lat, txt = forward_formula(fw, it)
            vals = [x for x in [window(it.name, v)] if x is not None]
            out.append(ForwardStep(code=rec.stmt.code, symbol=text_sym(it.symbol), name=it.name,
                                   formula_latex=lat, formula_text=txt, shape=_shape(v),
                                   shape_text=_shape_text(v), line=rec.stmt.line, values=vals))
        if not items and k not in done:
            w = [n for n in rec.after][:1]
            v = rec.after.get(w[0]) if w else None
            vals = [x for x in [window(a.show(w[0]), v)] if x is not None] if w else []
            out.append(ForwardStep(code=rec.stmt.code, symbol="", name=a.show(w[0]) if w else "",
                                   formula_latex="", formula_text="", shape=_shape(v),
                                   shape_text=_shape_text(v), line=rec.stmt.line, values=vals))
        done.add(k)
    return out


def _values(a, rec, wname: str) -> list:
    """Windows of the arrays (and float numbers) the statement read, then of what it wrote."""
    def keep(v):
        return isinstance(v, np.ndarray) or isinstance(v, (float, np.floating))
    written = [n for n in writes(rec.stmt.node) if a.show(n) == wname and n in rec.after]
    vals = []
    for n in reads(rec.stmt.node):
        if n in rec.before and keep(rec.before[n]):
            v = window(a.show(n), rec.before[n], "before this line" if n in written else "")
            if v is not None:
                vals.append(v)
    for n in written:
        v = window(a.show(n), rec.after[n], "after this line")
        if v is not None:
            vals.append(v)
    return vals


def _fd(a, fd: FiniteDifferences, L, rec):
    """(rel. error vs finite differences, rel. error vs autograd) of a line that holds a gradient."""
    if L.verdict in ("gradient", "scaled") and L.match is not None and not L.match.transposed:
        V = np.asarray(L.value, dtype=float) / (L.factor or 1.0)
        return fd.rel_error(L.match.q, V), L.rel_error
    if L.verdict == "update" and a.grads:
        u = next(u for u in a.updates if u.index == L.index)
        q = a.grads.params.get(u.param)
        before, after = rec.before.get(u.param), rec.after.get(u.param)
        if q is None or before is None or after is None or not L.factor:
            return None, L.rel_error
        step = (np.asarray(before, dtype=float) - np.asarray(after, dtype=float)) / L.factor
        m = compare(step, q)  # a descent step along a scaled gradient: the scale is an earlier line's fault
        exact = m is not None and m.exact and m.rel < 1e-6
        return (fd.rel_error(q, step) if exact else None), L.rel_error
    return None, None


def build_report(a) -> Report:
    from chainrule.check.result import from_analysis
    from chainrule.formulas import get

    res = from_analysis(a)
    fw = Forward(a)
    rep = Report(title=f"Your script: {a.name}", intro=INTRO,
                 network={"loss": a.loss_name,
                          "loss function": "multiclass SVM (hinge)" if fw.loss_kind() == "hinge" else "softmax cross-entropy",
                          "params": {a.show(p): _shape(a.trace.start[p]) for p in a.params}},
                 source=a.plan.script.text)
    recs = a.trace.records
    rep.forward = forward_steps(a, fw)
    fd = FiniteDifferences(a) if a.grads is not None and a.loss_var else None
    loss_vars: set[str] = set()
    for L in a.lines:
        rec = recs[L.index]
        pat = backward(a, fw, L.index, loss_vars) if rec.error is None else None
        if rec.stmt.internal:
            continue
        keys = list(pat.keys) if pat and pat.keys else ([] if pat and pat.kind else list(L.formula_keys))
        fs = [get(k) for k in keys]
        shapes = {a.show(n): _shape(v) for n, v in rec.before.items() if isinstance(v, np.ndarray)}
        if isinstance(L.value, np.ndarray):
            shapes[L.writes] = _shape(L.value)
        chain, reason = narrate_bwd.texts(a, fw, L, pat, rec) if pat else ("", "")
        err_fd, err_ad = _fd(a, fd, L, rec) if fd is not None and rec.error is None else (None, None)
        wv = rec.after.get(next((w for w in rec.after if a.show(w) == L.writes), ""), L.value)
        title = f"{L.writes}: {_lower_first(fs[0].title)}" if fs else L.writes
        if L.verdict == "update" or "update.gd" in keys:
            title = f"Update {L.writes}"
        rep.steps.append(Step(
            code=L.code, writes=L.writes, holds=L.verdict, gradient_of=L.gradient_of, factor=L.factor,
            title=title, holds_text=narrate_bwd.holds(a, L, np.shape(wv) if wv is not None else None),
            formula_latex=" \\qquad ".join(f.matrix for f in fs) or None,
            index_latex=" \\qquad ".join(f.index for f in fs) or None,
            formula_text="   |   ".join(f.text for f in fs) or None,
            chain=chain, shape_reason=reason, formula_keys=keys, shapes=shapes,
            values=_values(a, rec, L.writes) if rec.error is None else [],
            rel_error_fd=err_fd, rel_error_autodiff=err_ad,
            line=L.line, message=L.message, ok=L.ok))
    rep.kinks = res.kinks
    return _learner_names(rep, a.plan.display)


def _lower_first(title: str) -> str:
    """'Gradient of the bias' -> 'gradient of the bias'; words such as 'L2', 'ReLU', 'SVM' stay."""
    first = title.split(" ", 1)[0]
    return title[:1].lower() + title[1:] if first[1:] == first[1:].lower() and first.isalpha() else title


def _learner_names(obj, display: dict):
    """Every string in the report with dict entries shown as the learner wrote them (``model["W1"]``)."""
    from dataclasses import fields, is_dataclass

    from chainrule.check.dictkeys import shown

    if not any(v.endswith('"]') for v in display.values()):
        return obj
    if isinstance(obj, str):
        return shown(obj, display)
    if isinstance(obj, list):
        return [_learner_names(v, display) for v in obj]
    if isinstance(obj, dict):
        return {_learner_names(k, display): _learner_names(v, display) for k, v in obj.items()}
    if is_dataclass(obj) and not isinstance(obj, type):
        for f in fields(obj):
            setattr(obj, f.name, _learner_names(getattr(obj, f.name), display))
    return obj
