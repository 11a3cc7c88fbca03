"""Click one matrix entry: the line's formula for that entry, with the real numbers in it.

``∂L/∂W₂[0,0] = Σᵢ H[i,0]·∂L/∂S[i,0] = 0.7371·(−0.1534) + 0·(−0.002217) + … = −0.03984``.

The shape of the sum comes from the formula table (:mod:`chainrule.formulas`: the index
form's ``einsum`` of ``linear.dW``, ``linear.db``, ``linear.dX``) or from the element-wise
rules (copy, ``− 1`` at the correct class, ``/ N``, the ReLU mask, the update).  Which array
of the line is which operand is *found*, not assumed: a rule is used only when it
reproduces the line's whole output (the Report's numbers) to 1e-9, so the page never
shows a formula the line did not compute.  The result shown is the Report's own number.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Optional

import numpy as np

from chainrule.formulas import all_formulas
from chainrule.serve.elementwise import (ALL_RULES, ELEMENTWISE, MAX_TERMS, REG_NAMES, STEP_NAMES, Expansion, Index,
                                         Line, at, close, fitted, num, scale_of, scale_text)
from chainrule.serve.symbols import Names, as_array, split_values

__all__ = ["Arrays", "Expansion", "REG_NAMES", "STEP_NAMES", "at", "close", "contraction", "expand", "fitted",
           "num", "report_arrays"]



def _orientations(out: np.ndarray, idx: Index, shape: tuple) -> list[Optional[tuple[np.ndarray, Index]]]:
    """The output read as the einsum's result: as it is, transposed, flattened (None: not possible)."""
    return [(out, idx) if out.shape == shape else None,
            (out.T, idx[::-1]) if out.ndim == 2 and out.T.shape == shape and out.shape != shape else None,
            (out.ravel(), (max(idx),)) if len(shape) == 1 and out.ndim == 2 and 1 in out.shape
            and out.size == shape[0] else None]


def contraction(key: str, names: Names, k: int, inputs: dict, out, idx) -> Optional[Expansion]:
    """A sum of products given by the formula's einsum, e.g. ``Σᵢ X[i,j]·∂L/∂Z[i,k]``."""
    spec = all_formulas()[key].einsum
    if not spec:
        return None
    ins, outl = spec.split("->")
    ins = ins.split(",")
    cands = [(n, a, False) for n, a in inputs.items() if a.ndim >= 1]
    cands += [(n, a.T, True) for n, a in inputs.items() if a.ndim == 2]
    combos = [c for c in itertools.permutations(cands, len(ins))
              if len({x[0] for x in c}) == len(c) and all(x[1].ndim == len(l) for x, l in zip(c, ins))]
    for turn in range(3):  # the output as it is first, then transposed, then flattened
        for combo in combos:
            try:
                res = np.einsum(spec, *(c[1] for c in combo))
            except ValueError:
                continue
            found = _orientations(out, idx, res.shape)[turn]
            if found is not None:
                c = scale_of(res, found[0], names.sizes(k))
                if c is not None:
                    return _sum_of_products(names, k, ins, outl, combo, found[1], c)
    return None


def _sum_of_products(names: Names, k: int, ins, outl: str, combo, oidx: Index, c: float) -> Expansion:
    fixed = dict(zip(outl, oidx))
    summed = sorted(set("".join(ins)) - set(outl))
    sizes = {l: a.shape[s.index(l)] for (_, a, _), s in zip(combo, ins) for l in s}

    def factor(n: str, transposed: bool, letters: tuple) -> tuple[str, tuple]:
        if transposed and n.endswith(".T"):
            return names.symbol(n[:-2], k), letters  # (X.T).T is X, read at the operand's index
        return names.symbol(n, k), (letters[::-1] if transposed else letters)

    rule_parts = []
    for (n, _, t), s in zip(combo, ins):
        sym, order = factor(n, t, tuple(fixed.get(l, l) for l in s))
        rule_parts.append(at(sym, order))
    rule = scale_text(c) + "".join(rf"\sum_{{{l}}}" for l in summed) + r"\,".join(rule_parts)
    terms, shown = [], []
    combos = list(itertools.product(*(range(sizes[l]) for l in summed)))
    for pick in combos:
        val = {**fixed, **dict(zip(summed, pick))}
        xs = [float(a[tuple(val[l] for l in s)]) for (_, a, _), s in zip(combo, ins)]
        terms.append(float(np.prod(xs)))
        shown.append(r"\cdot ".join(num(x, paren=True) for x in xs))
    if len(shown) > MAX_TERMS:
        shown = shown[:MAX_TERMS - 2] + [r"\cdots", shown[-1]]
    body = " + ".join(shown)
    numbers = (scale_text(c) + rf"\left({body}\right)") if c != 1.0 and len(terms) > 1 else scale_text(c) + body
    per_row = 1 if any(r"\times" in t for t in shown) else 2  # long numbers: one product per row
    chunks = [" + ".join(shown[i:i + per_row]) for i in range(0, len(shown), per_row)] if c == 1.0 else [numbers]
    return Expansion(rule, numbers, terms, [c[0] for c in combo], chunks)





@dataclass
class Arrays:
    """A line's arrays: what it read (by code name), the written variable before and after, and
    every array known before the line (``y``, the source of an alias)."""

    inputs: dict
    before: Optional[np.ndarray]
    out: np.ndarray
    context: dict


def report_arrays(names: Names, k: int) -> Optional[Arrays]:
    """The tiny example's arrays of ``steps[k]``, from the Report."""
    step = names.report.steps[k]
    inputs_v, before_v, after_v = split_values(step)
    if after_v is None:
        return None
    context = names.arrays_before(k)
    before = as_array(before_v) if before_v is not None else context.get(step.writes)
    return Arrays({v.name: as_array(v) for v in inputs_v}, before, as_array(after_v), context)


def expand(names: Names, k: int, idx: Index, arrays: Optional[Arrays] = None) -> Optional[Expansion]:
    """The formula of entry ``idx`` of what ``steps[k]`` writes, or None when no rule reproduces it.

    ``arrays`` default to the Report's tiny example; the full-size arrays of the same line
    (:mod:`.fullsize`) give the same formula with the live numbers.
    """
    step = names.report.steps[k]
    a = arrays or report_arrays(names, k)
    if a is None:
        return None
    out, inputs = a.out, a.inputs
    if out.ndim == 0 or len(idx) != out.ndim or any(not 0 <= i < d for i, d in zip(idx, out.shape)):
        return None
    before = a.before if a.before is not None and a.before.shape == out.shape else None
    line = Line(names, k, inputs, before, out, idx, a.context)
    keys = [key for key in step.formula_keys if key in all_formulas()]
    rules: list = []
    for key in keys:
        rules += ([lambda key=key: contraction(key, names, k, inputs, out, idx)]
                  if all_formulas()[key].einsum else [])
        rules += [lambda r=r: r(line) for r in ELEMENTWISE.get(key, ALL_RULES)]
    if not keys:
        rules = [lambda r=r: r(line) for r in ALL_RULES]
    for rule in rules:
        found = rule()
        if found is not None:
            found.lhs = at(names.meaning(step) or names.base_symbol(step.writes), idx)
            found.result = float(out[idx])
            return found
    return None
