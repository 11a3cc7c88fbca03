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
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from chainrule.formulas import all_formulas
from chainrule.render.latex import fmt_num
from chainrule.serve.symbols import Names, as_array, scalar, split_values

MAX_TERMS = 6  # a longer sum shows its first terms, "⋯" and the last one
STEP_NAMES = ("step_size", "learning_rate", "lr", "eta", "alpha")  # names of η in learners' code
REG_NAMES = ("reg", "lambd", "lam", "lmbda", "reg_strength")  # names of λ
Index = tuple[int, ...]


@dataclass
class Expansion:
    """One entry's formula: ``lhs = rule = numbers = result``."""

    rule: str  # LaTeX, the index form at this entry (summed letters stay letters)
    numbers: str  # LaTeX, the same with each array's number
    terms: list[float]  # the products (or the one value) that make the result
    names: list[str] = field(default_factory=list)  # the code names the rule reads
    chunks: list[str] = field(default_factory=list)  # ``numbers`` cut into rows of a few terms
    lhs: str = ""
    result: float = 0.0


def num(x: float, paren: bool = False) -> str:
    """A number as LaTeX (4 significant digits); negative ones bracketed when ``paren``."""
    s = fmt_num(float(x))
    if "e" in s:
        mant, exp = s.split("e")
        s = rf"{mant}\times 10^{{{int(exp)}}}"
    return f"({s})" if paren and s.startswith("-") else s


def at(sym: str, idx: tuple) -> str:
    return f"{sym}[{','.join(str(i) for i in idx)}]"


def close(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-9, atol=1e-12))


def _scale(res: np.ndarray, out: np.ndarray, sizes: set[int]) -> Optional[float]:
    """``c`` with ``out == c * res``: 1, or 1/n for a size n of this network (N, m, ...); else None."""
    if close(res, out):
        return 1.0
    nz = np.abs(res) > 1e-12
    if not nz.any():
        return None
    c = float(np.median(out[nz] / res[nz]))
    n = round(1 / c) if c else 0
    return c if n in sizes and abs(1 / c - n) < 1e-6 * n and close(res / n, out) else None


def _scale_text(c: float) -> str:
    if c == 1.0:
        return ""
    m = 1 / c
    return rf"\frac{{1}}{{{m:.0f}}}\," if abs(m - round(m)) < 1e-9 else num(c) + r"\,"


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
                c = _scale(res, found[0], names.sizes(k))
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
    rule = _scale_text(c) + "".join(rf"\sum_{{{l}}}" for l in summed) + r"\,".join(rule_parts)
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
    numbers = (_scale_text(c) + rf"\left({body}\right)") if c != 1.0 and len(terms) > 1 else _scale_text(c) + body
    per_row = 1 if any(r"\times" in t for t in shown) else 2  # long numbers: one product per row
    chunks = [" + ".join(shown[i:i + per_row]) for i in range(0, len(shown), per_row)] if c == 1.0 else [numbers]
    return Expansion(rule, numbers, terms, [c[0] for c in combo], chunks)


@dataclass
class Line:
    """What one line read and wrote, for the element-wise rules."""

    names: Names
    k: int
    inputs: dict  # code name -> array, as the line read them
    before: Optional[np.ndarray]  # the written variable before the line (None: new)
    out: np.ndarray
    idx: Index
    context: dict  # every array known before the line, by code name

    @property
    def prev(self) -> str:
        return self.names.symbol(self.names.report.steps[self.k].writes, self.k)

    def same(self) -> dict:
        return {n: a for n, a in self.inputs.items() if a.shape == self.out.shape}

    def sym(self, name: str) -> str:
        return at(self.names.symbol(name, self.k), self.idx)


def copy_of(L: Line) -> Optional[Expansion]:
    """``dscores = probs``: the entry is the other array's."""
    step = L.names.report.steps[L.k]
    src = L.names.alias_source(step)
    cands = ({src: L.context.get(src)} if src else {}) | L.same()
    for n, a in cands.items():
        if a is not None and close(L.out, a):
            return Expansion(L.sym(n), num(a[L.idx]), [float(a[L.idx])], [n])
    return None


def minus_onehot(L: Line) -> Optional[Expansion]:
    """``dscores[range(N), y] -= 1``: subtract 1 at the correct class."""
    y = L.inputs.get("y", L.context.get("y"))
    b, out = L.before, L.out
    if b is None or y is None or y.ndim != 1 or out.ndim != 2 or len(y) != out.shape[0]:
        return None
    onehot = np.eye(out.shape[1])[y.astype(int)]
    if not close(out, b - onehot):
        return None
    i, c = L.idx
    one = float(onehot[L.idx])
    return Expansion(rf"{at(L.prev, L.idx)} - \mathbb{{1}}[{c} = y_{{{i}}}]",
                     rf"{num(b[L.idx])} - {one:g}", [float(b[L.idx]), -one], [L.names.report.steps[L.k].writes, "y"])


