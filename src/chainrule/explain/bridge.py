"""The formulas you learned: Nielsen's and Ng's backprop next to the learner's lines, proven equal.

Three rules turn a textbook formula into a row-per-example line (rows vs
columns, one example vs a batch, where 1/N lives).  Two notebook cells prove
it on the tiny example:

* Nielsen's algorithm, one example at a time as a column vector, BP1-BP4
  written in his notation (his ``network.py`` names: ``weights``, ``biases``,
  ``nabla_w``, ``nabla_b``, ``delta``);
* Ng's vectorised algorithm, examples as columns (``parameters["W1"]``,
  ``dZ2 = A2 - Y``, ``grads``).

Both cells run right after the notebook's setup (they change none of its
variables) and compare with the learner's own nine backward lines, run
verbatim inside a function on a copy of ``probs``.
"""

from __future__ import annotations

import textwrap
from typing import Optional

import numpy as np

from chainrule.explain.source import Statement
from chainrule.notation import NOTATION_INFO, role_of
from chainrule.report import Bridge, BridgeProof, BridgeRow, BridgeRule, Step, Value

#: Largest difference allowed between the textbook's gradients and the learner's (float64).
TOL = 1e-12
GRADIENTS = ("dW", "db", "dW2", "db2")

INTRO = (
    "Backpropagation is usually taught with one of two notations. Michael Nielsen's book writes "
    "δ and the four equations BP1 to BP4. Andrew Ng's course writes dZ, dW and db. Both describe "
    "the same maths as your code. Only the layout is different. Three rules translate between "
    "them. Then two short programs prove it with the tiny example's numbers.")

RULES = (
    BridgeRule(
        "Rows, not columns",
        "The textbooks put one example in a column. Your code puts one example in a row. So every "
        "matrix is transposed. Your `W` is Nielsen's (w²)ᵀ and Ng's (W^[1])ᵀ. Your `W2` is "
        "(w³)ᵀ and (W^[2])ᵀ. Nielsen counts the input as layer 1, so his layer numbers are one "
        "higher. This is why (w³)ᵀδ³ becomes `dscores @ W2.T`.",
        r"(w^{3})^{\top}\delta^{3}", "dscores @ W2.T"),
    BridgeRule(
        "A batch, not one example",
        "Nielsen computes one example x at a time and adds up the results. Your code does all N "
        "examples in one matrix product. The sum over examples of δ³ₓ(a²ₓ)ᵀ, transposed, is "
        "`hidden_layer.T @ dscores`. For a bias, the sum of δ over the examples is "
        "`np.sum(dscores, axis=0)`.",
        r"\sum_{x} \delta^{3}_{x}\,(a^{2}_{x})^{\top}", "hidden_layer.T @ dscores"),
    BridgeRule(
        "Where 1/N lives",
        "The loss is a mean, so every gradient has a factor 1/N. Ng writes 1/m in every dW and "
        "db. Nielsen writes η/m in the update. Your code divides once, in "
        "`dscores /= num_examples`. Every later line starts from `dscores`, so it carries the 1/N.",
        r"\frac{1}{m}", "dscores /= num_examples"),
)

_NIELSEN = '''\
# Nielsen's backprop: one example x at a time, as a column vector.
# His layer 1 is the input: your W, b are his w², b² lying down; W2, b2 are w³, b³.
weights = [W.T, W2.T]               # w²: (h, D), w³: (K, h)
biases = [b.T, b2.T]                # b²: (h, 1), b³: (K, 1)
nabla_w = [np.zeros(w.shape) for w in weights]
nabla_b = [np.zeros(bias.shape) for bias in biases]
n = X.shape[0]
for i in range(n):
    x = X[i].reshape(-1, 1)                        # a¹ = x: one example, a column (D, 1)
    y_col = np.zeros((W2.shape[1], 1))
    y_col[y[i]] = 1                                # the label, a one-hot column (K, 1)
    z2 = weights[0] @ x + biases[0]                # (h, 1)
    a2 = np.maximum(0, z2)
    z3 = weights[1] @ a2 + biases[1]               # (K, 1)
    a3 = np.exp(z3) / np.sum(np.exp(z3))           # softmax
    delta3 = a3 - y_col                            # BP1 (softmax output, log-likelihood cost)
    delta2 = (weights[1].T @ delta3) * (z2 > 0)    # BP2, σ′(z) = 1 where z > 0 (ReLU)
    nabla_b[1] += delta3                           # BP3
    nabla_w[1] += delta3 @ a2.T                    # BP4
    nabla_b[0] += delta2
    nabla_w[0] += delta2 @ x.T
# C = (1/n) Σx Cx; transpose back to your layout
nielsen = {"dW": nabla_w[0].T / n, "db": nabla_b[0].T / n,
           "dW2": nabla_w[1].T / n, "db2": nabla_b[1].T / n}
for name in yours:
    difference = np.max(np.abs(yours[name] - nielsen[name]))
    print(f"{name}: largest |yours - Nielsen's| = {difference:.1e}")
    assert difference < %(tol)r
'''

