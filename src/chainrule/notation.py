"""The textbook notations, and how a backward line of row-per-example code reads in each.

Three notations, one home (the walkthrough of the learner's network, ``explain
SCRIPT`` and the live page all use this module):

* ``code``    - the code's own maths: ∂L/∂S, one example per *row*, the whole batch;
* ``nielsen`` - Michael Nielsen, *Neural Networks and Deep Learning*, chapter 2:
  one example x as a *column* vector, δˡ and the equations BP1-BP4.  His layer 1
  is the input, so a network with one hidden layer has layers 1, 2, 3 and the
  code's ``W``, ``W2`` are his w², w³ transposed;
* ``ng``      - Andrew Ng's deep-learning course: examples as *columns* of a batch,
  dZ, dW, db, with 1/m inside every dW and db; layers [1], [2] as in the code.

:func:`textbook_forms` takes one :class:`~chainrule.report.Step` and a map of the
code's names to their place in the network (:class:`Quantity`) and returns the
step's formula in every notation.  It reads only Report data (formula keys,
``holds``, ``factor``, names), so it serves the learner's network and a
learner's own script alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from chainrule.report import NOTATIONS, NotationInfo, Step, TextbookFormula

__all__ = ["NOTATIONS", "NOTATION_INFO", "Quantity", "role_of", "textbook_forms",
           "sup", "nielsen_layer", "names_for", "fill_textbook"]

NOTATION_INFO: dict[str, NotationInfo] = {
    "code": NotationInfo("code", "Your code", "one example per row; all N examples at once"),
    "nielsen": NotationInfo(
        "nielsen", "Nielsen, Neural Networks and Deep Learning (chapter 2)",
        "one example x at a time, as a column vector; layer 1 is the input"),
    "ng": NotationInfo(
        "ng", "Andrew Ng, Deep Learning course",
        "all m examples at once, one example per column; 1/m inside every dW and db"),
}

_SUP = dict(zip("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
ACT_NAMES = {"relu": "ReLU", "leaky_relu": "leaky ReLU", "tanh": "tanh", "sigmoid": "the sigmoid"}
_ACT_DERIV = {  # activation -> (Nielsen's σ′(z) in words, LaTeX of σ′(z))
    "relu": ("σ′(z) is 1 where z > 0 and 0 elsewhere", r"\mathbb{1}[z > 0]"),
    "leaky_relu": ("σ′(z) is 1 where z > 0 and α elsewhere", r"1 \text{ or } \alpha"),
    "tanh": ("σ′(z) = 1 − tanh(z)²", r"1 - \tanh^{2} z"),
    "sigmoid": ("σ′(z) = σ(z)(1 − σ(z))", r"\sigma(z)(1 - \sigma(z))"),
}


def sup(n: int) -> str:
    """``3`` -> ``"³"``."""
    return "".join(_SUP[c] for c in str(n))


def nielsen_layer(layer: int) -> int:
    """Nielsen's number of the code's layer ``layer`` (his layer 1 is the input)."""
    return layer + 1


@dataclass(frozen=True)
class Quantity:
    """Where one of the code's names sits in the network.

    ``kind``: ``"z"`` (a pre-activation, e.g. ``scores``), ``"a"`` (an activation or the
    input, e.g. ``hidden_layer``, ``X``), ``"W"``, ``"b"``; ``layer``: 0 for the input,
    1 for the first linear layer, …; ``symbol``: the code notation's maths name (``S``).
    """

    kind: str
    layer: int
    symbol: str


def role_of(step: Step) -> Optional[str]:
    """What a step does, for the textbooks: start | delta_scaled | delta | dW | db | dX | act | update."""
    keys = " ".join(step.formula_keys)
    if "update." in keys or step.holds == "update":
        return "update"
    if "softmax_ce.probs" in keys:
        return "start"
    if "softmax_ce.backward" in keys:
        return "delta_scaled" if step.holds == "scaled" else "delta"
    for key, role in (("linear.dW", "dW"), ("linear.db", "db"), ("linear.dX", "dX")):
        if key in keys:
            return role
    if ".backward" in keys:
        return "act"
    return None


def _tf(notation: str, name: str, latex: str, text: str, translation: str, symbol: str) -> TextbookFormula:
    return TextbookFormula(notation=notation, name=name, latex=latex, text=text,
                           translation=translation, symbol=symbol)


class _Forms:
    """The forms of one step; ``l`` is the code's layer of the quantity the step is about."""

    def __init__(self, step: Step, q: Quantity, names: dict[str, str], act: str) -> None:
        self.step, self.q, self.names, self.act = step, q, names, act
        self.l = q.layer  # the code's layer (Ng's [l])
        self.nl = nielsen_layer(q.layer)  # Nielsen's layer

    # -- Nielsen
    def nielsen(self, role: str) -> TextbookFormula:
        s, nl, n = self.step, self.nl, self.names
        up, prev = nl + 1, nl - 1
        w_up = f"w{sup(up)}"
        if role == "start":
            return _tf("nielsen", f"a{sup(nl)}",
                       r"a^{%d} = \operatorname{softmax}(z^{%d})" % (nl, nl), f"a{sup(nl)} = softmax(z{sup(nl)})",
                       f"Row i of `{n['probs']}` is Nielsen's a{sup(nl)} for example i, written as a row.",
                       f"rows (a{sup(nl)})ᵀ")
        if role in ("delta_scaled", "delta"):
            if role == "delta_scaled":
                return _tf("nielsen", "BP1",
                           r"\delta^{%d} = \nabla_a C \odot \sigma'(z^{%d}) = a^{%d} - y" % (nl, nl, nl),
                           f"δ{sup(nl)} = ∇ₐC ⊙ σ′(z{sup(nl)}) = a{sup(nl)} − y",
                           f"For a softmax output with the log-likelihood cost, BP1 becomes a{sup(nl)} − y. "
                           f"Nielsen's y is the label as a one-hot column. "
                           f"So row i of `{s.writes}` is now δ{sup(nl)} of example i, as a row.",
                           f"rows (δ{sup(nl)})ᵀ")
            return _tf("nielsen", "mean cost", r"C = \frac{1}{n}\sum_{x} C_x",
                       "C = (1/n) Σₓ Cₓ",
                       "Nielsen's cost is the mean over the n examples. "
                       "He applies this 1/n in the update, as η/m. "
                       "Your code applies it once, here.",
                       f"rows (δ{sup(nl)})ᵀ/n")
        if role == "dW":
            a_prev = "x" if prev == 1 else f"a{sup(prev)}ₓ"  # Nielsen's a¹ is the input x
            return _tf("nielsen", "BP4",
                       r"\frac{\partial C}{\partial w^{%d}} = \frac{1}{n}\sum_{x} \delta^{%d}_{x}\,(a^{%d}_{x})^{\top}"
                       % (nl, nl, prev),
                       f"∂C/∂w{sup(nl)} = (1/n) Σₓ δ{sup(nl)}ₓ (a{sup(prev)}ₓ)ᵀ",
                       f"Your `{n['W']}` is (w{sup(nl)})ᵀ, so `{s.writes}` is BP4 transposed. "
                       f"Each example then adds {a_prev} (δ{sup(nl)}ₓ)ᵀ. "
                       f"The sum over all examples is the product `{n['a_prev']}.T @ {n['delta']}`. "
                       f"The 1/n is already in `{n['delta']}`.",
                       f"(∂C/∂w{sup(nl)})ᵀ")
        if role == "db":
            return _tf("nielsen", "BP3",
                       r"\frac{\partial C}{\partial b^{%d}} = \frac{1}{n}\sum_{x} \delta^{%d}_{x}" % (nl, nl),
                       f"∂C/∂b{sup(nl)} = (1/n) Σₓ δ{sup(nl)}ₓ",
                       f"The sum over the examples is the sum over the rows of `{n['delta']}`: `axis=0`. "
                       f"The result is a row, like `{n['b']}`.",
                       f"(∂C/∂b{sup(nl)})ᵀ")
        if role == "dX":
            return _tf("nielsen", "BP2, first half",
                       r"(w^{%d})^{\top}\delta^{%d}" % (up, up), f"(w{sup(up)})ᵀ δ{sup(up)}",
                       f"Your `{n['W_up']}` is (w{sup(up)})ᵀ, so {w_up} is `{n['W_up']}.T`. "
                       f"Turned into a row, (w{sup(up)})ᵀδ{sup(up)} becomes (δ{sup(up)})ᵀ {w_up}. "
                       f"For all rows at once, that is `{n['delta_up']} @ {n['W_up']}.T`.",
                       f"rows ((w{sup(up)})ᵀδ{sup(up)})ᵀ/n")
        if role == "act":
            words, latex = _ACT_DERIV.get(self.act, _ACT_DERIV["relu"])
            return _tf("nielsen", "BP2",
                       r"\delta^{%d} = \left((w^{%d})^{\top}\delta^{%d}\right) \odot \sigma'(z^{%d}),\quad "
                       r"\sigma'(z) = %s" % (nl, up, up, nl, latex),
                       f"δ{sup(nl)} = ((w{sup(up)})ᵀ δ{sup(up)}) ⊙ σ′(z{sup(nl)})",
                       f"For {ACT_NAMES.get(self.act, self.act)}, {words}. "
                       f"Your line multiplies by σ′(z{sup(nl)}), entry by entry. "
                       f"Row i of `{s.writes}` is now δ{sup(nl)} of example i, divided by n.",
                       f"rows (δ{sup(nl)})ᵀ/n")
        return self._update("nielsen")

    # -- Ng
    def ng(self, role: str) -> TextbookFormula:
        s, l, n = self.step, self.l, self.names
        if role == "start":
            return _tf("ng", f"A^[{l}]",
                       r"A^{[%d]} = \operatorname{softmax}(Z^{[%d]})" % (l, l), f"A^[{l}] = softmax(Z^[{l}])",
                       f"`{n['probs']}` is Ng's A^[{l}] turned on its side: one row per example.",
                       f"A^[{l}]ᵀ")
        if role == "delta_scaled":
            return _tf("ng", f"dZ^[{l}]", r"dZ^{[%d]} = A^{[%d]} - Y" % (l, l),
                       f"dZ^[{l}] = A^[{l}] − Y",
                       f"Ng's Y holds one one-hot column per example. "
                       f"So `{s.writes}` is now (dZ^[{l}])ᵀ, with no 1/m yet, as in Ng.",
                       f"dZ^[{l}]ᵀ")
        if role == "delta":
            return _tf("ng", "1/m",
                       r"dW^{[l]} = \frac{1}{m}\cdots,\quad db^{[l]} = \frac{1}{m}\cdots",
                       "dW^[l] = (1/m)·…,  db^[l] = (1/m)·…",
                       "Ng keeps dZ without 1/m and writes 1/m in every dW and db. "
                       "Your code divides once, here. Every later line inherits this 1/N.",
                       f"dZ^[{l}]ᵀ/m")
        if role == "dW":
            return _tf("ng", f"dW^[{l}]",
                       r"dW^{[%d]} = \frac{1}{m}\, dZ^{[%d]} A^{[%d]\top}" % (l, l, l - 1),
                       f"dW^[{l}] = (1/m)·dZ^[{l}]·A^[{l - 1}]ᵀ",
                       f"Your `{n['W']}` is (W^[{l}])ᵀ. Transpose both sides: "
                       f"(dW^[{l}])ᵀ = A^[{l - 1}]·(dZ^[{l}])ᵀ/m. "
                       f"A^[{l - 1}] is `{n['a_prev']}.T`, and (dZ^[{l}])ᵀ/m is `{n['delta']}`.",
                       f"dW^[{l}]ᵀ")
        if role == "db":
            return _tf("ng", f"db^[{l}]",
                       r"db^{[%d]} = \frac{1}{m}\sum_{i=1}^{m} dZ^{[%d](i)}" % (l, l),
                       f"db^[{l}] = (1/m)·Σᵢ dZ^[{l}](i)",
                       f"Ng sums over the columns, `axis=1`. Your examples are rows, so "
                       f"`{s.writes}` sums over `axis=0`.",
                       f"db^[{l}]ᵀ")
        if role == "dX":
            up = l + 1
            return _tf("ng", f"dA^[{l}]",
                       r"dA^{[%d]} = W^{[%d]\top} dZ^{[%d]}" % (l, up, up), f"dA^[{l}] = W^[{up}]ᵀ·dZ^[{up}]",
                       f"Ng's W^[{up}] is `{n['W_up']}.T`. Transpose both sides: "
                       f"(dA^[{l}])ᵀ = (dZ^[{up}])ᵀ·W^[{up}], which is `{n['delta_up']} @ {n['W_up']}.T`.",
                       f"dA^[{l}]ᵀ/m")
        if role == "act":
            return _tf("ng", f"dZ^[{l}]",
                       r"dZ^{[%d]} = dA^{[%d]} \odot g^{[%d]\prime}(Z^{[%d]})" % (l, l, l, l),
                       f"dZ^[{l}] = dA^[{l}] ⊙ g^[{l}]′(Z^[{l}])",
                       f"Here g^[{l}] is {ACT_NAMES.get(self.act, self.act)}. "
                       f"Your line does the product in place, entry by entry.",
                       f"dZ^[{l}]ᵀ/m")
        return self._update("ng")

    def _update(self, notation: str) -> TextbookFormula:
        p, kind, l, nl = self.step.writes, self.q.kind, self.l, self.nl
        eta = self.names.get("step_size", "step_size")
        if notation == "nielsen":
            sym = f"{'w' if kind == 'W' else 'b'}{sup(nl)}"
            delta_a = r"\delta^{x,%d}(a^{x,%d})^{\top}" % (nl, nl - 1) if kind == "W" else r"\delta^{x,%d}" % nl
            return _tf("nielsen", "update",
                       r"%s^{%d} \rightarrow %s^{%d} - \frac{\eta}{m}\sum_{x} %s"
                       % (sym[0], nl, sym[0], nl, delta_a),
                       f"{sym} → {sym} − (η/m) Σₓ …",
                       f"η is `{eta}`. Nielsen's 1/m is already inside `d{p}`, so your line has no division.",
                       f"new ({sym})ᵀ")
        sym = f"{kind}^[{l}]"
        return _tf("ng", "update",
                   r"%s^{[%d]} := %s^{[%d]} - \alpha\, d%s^{[%d]}" % (kind, l, kind, l, kind, l),
                   f"{sym} := {sym} − α·d{sym}",
                   f"α is `{eta}`. Your `{p}` is ({sym})ᵀ, so the same step moves the transposed matrix.",
                   f"new ({sym})ᵀ")


