"""What each backward line's variable holds, whether it is right, and the culprit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

from chainrule.check import diagnose
from chainrule.check.compare import Match, best_match, describe_factor
from chainrule.check.dataflow import reads, writes


@dataclass
class Line:
    index: int
    line: int
    code: str
    writes: str
    verdict: str
    gradient_of: Optional[str] = None
    factor: Optional[float] = None
    rel_error: Optional[float] = None
    message: str = ""
    ok: bool = True
    match: Optional[Match] = None
    closest: Optional[Match] = None
    formula_keys: list[str] = field(default_factory=list)
    value: Any = None


def d(label: str) -> str:
    return f"∂L/∂{label}" if " " not in label and "(" not in label else f"∂L/∂({label})"


def ints_in(ns: dict) -> dict[str, int]:
    out = {}
    for k, v in ns.items():
        if isinstance(v, (int, np.integer)) and not isinstance(v, bool) and not k.startswith("_") and v > 2:
            out.setdefault(k, int(v))
    named = dict(sorted(out.items(), key=lambda kv: (kv[0] not in ("num_examples", "N", "n", "m"), kv[0])))
    # sizes the script never names, e.g. `/ len(X)`: the data's number of rows (or columns, column-major)
    for k, v in ns.items():
        if isinstance(v, np.ndarray) and v.ndim == 2 and k.lower().lstrip("_").startswith(("x", "data", "input")):
            for label, n in ((f"len({k})", v.shape[0]), (f"{k}.shape[1]", v.shape[1])):
                if n > 2 and n not in named.values():
                    named[label] = int(n)
    return named


def classify(a) -> None:
    recs = a.trace.records
    quantities = a.grads.quantities if a.grads else []
    ints = ints_in(a.trace.start)
    upd = {u.index: u for u in a.updates}
    final_of: dict[int, str] = {}  # record index -> param whose update reads its value
    for u in a.updates:
        if u.grad:
            j = a.flow.writer(u.index, u.grad)
            if j is not None:
                final_of[j] = u.param
    # a line whose variable is later completed in place (dW = ...; dW += reg*W) aims at the same param
    for u in a.updates:
        j = a.flow.writer(u.index, u.grad) if u.grad else None
        while j is not None and u.grad in reads(a.flow.nodes[j]):
            j = a.flow.writer(j, u.grad)
            if j is not None:
                a.aims[j] = u.param
    lines: dict[int, Line] = {}
    for k in a.backward:
        if k >= len(recs):
            continue
        rec = recs[k]
        w = writes(rec.stmt.node)
        wname = w[0] if w else ""
        L = Line(k, rec.stmt.line, rec.stmt.code, a.show(wname), "intermediate")
        lines[k] = L
        if rec.error is not None:
            L.verdict, L.ok, L.message = "error", False, f"raises: {rec.error}"
            continue
        if k in upd:
            continue
        V = rec.after.get(wname)
        L.value = V
        if quantities and isinstance(V, np.ndarray):
            L.match, L.closest = best_match(V, quantities)
    # statuses, last line first (a value's verdict can depend on its consumers)
    for k in sorted(lines, reverse=True):
        L = lines[k]
        if L.verdict == "error":
            continue
        if k in upd:
            diagnose.update_line(a, L, upd[k])
            continue
        rec = recs[k]
        wname = writes(rec.stmt.node)[0] if writes(rec.stmt.node) else ""
        consumers = [c for c in a.flow.consumers(k) if c in lines]
        cons_ok = [lines[c].ok for c in consumers]
        m = L.match
        if m is not None:
            L.gradient_of, L.rel_error = m.q.label, m.rel
            L.factor = m.factor
        in_place = wname in reads(rec.stmt.node) and wname in rec.before
        if in_place and isinstance(L.value, np.ndarray) and np.array_equal(np.asarray(rec.before[wname]), L.value):
            L.verdict, L.ok = "wrong", False
            L.message = diagnose.no_effect(a, L, rec)
        elif m is not None and m.exact and (k not in final_of or m.q.label == final_of[k]):
            L.verdict, L.factor = "gradient", 1.0
            L.message = f"{L.writes} = {d(m.q.label)} ✓"
        elif m is not None and not m.transposed and k not in final_of:
            later = [j for j in lines if j > k and writes(recs[j].stmt.node)[:1] == [wname]
                     and lines[j].match is not None and lines[j].match.q is m.q and lines[j].match.exact]
            short, cause = describe_factor(m.factor, ints)
            # a scaled gradient is wrong only when its consumers carry the factor on (they match a
            # gradient up to a factor); consumers that match nothing break it themselves
            if later or (consumers and (all(cons_ok) or not any(lines[c].match for c in consumers))):
                L.verdict = "scaled"
                what = f"line {lines[later[0]].line}" if later else "the lines that use it"
                L.message = (f"{L.writes} = {short} {d(m.q.label)} (not yet the gradient: "
                             f"{what} {'divides' if abs(m.factor) > 1 else 'rescales'} it)")
            else:
                L.verdict, L.ok = "wrong", False
                L.message = f"{L.writes} = {short} {d(m.q.label)}: {cause}."
                if "division by" in cause:
                    name = cause.split("by ")[1].split(" ")[0]
                    L.message += f" Divide by {name} here (e.g. `{L.writes} /= {name}`) or right after."
        elif m is not None and m.transposed:
            L.verdict, L.ok = "wrong", False
            L.message = (f"{L.writes} holds the transpose of {d(m.q.label)} (shape {tuple(L.value.shape)}, "
                         f"but {m.q.label} has shape {tuple(m.q.g0.shape)}): swap the operands and "
                         f"transpose them.")
        else:
            if k in final_of:
                L.verdict, L.ok = "wrong", False
            elif consumers and not any(cons_ok) and not any(lines[c].match is not None for c in consumers):
                L.verdict, L.ok = "wrong", False
            else:
                L.verdict = "intermediate"
                L.message = diagnose.intermediate_text(a, L, rec, lines)
            if not L.ok:
                L.message = diagnose.wrong_text(a, L, rec, final_of.get(k), lines)
    # culprit: the earliest wrong line whose inputs are all right
    a.lines = [lines[k] for k in sorted(lines)]
    a.culprit = None
    for L in a.lines:
        if L.ok:
            continue
        ins = a.flow.inputs(L.index)
        if all(j is None or j not in lines or lines[j].ok for j in ins.values()):
            a.culprit = L.index
            break
    if a.culprit is None:
        bad = [L for L in a.lines if not L.ok]
        a.culprit = bad[0].index if bad else None
    diagnose.kink_sides(a)
    for L in a.lines:
        diagnose.formula_keys(a, L)
