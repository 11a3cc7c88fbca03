"""The engine's first settings for a learner's script: a network shaped like theirs.

From the Report alone (the checker's analysis): the layer sizes from the parameters' shapes
(row per example, ``W`` is ``(fan_in, fan_out)``, or deeplearning.ai's columns,
``(fan_out, fan_in)``), the activation from the backward lines' formulas, the loss, the
step size and the L2 strength the script used.  With ``train: engine`` the page trains
chainrule's own engine with them, on the data the learner picks (``train: script`` runs the
script itself: :mod:`.scripttrainer`).
"""

from __future__ import annotations

import re
from typing import Any, Optional

from chainrule.report import Report
from chainrule.serve.protocol import MAX_ROWS
from chainrule.serve.settings import MAX_CLASSES, MAX_LAYERS, MAX_UNITS
from chainrule.serve.substitute import REG_NAMES, STEP_NAMES, fitted, report_arrays
from chainrule.serve.symbols import Names

_KEY = re.compile(r"""\[\s*['"](\w+)['"]\s*\]$""")
ACTS = ("relu", "leaky_relu", "tanh", "sigmoid")


def _key(name: str) -> str:
    m = _KEY.search(name)
    return m.group(1) if m else name


def layer_sizes(shapes: list[list[int]]) -> Optional[list[int]]:
    """``[D, h1, ..., K]`` from the weight shapes, in either layout; None if they do not chain."""
    if not shapes or any(len(s) != 2 for s in shapes):
        return None
    if all(a[1] == b[0] for a, b in zip(shapes, shapes[1:])):
        return [shapes[0][0]] + [s[1] for s in shapes]
    if all(a[0] == b[1] for a, b in zip(shapes, shapes[1:])):
        return [shapes[0][1]] + [s[0] for s in shapes]
    return None


def _scalar(report: Report, names: tuple[str, ...]) -> Optional[float]:
    for s in report.steps:
        for v in s.values:
            if v.name in names and not v.shape and isinstance(v.data, (int, float)) and v.data > 0:
                return float(v.data)
    return None


def _step_size(report: Report) -> Optional[float]:
    """η: a named step size, else the factor of plain gradient-descent updates (``W -= η·dW``)."""
    named = _scalar(report, STEP_NAMES)
    if named is not None:
        return named
    opts = report.network.get("optimizer") or []
    rates = {float(f"{s.factor:.12g}") for s in report.steps
             if s.holds == "update" and s.factor and "update.gd" in s.formula_keys}
    return rates.pop() if opts and set(opts) == {"gd"} and len(rates) == 1 else None


def _reg(report: Report) -> Optional[float]:
    """λ: a named strength, else read off an L2 line's own arrays (``dW += λ·W``)."""
    named = _scalar(report, REG_NAMES)
    if named is not None:
        return named
    names = Names(report)
    for k, s in enumerate(report.steps):
        a = report_arrays(names, k) if "l2.backward" in s.formula_keys else None
        if a is None or a.before is None or a.before.shape != a.out.shape:
            continue
        for w in a.inputs.values():
            lam = fitted(a.out - a.before, w)
            if lam is not None and lam > 0:
                return lam
    return None


def _examples(report: Report, k: int) -> Optional[int]:
    """N, from the shape of the first backward array that has one row (or column) per example."""
    for s in report.steps:
        for shape in s.shapes.values():
            if len(shape) == 2 and shape[0] != shape[1] and k in shape:
                return shape[0] if shape[1] == k else shape[1]
    return None


def script_settings(report: Report) -> tuple[dict[str, Any], str]:
    """``(settings, note)``: the script's network for the Train panel, and a sentence saying so."""
    params = report.network.get("params") or {}
    order = [s.writes for s in report.steps if s.holds == "update"]
    weights = [params[n] for n in order if n in params and _key(n)[:1] in "Ww"]
    sizes = layer_sizes(weights)
    keys = {k.split(".")[0] for s in report.steps for k in s.formula_keys}
    out: dict[str, Any] = {}
    if sizes and 1 <= len(sizes) - 2 <= MAX_LAYERS and all(h <= MAX_UNITS for h in sizes[1:-1]):
        out["hidden"] = sizes[1:-1]
        out["classes"] = min(MAX_CLASSES, max(2, sizes[-1]))
        n = _examples(report, sizes[-1])
        if n:
            out["points"] = max(1, min(MAX_ROWS // out["classes"], n // out["classes"]))
    acts = [a for a in ACTS if a in keys]
    if acts:
        out["activation"] = acts[0] if len(acts) == 1 or acts[0] != "sigmoid" else acts[1]
    out["loss"] = "hinge" if "hinge" in keys else "softmax"
    step = _step_size(report)
    if step is not None and step <= 100:
        out["step_size"] = step
    reg = _reg(report)
    if reg is not None and reg <= 10:
        out["reg"] = reg
    shape = " → ".join(map(str, [2, *out.get("hidden", []), out.get("classes", 2)])) if "hidden" in out else ""
    note = ("Here the Train panel trains chainrule's own engine " +
            (f"with your script's network ({shape}, "
             f"{out.get('activation', 'relu (chainrule could not tell your activation)')}, "
             f"{'hinge' if out['loss'] == 'hinge' else 'softmax cross-entropy'})" if shape else
             "(your script's layer sizes could not be read)") +
            " on the data you choose; choose Train: your script to run the script itself.")
    if sizes and sizes[-1] == 1:
        note += " Your network has one output unit (a yes/no classifier): the page uses two classes with softmax."
    return out, note
