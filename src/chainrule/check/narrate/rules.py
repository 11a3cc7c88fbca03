"""The formulas a backward line is shown with: the op table's, or their column-major forms.

Row-major scripts (``X @ W``) get :mod:`chainrule.formulas` as it is.  Column-major scripts
(deeplearning.ai: ``W @ A``, examples as columns) get the same rules transposed, written the
way that course writes them: ``dW = (1/m)·dZ·Aᵀ``, ``db = (1/m)·Σ dZ``, ``dA = Wᵀ·dZ``, and
``dZ = A − Y`` for a sigmoid output with binary cross-entropy.
"""

from __future__ import annotations

from dataclasses import dataclass

from chainrule.formulas import FORMULAS, get


@dataclass(frozen=True)
class Rule:
    key: str
    title: str
    matrix: str
    index: str
    text: str


COLUMNS = {
    "linear.dW": Rule("linear.dW", "Gradient of the weights",
                      r"dW = \frac{1}{m}\, dZ\, A^{\top},\quad dZ = m\,\frac{\partial L}{\partial Z}",
                      r"dW_{kj} = \frac{1}{m}\sum_{i} dZ_{ki} A_{ji}",
                      "dW = (1/m)·dZ·Aᵀ   (sum over the m examples, the columns; dZ = m·∂L/∂Z)"),
    "linear.db": Rule("linear.db", "Gradient of the bias",
                      r"db = \frac{1}{m}\sum_{i} dZ_{:,i}",
                      r"db_{k} = \frac{1}{m}\sum_{i} dZ_{ki}",
                      "db = (1/m)·Σᵢ dZ[:, i]   (sum over the columns, axis=1)"),
    "linear.dX": Rule("linear.dX", "Gradient flowing to the layer's input",
                      r"dA = W^{\top} dZ", r"dA_{ji} = \sum_{k} W_{kj}\, dZ_{ki}",
                      "dA = Wᵀ·dZ   (sum over the units k of the layer)"),
}
EXTRA = {
    "sigmoid_bce.backward": Rule("sigmoid_bce.backward", "Sigmoid + binary cross-entropy backward",
                                 r"dZ = A - Y = m\,\frac{\partial L}{\partial Z}", r"dZ_{i} = A_{i} - Y_{i}",
                                 "dZ = A − Y   (σ′ = A(1 − A) cancels the denominator of the BCE derivative)"),
}


def formulas_for(keys: list[str], columns: bool, pattern=None) -> list:
    out = []
    for k in keys:
        if columns and k in COLUMNS:
            out.append(COLUMNS[k])
        elif k in EXTRA:
            out.append(EXTRA[k])
        elif k in FORMULAS or _known(k):
            out.append(get(k))
    return out


def _known(k: str) -> bool:
    try:
        get(k)
        return True
    except KeyError:
        return False
