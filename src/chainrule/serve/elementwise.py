"""The element-wise rules of one entry's formula: copy, ``− 1`` at the class, ``/ N``, the ReLU mask, the update, L2.

Each rule gets the line's arrays (:class:`Line`) and returns an :class:`Expansion` only when it
reproduces the line's whole output to 1e-9 (see :mod:`.substitute`); the scalars in them (η of
an update, λ of an L2 term) are read off the line's own arrays when the script's names do not
give them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from chainrule.render.latex import fmt_num
from chainrule.serve.symbols import Names, scalar

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


def scale_of(res: np.ndarray, out: np.ndarray, sizes: set[int]) -> Optional[float]:
    """``c`` with ``out == c * res``: 1, or 1/n for a size n of this network (N, m, ...); else None."""
    if close(res, out):
        return 1.0
    nz = np.abs(res) > 1e-12
    if not nz.any():
        return None
    c = float(np.median(out[nz] / res[nz]))
    n = round(1 / c) if c else 0
    return c if n in sizes and abs(1 / c - n) < 1e-6 * n and close(res / n, out) else None


def scale_text(c: float) -> str:
    if c == 1.0:
        return ""
    m = 1 / c
    return rf"\frac{{1}}{{{m:.0f}}}\," if abs(m - round(m)) < 1e-9 else num(c) + r"\,"



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
    c = scale_of(L.before, L.out, L.names.sizes(L.k))
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