_NG = '''\
# Ng's vectorised backprop: all m examples at once, one example per column.
parameters = {"W1": W.T, "b1": b.T, "W2": W2.T, "b2": b2.T}   # his W^[1] is your W.T
A0 = X.T                                          # (D, m)
m = A0.shape[1]
Y = np.eye(W2.shape[1])[y].T                      # (K, m): one one-hot column per example
Z1 = parameters["W1"] @ A0 + parameters["b1"]     # (h, m)
A1 = np.maximum(0, Z1)
Z2 = parameters["W2"] @ A1 + parameters["b2"]     # (K, m)
A2 = np.exp(Z2) / np.sum(np.exp(Z2), axis=0, keepdims=True)
dZ2 = A2 - Y
grads = {"dW2": (1 / m) * dZ2 @ A1.T,
         "db2": (1 / m) * np.sum(dZ2, axis=1, keepdims=True)}
dA1 = parameters["W2"].T @ dZ2
dZ1 = dA1 * (Z1 > 0)                              # g′(Z) for ReLU
grads["dW1"] = (1 / m) * dZ1 @ A0.T
grads["db1"] = (1 / m) * np.sum(dZ1, axis=1, keepdims=True)
ng = {"dW": grads["dW1"].T, "db": grads["db1"].T, "dW2": grads["dW2"].T, "db2": grads["db2"].T}
for name in yours:
    difference = np.max(np.abs(yours[name] - ng[name]))
    print(f"{name}: largest |yours - Ng's| = {difference:.1e}")
    assert difference < %(tol)r
'''


def yours_code(backward: list[Statement]) -> str:
    """The learner's backward lines (no updates), verbatim, in a function on a copy of ``probs``."""
    lines = [s.code for s in backward if not s.code.split("+=")[0].strip() in ("W", "b", "W2", "b2")]
    body = textwrap.indent("\n".join(lines), "    ")
    return ("# Your backward lines, verbatim, inside a function. It gets a copy of probs,\n"
            "# so your alias `dscores = probs` changes nothing outside.\n"
            "def your_gradients(probs):\n" + body + "\n"
            "    return {\"dW\": dW, \"db\": db, \"dW2\": dW2, \"db2\": db2}\n\n"
            "yours = your_gradients(probs.copy())\n")


def proof_cells(backward: list[Statement]) -> list[str]:
    """The two notebook cells: the Nielsen loop (with ``your_gradients``) and Ng's version."""
    return [yours_code(backward) + "\n" + _NIELSEN % {"tol": TOL}, _NG % {"tol": TOL}]


def _values(ns: dict, key: str, names: tuple[str, ...]) -> list[Value]:
    out = []
    for name in names:
        a = np.asarray(ns[key][name])
        out.append(Value(name, list(a.shape), a.tolist(), f"{key}, in your layout"))
    return out


def bridge_rows(steps: list[Step], roles: Optional[list] = None) -> list[BridgeRow]:
    """One row per backward formula with a textbook form (updates and the start left out).

    ``roles``: what each step does, when the caller knows it (a script's analysis); else from the keys."""
    roles = roles if roles is not None else [role_of(s) for s in steps]
    return [BridgeRow(step=k, code=s.code, line=s.line, formulas=dict(s.textbook))
            for k, (s, r) in enumerate(zip(steps, roles)) if s.textbook and r not in ("update", "start", None)]


def textbook_bridge(steps: list[Step], rules: Optional[list[BridgeRule]] = None, intro: Optional[str] = None,
                    roles: Optional[list] = None) -> Bridge:
    """The Bridge without the two proof programs: for any Report whose steps have ``textbook``
    filled (:func:`chainrule.notation.fill_textbook`), e.g. a learner's own script, with the
    translation ``rules`` and ``intro`` written for it (default: the learner's network's)."""
    return Bridge(intro=intro if intro is not None else INTRO.rsplit(" Then two short programs", 1)[0],
                  notations=[NOTATION_INFO[n] for n in ("code", "nielsen", "ng")],
                  rules=list(rules if rules is not None else RULES), rows=bridge_rows(steps, roles))


def build_bridge(steps: list[Step], cells: list[str], printed: list[str],
                 namespaces: list[dict]) -> Bridge:
    """The Bridge: notations, rules, one row per backward formula, and the two proofs."""
    rows = bridge_rows(steps)
    proofs = []
    for cell, out, ns, key, title, words in (
            (cells[0], printed[0], namespaces[0], "nielsen", "Nielsen's loop, one example at a time",
             "This program is Nielsen's backprop for your network. It takes one example at a time "
             "as a column vector and applies BP1 to BP4. It adds up the results and divides by n. "
             "Then it transposes back to your layout and compares with your lines."),
            (cells[1], printed[1], namespaces[1], "ng", "Ng's vectorised version, examples as columns",
             "This program is Ng's backprop for your network. All examples are columns of one "
             "matrix. It computes dZ, dW and db with 1/m inside dW and db. Then it transposes back "
             "and compares with your lines.")):
        diffs = {g: float(np.max(np.abs(np.asarray(ns["yours"][g]) - np.asarray(ns[key][g]))))
                 for g in GRADIENTS}
        proofs.append(BridgeProof(notation=key, title=title, explanation=words, code=cell,
                                  output=out, differences=diffs,
                                  values=_values(ns, key, GRADIENTS) + _values(ns, "yours", GRADIENTS)))
    return Bridge(intro=INTRO, notations=[NOTATION_INFO[n] for n in ("code", "nielsen", "ng")],
                  rules=list(RULES), rows=rows, proofs=proofs)