def _code_form(step: Step, role: str, q: Quantity) -> TextbookFormula:
    sym = q.symbol
    symbol = {"start": "P", "delta_scaled": f"N·∂L/∂{sym}", "update": f"new {sym}"}.get(role, f"∂L/∂{sym}")
    return _tf("code", step.title, step.formula_latex or "", step.formula_text or "", "", symbol)


def _columns(f: TextbookFormula, step: Step) -> TextbookFormula:
    """The same formula for code that keeps one example per *column*, as the textbooks do."""
    who = "Nielsen" if f.notation == "nielsen" else "Ng"
    words = (f"Your examples are columns, as in {who}'s notation, so no transpose is needed: "
             f"`{step.writes}` is this formula with your names.")
    if f.notation == "nielsen":
        words += " Nielsen loops over the examples; your line takes them all at once."
    return TextbookFormula(f.notation, f.name, f.latex, f.text, words,
                           f.symbol.replace("rows ", "columns ").replace("ᵀ", "").replace("()", ""))


def textbook_forms(step: Step, quantities: dict[str, Quantity], names: dict[str, str],
                   act: str = "relu", layout: str = "rows") -> dict[str, TextbookFormula]:
    """The step's formula in every notation, keyed ``"code"``, ``"nielsen"``, ``"ng"`` (``{}`` if unknown).

    Parameters
    ----------
    step : Step
        A backward or update line (``formula_keys``, ``holds``, ``writes``, ``gradient_of``).
    quantities : dict
        The code's names (``"scores"``, ``"W2"``, ``"np.dot(X, W) + b"``, …) -> :class:`Quantity`.
    names : dict
        The code's names by role for the words, for the layer the step is about:
        ``probs``, ``W`` (its weight), ``b``, ``a_prev`` (the layer's input), ``delta`` (the
        variable that holds ∂L/∂Z of the layer), ``W_up``, ``delta_up`` (the layer above), ``step_size``.
    act : str
        The hidden activation (``relu``, ``tanh``, ``sigmoid``, ``leaky_relu``).
    layout : str
        ``"rows"`` (one example per row, like the learner's code) or ``"columns"``
        (one example per column, like Ng's course): the translations and symbols follow it.
    """
    role = role_of(step)
    target = step.writes if role == "update" else (step.gradient_of or "")
    if role == "start":
        target = next((k for k, q in quantities.items() if q.kind == "z" and q.layer == max(
            v.layer for v in quantities.values())), "")
    q = quantities.get(target)
    if role is None or q is None:
        return {}
    forms = _Forms(step, q, names, act)
    out = {"code": _code_form(step, role, q), "nielsen": forms.nielsen(role), "ng": forms.ng(role)}
    if layout == "columns":
        out["nielsen"], out["ng"] = _columns(out["nielsen"], step), _columns(out["ng"], step)
    return out


