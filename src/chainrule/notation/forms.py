"""The formulas of one backward line in Nielsen's and Ng's notations (see :mod:`chainrule.notation`).

:class:`Forms` writes a step's textbook form for its role (BP1 … BP4, dZ, dW, db, an update) and layer;
:func:`columns` and :func:`one_example` rewrite the translation for code whose examples are columns (Ng)
or that takes one example at a time as a column (Nielsen's ``network.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from chainrule.report import Step, TextbookFormula

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


def tf(notation: str, name: str, latex: str, text: str, translation: str, symbol: str) -> TextbookFormula:
    return TextbookFormula(notation=notation, name=name, latex=latex, text=text,
                           translation=translation, symbol=symbol)


class Forms:
    """The forms of one step; ``l`` is the code's layer of the quantity the step is about."""

    def __init__(self, step: Step, q: Quantity, names: dict[str, str], act: str, loss: str = "softmax_ce",
                 per_example: bool = False) -> None:
        self.step, self.q, self.names, self.act = step, q, names, act
        self.l = q.layer  # the code's layer (Ng's [l])
        self.nl = nielsen_layer(q.layer)  # Nielsen's layer
        self.loss, self.per_example = loss, per_example

    # -- Nielsen
    def nielsen(self, role: str) -> TextbookFormula:
        s, nl, n = self.step, self.nl, self.names
        up, prev = nl + 1, nl - 1
        w_up = f"w{sup(up)}"
        if role == "start":
            return tf("nielsen", f"a{sup(nl)}",
                      r"a^{%d} = \operatorname{softmax}(z^{%d})" % (nl, nl), f"a{sup(nl)} = softmax(z{sup(nl)})",
                      f"Row i of `{n['probs']}` is Nielsen's a{sup(nl)} for example i, written as a row.",
                      f"rows (a{sup(nl)})ᵀ")
        if role == "output":  # BP1 with the activation's derivative written out (the quadratic cost)
            words, latex = _ACT_DERIV.get(self.act, _ACT_DERIV["sigmoid"])
            return tf("nielsen", "BP1",
                      r"\delta^{%d} = \nabla_a C \odot \sigma'(z^{%d}),\quad \sigma'(z) = %s" % (nl, nl, latex),
                      f"δ{sup(nl)} = ∇ₐC ⊙ σ′(z{sup(nl)})",
                      f"This is the output layer. ∇ₐC is the cost's derivative by the output a{sup(nl)}; "
                      f"for the quadratic cost it is a{sup(nl)} − y. For {ACT_NAMES.get(self.act, self.act)}, "
                      f"{words}. `{s.writes}` is now δ{sup(nl)}.", f"δ{sup(nl)}")
        if role in ("delta_scaled", "delta"):
            if role == "delta_scaled":
                output = ("a sigmoid output with the cross-entropy cost" if self.loss == "bce" else
                          "a softmax output with the log-likelihood cost")
                one_hot = ("Nielsen's y is the label (0 or 1)." if self.loss == "bce" else
                           "Nielsen's y is the label as a one-hot column.")
                row = (f"So `{s.writes}` is now δ{sup(nl)}." if self.per_example else
                       f"So row i of `{s.writes}` is now δ{sup(nl)} of example i, as a row.")
                return tf("nielsen", "BP1",
                          r"\delta^{%d} = \nabla_a C \odot \sigma'(z^{%d}) = a^{%d} - y" % (nl, nl, nl),
                          f"δ{sup(nl)} = ∇ₐC ⊙ σ′(z{sup(nl)}) = a{sup(nl)} − y",
                          f"For {output}, BP1 becomes a{sup(nl)} − y: the σ′(z{sup(nl)}) cancels. "
                          f"{one_hot} {row}",
                          f"rows (δ{sup(nl)})ᵀ")
            return tf("nielsen", "mean cost", r"C = \frac{1}{n}\sum_{x} C_x",
                      "C = (1/n) Σₓ Cₓ",
                      "Nielsen's cost is the mean over the n examples. "
                      "He applies this 1/n in the update, as η/m. "
                      "Your code applies it once, here.",
                      f"rows (δ{sup(nl)})ᵀ/n")
        if role == "dW" and self.per_example:
            return tf("nielsen", "BP4",
                      r"\frac{\partial C_x}{\partial w^{%d}} = \delta^{%d}\,(a^{%d})^{\top}" % (nl, nl, prev),
                      f"∂Cₓ/∂w{sup(nl)} = δ{sup(nl)} (a{sup(prev)})ᵀ",
                      f"One example x: `{n['delta']}` is δ{sup(nl)} and `{n['a_prev']}` is a{sup(prev)}, both "
                      f"columns. Their outer product is BP4.", f"∂Cₓ/∂w{sup(nl)}")
        if role == "db" and self.per_example:
            return tf("nielsen", "BP3", r"\frac{\partial C_x}{\partial b^{%d}} = \delta^{%d}" % (nl, nl),
                      f"∂Cₓ/∂b{sup(nl)} = δ{sup(nl)}",
                      f"One example x: the bias gradient is δ{sup(nl)} itself, `{n['delta']}`.",
                      f"∂Cₓ/∂b{sup(nl)}")
        if role in ("dW_sum", "db_sum"):
            sym = "w" if role == "dW_sum" else "b"
            return tf("nielsen", "mini-batch sum",
                      r"\sum_{x} \frac{\partial C_x}{\partial %s^{%d}}" % (sym, nl),
                      f"Σₓ ∂Cₓ/∂{sym}{sup(nl)}",
                      f"`{s.writes}` adds up the examples' gradients. Nielsen divides this sum by m "
                      f"in the update: {sym} → {sym} − (η/m) Σₓ ∂Cₓ/∂{sym}.", f"Σₓ ∂Cₓ/∂{sym}{sup(nl)}")
        if role == "dW":
            a_prev = "x" if prev == 1 else f"a{sup(prev)}ₓ"  # Nielsen's a¹ is the input x
            return tf("nielsen", "BP4",
                      r"\frac{\partial C}{\partial w^{%d}} = \frac{1}{n}\sum_{x} \delta^{%d}_{x}\,(a^{%d}_{x})^{\top}"
                      % (nl, nl, prev),
                      f"∂C/∂w{sup(nl)} = (1/n) Σₓ δ{sup(nl)}ₓ (a{sup(prev)}ₓ)ᵀ",
                      f"Your `{n['W']}` is (w{sup(nl)})ᵀ, so `{s.writes}` is BP4 transposed. "
                      f"Each example then adds {a_prev} (δ{sup(nl)}ₓ)ᵀ. "
                      f"The sum over all examples is the product `{n['a_prev']}.T @ {n['delta']}`. "
                      f"The 1/n is already in `{n['delta']}`.",
                      f"(∂C/∂w{sup(nl)})ᵀ")
        if role == "db":
            return tf("nielsen", "BP3",
                      r"\frac{\partial C}{\partial b^{%d}} = \frac{1}{n}\sum_{x} \delta^{%d}_{x}" % (nl, nl),
                      f"∂C/∂b{sup(nl)} = (1/n) Σₓ δ{sup(nl)}ₓ",
                      f"The sum over the examples is the sum over the rows of `{n['delta']}`: `axis=0`. "
                      f"The result is a row, like `{n['b']}`.",
                      f"(∂C/∂b{sup(nl)})ᵀ")
        if role == "dX":
            return tf("nielsen", "BP2, first half",
                      r"(w^{%d})^{\top}\delta^{%d}" % (up, up), f"(w{sup(up)})ᵀ δ{sup(up)}",
                      f"Your `{n['W_up']}` is (w{sup(up)})ᵀ, so {w_up} is `{n['W_up']}.T`. "
                      f"Turned into a row, (w{sup(up)})ᵀδ{sup(up)} becomes (δ{sup(up)})ᵀ {w_up}. "
                      f"For all rows at once, that is `{n['delta_up']} @ {n['W_up']}.T`.",
                      f"rows ((w{sup(up)})ᵀδ{sup(up)})ᵀ/n")
        if role == "act":
            words, latex = _ACT_DERIV.get(self.act, _ACT_DERIV["relu"])
            return tf("nielsen", "BP2",
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
            return tf("ng", f"A^[{l}]",
                      r"A^{[%d]} = \operatorname{softmax}(Z^{[%d]})" % (l, l), f"A^[{l}] = softmax(Z^[{l}])",
                      f"`{n['probs']}` is Ng's A^[{l}] turned on its side: one row per example.",
                      f"A^[{l}]ᵀ")
        if role == "delta_scaled":
            return tf("ng", f"dZ^[{l}]", r"dZ^{[%d]} = A^{[%d]} - Y" % (l, l),
                      f"dZ^[{l}] = A^[{l}] − Y",
                      f"Ng's Y holds one one-hot column per example. "
                      f"So `{s.writes}` is now (dZ^[{l}])ᵀ, with no 1/m yet, as in Ng.",
                      f"dZ^[{l}]ᵀ")
        if role == "delta":
            return tf("ng", "1/m",
                      r"dW^{[l]} = \frac{1}{m}\cdots,\quad db^{[l]} = \frac{1}{m}\cdots",
                      "dW^[l] = (1/m)·…,  db^[l] = (1/m)·…",
                      "Ng keeps dZ without 1/m and writes 1/m in every dW and db. "
                      "Your code divides once, here. Every later line inherits this 1/N.",
                      f"dZ^[{l}]ᵀ/m")
        if role == "dW":
            return tf("ng", f"dW^[{l}]",
                      r"dW^{[%d]} = \frac{1}{m}\, dZ^{[%d]} A^{[%d]\top}" % (l, l, l - 1),
                      f"dW^[{l}] = (1/m)·dZ^[{l}]·A^[{l - 1}]ᵀ",
                      f"Your `{n['W']}` is (W^[{l}])ᵀ. Transpose both sides: "
                      f"(dW^[{l}])ᵀ = A^[{l - 1}]·(dZ^[{l}])ᵀ/m. "
                      f"A^[{l - 1}] is `{n['a_prev']}.T`, and (dZ^[{l}])ᵀ/m is `{n['delta']}`.",
                      f"dW^[{l}]ᵀ")
        if role == "db":
            return tf("ng", f"db^[{l}]",
                      r"db^{[%d]} = \frac{1}{m}\sum_{i=1}^{m} dZ^{[%d](i)}" % (l, l),
                      f"db^[{l}] = (1/m)·Σᵢ dZ^[{l}](i)",
                      f"Ng sums over the columns, `axis=1`. Your examples are rows, so "
                      f"`{s.writes}` sums over `axis=0`.",
                      f"db^[{l}]ᵀ")
        if role == "dX":
            up = l + 1
            return tf("ng", f"dA^[{l}]",
                      r"dA^{[%d]} = W^{[%d]\top} dZ^{[%d]}" % (l, up, up), f"dA^[{l}] = W^[{up}]ᵀ·dZ^[{up}]",
                      f"Ng's W^[{up}] is `{n['W_up']}.T`. Transpose both sides: "
                      f"(dA^[{l}])ᵀ = (dZ^[{up}])ᵀ·W^[{up}], which is `{n['delta_up']} @ {n['W_up']}.T`.",
                      f"dA^[{l}]ᵀ/m")
        if role in ("dW_sum", "db_sum"):
            sym = "W" if role == "dW_sum" else "b"
            return tf("ng", f"d{sym}^[{l}]", r"d%s^{[%d]} = \frac{1}{m}\sum_{i=1}^{m} \cdots" % (sym, l),
                      f"d{sym}^[{l}] = (1/m)·Σᵢ …",
                      f"Ng sums over the m examples inside one matrix product. `{s.writes}` adds them up one by "
                      f"one; the 1/m comes in the update.", f"m·d{sym}^[{l}]")
        if role in ("act", "output"):
            return tf("ng", f"dZ^[{l}]",
                      r"dZ^{[%d]} = dA^{[%d]} \odot g^{[%d]\prime}(Z^{[%d]})" % (l, l, l, l),
                      f"dZ^[{l}] = dA^[{l}] ⊙ g^[{l}]′(Z^[{l}])",
                      f"Here g^[{l}] is {ACT_NAMES.get(self.act, self.act)}. "
                      f"Your line does the product in place, entry by entry.",
                      f"dZ^[{l}]ᵀ/m")
        return self._update("ng")

    def _update(self, notation: str) -> TextbookFormula:
        p, kind, l, nl = self.step.writes, self.q.kind, self.l, self.nl
        eta = self.names.get("step_size", "step_size")
        decay = kind == "W" and "weight decay" in (self.step.message or "")
        if notation == "nielsen" and decay:  # Nielsen's L2-regularised update, chapter 3
            sym = f"w{sup(nl)}"
            return tf("nielsen", "update with L2",
                      r"w^{%d} \rightarrow \left(1 - \frac{\eta\lambda}{n}\right) w^{%d} - \frac{\eta}{m}"
                      r"\sum_{x} \frac{\partial C_x}{\partial w^{%d}}" % (nl, nl, nl),
                      f"{sym} → (1 − ηλ/n)·{sym} − (η/m) Σₓ ∂Cₓ/∂{sym}",
                      "Nielsen's regularised update first shrinks the weights by 1 − ηλ/n (weight decay), then "
                      "takes the gradient step.", f"new {sym}")
        if notation == "nielsen":
            sym = f"{'w' if kind == 'W' else 'b'}{sup(nl)}"
            delta_a = r"\delta^{x,%d}(a^{x,%d})^{\top}" % (nl, nl - 1) if kind == "W" else r"\delta^{x,%d}" % nl
            return tf("nielsen", "update",
                      r"%s^{%d} \rightarrow %s^{%d} - \frac{\eta}{m}\sum_{x} %s"
                      % (sym[0], nl, sym[0], nl, delta_a),
                      f"{sym} → {sym} − (η/m) Σₓ …",
                      f"η is `{eta}`. Nielsen's 1/m is already inside `d{p}`, so your line has no division.",
                      f"new ({sym})ᵀ")
        sym = f"{kind}^[{l}]"
        return tf("ng", "update",
                  r"%s^{[%d]} := %s^{[%d]} - \alpha\, d%s^{[%d]}" % (kind, l, kind, l, kind, l),
                  f"{sym} := {sym} − α·d{sym}",
                  f"α is `{eta}`. Your `{p}` is ({sym})ᵀ, so the same step moves the transposed matrix.",
                  f"new ({sym})ᵀ")


def columns(f: TextbookFormula, step: Step, role: str = "") -> TextbookFormula:
    """The same formula for code that keeps one example per *column*, as the textbooks do."""
    who = "Nielsen" if f.notation == "nielsen" else "Ng"
    words = (f"Your examples are columns, as in {who}'s notation, so no transpose is needed: "
             f"`{step.writes}` is this formula with your names.")
    if f.notation == "nielsen":
        words += " Nielsen loops over the examples; your line takes them all at once."
        if role in ("delta_scaled", "output"):  # keep why BP1 takes this form (the output and the cost)
            words = f.translation.split(" So ")[0].split(" This is the output layer.")[0] + " " + words
    return TextbookFormula(f.notation, f.name, f.latex, f.text, words, unwrap(
        f.symbol.replace("rows ", "columns ").replace("ᵀ", "").replace("()", "")))


def unwrap(sym: str) -> str:
    """``(∂C/∂w²)`` -> ``∂C/∂w²`` (the brackets were there for a transpose that is gone)."""
    if sym.startswith("(") and sym.endswith(")") and sym.count("(") == 1:
        return sym[1:-1]
    return sym


def one_example(f: TextbookFormula, step: Step, role: str) -> TextbookFormula:
    """The same formula for code that takes one example at a time as a column vector, as Nielsen does."""
    if f.notation == "nielsen":
        words = f.translation if role in ("dW", "db", "dW_sum", "db_sum", "output", "delta_scaled") else (
            f"Your code takes one example x at a time as a column, as Nielsen does, so no transpose is "
            f"needed: `{step.writes}` is this formula with your names.")
    else:
        words = (f"Ng puts the m examples side by side as columns of one matrix. Your code takes one example "
                 f"at a time, so `{step.writes}` is one column of Ng's formula"
                 + (", without the 1/m." if role in ("dW", "db") else "."))
        if role in ("dW_sum", "db_sum", "update"):
            words = f.translation
    if role == "update" and f.notation == "nielsen":
        rate = f"{step.factor:g}" if step.factor else "the step size"
        words = (f"Nielsen moves w by (η/m) times the gradient summed over the mini-batch. Your line moves it by "
                 f"{rate} times the summed gradient, so {rate} plays the part of η/m.")
    return TextbookFormula(f.notation, f.name, f.latex, f.text, words,
                           unwrap(f.symbol.replace("rows ", "").replace("ᵀ", "").replace("()", "")))
