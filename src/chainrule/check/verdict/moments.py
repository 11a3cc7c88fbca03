"""Adam recognised as the textbook step: its two moments and their bias corrections.

Adam (Kingma & Ba) keeps two moments of the gradient ``g`` and corrects both for their zero start,
with the *same* step count ``t``::

    m = β₁·m + (1 − β₁)·g          m̂ = m / (1 − β₁ᵗ)
    v = β₂·v + (1 − β₂)·g²         v̂ = v / (1 − β₂ᵗ)
    P ← P − η·m̂ / (√v̂ + ε)

The moments are found by their values: ``m`` is the optimizer's array equal to ``α·m_old + γ·g``
with ``α + γ = 1`` (``γ·g`` on a first step, from zeros), ``v`` the same with ``g²``; ``β = 1 − γ``.
The correction of ``v`` is read off the value under the square root (``v̂ = v / c₂``), which gives
``t``. The numerator's total factor ``k`` (``step = k·m / (√v̂ + ε)``) is ``η / (1 − β₁ᵗ)`` when ``m``
is corrected too; when ``k`` is a learning rate the script names, and ``k·(1 − β₁ᵗ)`` is not, the
first moment's correction is missing. Anything else (no correction at all, the paper's folded
``η_t``, a literal learning rate) is left alone: a step that cannot be proven wrong is not called wrong.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from chainrule.check.record.state import Node

RTOL = 1e-9


def _ratio(X: Any, Y: Any) -> Optional[float]:
    """c when X = c·Y entry by entry (to rounding), else None."""
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    if X.shape != Y.shape or not X.size:
        return None
    yy = float(np.sum(Y * Y))
    if yy == 0:
        return None
    c = float(np.sum(X * Y)) / yy
    return c if float(np.linalg.norm(X - c * Y)) <= RTOL * max(float(np.linalg.norm(X)), 1e-300) else None


def _moment(a, n: Node, f: Any, state: list[Node]) -> Optional[float]:
    """β when node ``n`` holds ``β·old + (1 − β)·f`` for the optimizer state it reads (zeros on a first step)."""
    V = np.asarray(a.values64.get(n.id, n.value), dtype=float)
    near = {id(x) for x in n.inputs()} | {id(y) for x in n.inputs() for y in x.inputs()}
    olds = [s for s in state if id(s) in near]  # `beta1 * m + ...` reads the old moment directly
    if len(olds) != 1:
        return None
    S0 = np.asarray(a.values64.get(olds[0].id, olds[0].value), dtype=float)
    if S0.shape != V.shape or not np.any(S0):
        gamma = _ratio(V, f)
        return 1 - gamma if gamma is not None and 0 < gamma < 1 - RTOL else None
    B = np.stack([S0.ravel(), np.ravel(f)], axis=1)
    coef, *_ = np.linalg.lstsq(B, V.ravel(), rcond=None)
    alpha, gamma = (float(c) for c in coef)
    fits = np.linalg.norm(B @ coef - V.ravel()) <= 1e-7 * max(float(np.linalg.norm(V)), 1e-300)
    return alpha if fits and 0 < gamma < 1 and abs(alpha + gamma - 1) < 1e-7 else None


def first_moment_check(a, p) -> Optional[tuple[Node, str]]:
    """(the first moment's node, what is wrong) when Adam corrects ``v`` for step ``t`` but not ``m``."""
    if p.optimizer != "adam" or p.grad is None:
        return None
    G = np.asarray(a.values64.get(p.grad.id, p.grad.value), dtype=float)
    nodes = [n for n in a.step_nodes(p) if isinstance(n.value, np.ndarray) and n.value.dtype.kind == "f"
             and np.shape(n.value) == G.shape]
    firsts = [(n, b) for n in nodes if (b := _moment(a, n, G, p.state)) is not None]
    seconds = [(n, b) for n in nodes if (b := _moment(a, n, G * G, p.state)) is not None]
    if not firsts or not seconds:
        return None
    (m, b1), (v, b2) = firsts[-1], seconds[-1]
    value = lambda n: a.values64.get(n.id, n.value)  # noqa: E731
    root = next((n for n in a.step_nodes(p) if n.op == "sqrt" or n.op == "power" and len(n.args) > 1
                 and n.args[1] == 0.5), None)
    if root is None or not isinstance(root.args[0], Node):
        return None
    r = _ratio(value(root.args[0]), value(v))
    if r is None or abs(r - 1) < RTOL or r <= 1:
        return None  # v used as it is (no correction at all, or the paper's folded η_t): nothing to compare
    t = np.log(1 - 1 / r) / np.log(b2)
    if not (t > 0.5 and abs(t - round(t)) < 1e-6):
        return None
    t = int(round(t))
    c1 = 1 - b1 ** t
    S = value(p.step)
    ks = [_ratio(np.asarray(S) * np.asarray(value(d), dtype=float), value(m)) for d in nodes if d.id > root.id]
    k = next((x for x in ks if x is not None and x > 0), None)
    if k is None:
        return None
    named = {k_: float(x) for k_, x in a.graph.numbers.items() if isinstance(x, float) and x > 0}
    close = lambda x: next((name for name, y in named.items() if abs(x - y) <= 1e-9 * y), None)  # noqa: E731
    lr = close(k)
    if lr is None or close(k * c1) is not None:
        return None
    return m, (f"Adam's first moment is used without its bias correction: the second moment is divided by "
               f"1 − β₂ᵗ (step t = {t}), so the first must be divided by 1 − β₁ᵗ = {c1:g} too "
               f"(m̂ = m / (1 − β₁ᵗ)); without it the step is {c1:g}× the Adam step")