def _name(quantities: dict[str, Quantity], kind: str, layer: int) -> str:
    return next((k for k, q in quantities.items() if q.kind == kind and q.layer == layer), "")


def names_for(steps: list[Step], k: int, quantities: dict[str, Quantity],
              step_size: str = "step_size") -> dict[str, str]:
    """The code's names :func:`textbook_forms` needs for ``steps[k]`` (see there)."""
    step = steps[k]
    role = role_of(step)
    target = step.writes if role == "update" else (step.gradient_of or "")
    q = quantities.get(target)
    layer = q.layer if q is not None else 0
    if role in ("dX",):
        layer += 1  # dX is about the layer above the activation it reaches
    top = max((v.layer for v in quantities.values()), default=0)

    def delta_of(l: int) -> str:
        z = _name(quantities, "z", l)
        holders = [s.writes for s in steps[:k + 1] if s.gradient_of == z and s.holds == "gradient"]
        if not holders:  # the line that completes it comes later (e.g. the ReLU mask on the same name)
            holders = [s.writes for s in steps if s.gradient_of == z and s.holds == "gradient"]
        return holders[-1] if holders else ""

    return {"probs": _name(quantities, "a", top), "W": _name(quantities, "W", layer),
            "b": _name(quantities, "b", layer), "a_prev": _name(quantities, "a", layer - 1),
            "delta": delta_of(layer), "W_up": _name(quantities, "W", layer),
            "delta_up": delta_of(layer), "step_size": step_size}


def fill_textbook(steps: list[Step], quantities: dict[str, Quantity], act: str = "relu",
                  step_size: str = "step_size", layout: str = "rows") -> None:
    """Set ``step.textbook`` of every step that has a textbook form (in place).

    For a learner's own script the checker passes its quantities (the code's names and
    their layer) and ``layout``; nothing here depends on the built-in network.
    """
    for k, step in enumerate(steps):
        step.textbook = textbook_forms(step, quantities, names_for(steps, k, quantities, step_size),
                                       act, layout)
