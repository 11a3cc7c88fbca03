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
learner's own script alike (whose analysis passes each line's role, its layout —
rows, columns, or one example at a time — and its loss).  The forms themselves are
in :mod:`chainrule.notation.forms`.
"""

from __future__ import annotations

from typing import Optional

from chainrule.notation.forms import ACT_NAMES, Forms, Quantity, columns, nielsen_layer, one_example, sup, tf
from chainrule.report import NOTATIONS, NotationInfo, Step, TextbookFormula

__all__ = ["NOTATIONS", "NOTATION_INFO", "ACT_NAMES", "Quantity", "role_of", "textbook_forms",
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


def _code_form(step: Step, role: str, q: Quantity) -> TextbookFormula:
    sym = q.symbol
    symbol = {"start": "P", "delta_scaled": f"N·∂L/∂{sym}", "update": f"new {sym}"}.get(role, f"∂L/∂{sym}")
    return tf("code", step.title, step.formula_latex or "", step.formula_text or "", "", symbol)


def textbook_forms(step: Step, quantities: dict[str, Quantity], names: dict[str, str],
                   act: str = "relu", layout: str = "rows", role: Optional[str] = None,
                   loss: str = "softmax_ce") -> dict[str, TextbookFormula]:
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
        ``"rows"`` (one example per row, like the learner's code), ``"columns"`` (one example
        per column, like Ng's course) or ``"example"`` (one example at a time as a column, like
        Nielsen's ``network.py``): the translations and symbols follow it.
    role : str, optional
        What the step does (see :func:`role_of`, plus ``output``, ``dW_sum``, ``db_sum``), when the
        caller knows it better than the formula keys say (a script's analysis).
    loss : str
        ``softmax_ce`` or ``bce`` (a sigmoid output): the words of BP1.
    """
    role = role or role_of(step)
    target = step.writes if role == "update" else (step.gradient_of or "")
    if role == "start":
        target = next((k for k, q in quantities.items() if q.kind == "z" and q.layer == max(
            v.layer for v in quantities.values())), "")
    q = quantities.get(target)
    if role is None or q is None:
        return {}
    forms = Forms(step, q, names, act, loss, per_example=layout == "example")
    out = {"code": _code_form(step, role, q), "nielsen": forms.nielsen(role), "ng": forms.ng(role)}
    if layout == "columns":
        out["nielsen"], out["ng"] = columns(out["nielsen"], step, role), columns(out["ng"], step, role)
    elif layout == "example":
        out["nielsen"], out["ng"] = one_example(out["nielsen"], step, role), one_example(out["ng"], step, role)
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