def difference(L: Line) -> Optional[Expansion]:
    """``dZ2 = A2 - Y``: one array minus another (the one-hot labels)."""
    for (n1, a1), (n2, a2) in itertools.permutations(L.same().items(), 2):
        if close(L.out, a1 - a2):
            return Expansion(f"{L.sym(n1)} - {L.sym(n2)}", f"{num(a1[L.idx])} - {num(a2[L.idx], True)}",
                             [float(a1[L.idx]), -float(a2[L.idx])], [n1, n2])
    return None


def divided(L: Line) -> Optional[Expansion]:
    """``dscores /= num_examples``: the entry divided by a size of the network."""
    if L.before is None:
        return None
    c = _scale(L.before, L.out, L.names.sizes(L.k))
    if c is None or c == 1.0:
        return None
    n = round(1 / c)
    sym = "N" if n == L.names.N else str(n)
    return Expansion(rf"{at(L.prev, L.idx)} / {sym}", rf"{num(L.before[L.idx], True)} / {n}",
                     [float(L.before[L.idx]) * c], [L.names.report.steps[L.k].writes])


def relu_mask(L: Line) -> Optional[Expansion]:
    """``dhidden[hidden_layer <= 0] = 0``: keep the upstream gradient where the unit fired."""
    if L.before is None:
        return None
    step = L.names.report.steps[L.k]
    for n, m in L.same().items():
        for fired in (m > 0, m == 0):
            if close(L.out, L.before * fired):
                z = L.names.base_symbol(step.gradient_of) if step.gradient_of else "Z"
                f = float(fired[L.idx])
                return Expansion(rf"{at(L.prev, L.idx)}\cdot \mathbb{{1}}[{at(z, L.idx)} > 0]",
                                 rf"{num(L.before[L.idx], True)}\cdot {f:g}",
                                 [float(L.before[L.idx]) * f], [step.writes, n])
    return None


def fitted(delta: np.ndarray, base: np.ndarray) -> Optional[float]:
    """``c`` with ``delta == c * base`` entry by entry (to 1e-9), else None: η of an update, λ of L2.

    The scalar is read off the line's own arrays, so it is right whatever the script calls it.
    """
    bb = float(np.sum(base * base))
    if delta.shape != base.shape or bb == 0:
        return None
    c = float(np.sum(delta * base)) / bb
    c = float(f"{c:.12g}")  # 1.0000000000000002 is η = 1
    return c if close(c * base, delta) else None


def _named(L: Line, names: tuple[str, ...]) -> Optional[float]:
    v = scalar(L.inputs, *names)
    return scalar(L.context, *names) if v is None else v


def update(L: Line) -> Optional[Expansion]:
    """``W += -step_size * dW``: the parameter minus η times its gradient."""
    if L.before is None:
        return None
    for n, g in L.same().items():
        eta = _named(L, STEP_NAMES)
        if eta is None or not close(L.out, L.before - eta * g):
            eta = fitted(L.before - L.out, g)
        if eta is not None and eta > 0:
            b = L.before[L.idx]
            return Expansion(rf"{at(L.prev, L.idx)} - \eta\, {L.sym(n)}",
                             rf"{num(b)} - {num(eta)}\cdot {num(g[L.idx], True)}",
                             [float(b), -eta * float(g[L.idx])], [L.names.report.steps[L.k].writes, n])
    return None


def l2_term(L: Line) -> Optional[Expansion]:
    """``dW2 += reg * W2``: the regularisation's gradient λW added."""
    if L.before is None:
        return None
    for n, w in L.same().items():
        lam = _named(L, REG_NAMES)
        if lam is None or not close(L.out, L.before + lam * w):
            lam = fitted(L.out - L.before, w)
        if lam is not None and lam > 0:
            b = L.before[L.idx]
            return Expansion(rf"{at(L.prev, L.idx)} + \lambda\, {L.sym(n)}",
                             rf"{num(b)} + {num(lam)}\cdot {num(w[L.idx], True)}",
                             [float(b), lam * float(w[L.idx])], [L.names.report.steps[L.k].writes, n])
    return None


#: Element-wise rules worth trying for a formula key (another key without an einsum: all of them).
ELEMENTWISE = {
    "softmax_ce.probs": (copy_of,), "softmax_ce.backward": (minus_onehot, divided, difference, copy_of),
    "relu.backward": (relu_mask,), "update.gd": (update,),
    "l2.backward": (l2_term,),
}
ALL_RULES = (update, l2_term, minus_onehot, relu_mask, difference, divided, copy_of)


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
