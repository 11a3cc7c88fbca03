"""``explain SCRIPT`` in the notations the learner learned: Nielsen's δ and BP1–BP4, Ng's dZ, dW, db.

Everything comes from the analysis. Each forward quantity's place in the network is its layer,
found from the weight each matrix product reads (:attr:`Forward.layers`). Each backward line has a
*role*, from what it was proven to hold: BP1 at the output, a weight's or a bias's gradient, the
gradient handed to a layer's input, an activation's derivative, the sum over a mini-batch, an update.
The script's layout is one example per row (``X @ W``), per column (``W @ A``, Ng) or one example at
a time as a column (Nielsen's ``network.py``), and it picks the default notation (code, Ng, Nielsen).

With these, :func:`chainrule.notation.textbook_forms` writes every line in each notation,
:func:`chainrule.explain.bridge.textbook_bridge` makes the table and the rules, and
:func:`chainrule.explain.graph.build_graph` draws the picture. A line whose role is not proven
(an intermediate value, a mask, a local derivative) gets no textbook form, and the bridge says how many.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from chainrule.check.narrate import backward as bw
from chainrule.check.narrate.forward import ACTS, Forward, _strip
from chainrule.check.narrate.symbols import text_sym
from chainrule.check.record.state import Node
from chainrule.notation import Quantity, textbook_forms
from chainrule.report import BridgeRule, Report, Step

DEFAULT_NOTATION = {"rows": "code", "columns": "ng", "example": "nielsen"}
LOSSES = {"bce": "bce", "softmax_ce": "softmax_ce", "ce": "softmax_ce"}


def layout_of(a, fw: Forward) -> str:
    """``rows``, ``columns``, or ``example`` (columns, one example at a time: every layer-1 product is a column)."""
    if a.graph.layout != "columns":
        return "rows"
    first = [it for it in fw.items if it.kind == "linear" and fw.layers.get(it.node.id) == 1]
    if first and all(np.ndim(it.node.value) == 2 and np.shape(it.node.value)[1] == 1 for it in first):
        return "example"
    return "columns"


def places(a, fw: Forward) -> dict[int, Quantity]:
    """Node id -> its place in the network (kind z / a / W / b, layer, the code notation's symbol)."""
    g = a.graph
    out: dict[int, Quantity] = {}
    top = max(fw.layers.values(), default=0)
    for it in fw.items:
        if it.kind == "linear":
            l = fw.layers.get(it.node.id, 0)
            out[it.node.id] = Quantity("z", l, text_sym(it.symbol))
            for role, kind in (("W", "W"), ("b", "b")):
                x = _strip(it.inputs.get(role))
                p = g.param_of(x) if isinstance(x, Node) else None
                if p is not None:
                    sym = fw.symbol(p.name)
                    short = text_sym(sym) if not sym.startswith("\\") else kind + (str(l) if top > 1 else "")
                    out[p.leaf.id] = Quantity(kind, l, text_sym(short.replace(str(l), f"_{l}", 1)) if
                                              short == kind + str(l) else short)
            X = _strip(it.inputs.get("X"))
            if isinstance(X, Node) and l == 1 and g.is_input(X) and g.param_of(X) is None:
                out.setdefault(X.id, Quantity("a", 0, "X"))
        elif it.kind in ACTS:
            z = it.inputs.get("Z")
            if isinstance(z, Node) and z.id in fw.layers:
                out[it.node.id] = Quantity("a", fw.layers[z.id], text_sym(it.symbol))
        elif it.kind == "probs":
            out[it.node.id] = Quantity("a", top, text_sym(it.symbol))
    return out


def _role(a, fw: Forward, L, p: bw.Pattern, place: Optional[Quantity], top: int) -> Optional[str]:
    keys = p.keys
    ops = {n.op for n in L.nodes}
    if L.kind == "update":
        return "update"
    if p.kind == "loss" and p.ops.get("alias"):
        return "start"
    if place is None:
        return None
    if any(k in keys for k in ("softmax_ce.backward", "sigmoid_bce.backward")):
        rescale = L.node is not None and L.node.op in ("divide", "multiply", "true_divide") and all(
            i.kind in ("backward", "alias") for i in L.inputs) and L.inputs and len(L.nodes) == 1
        return "delta" if rescale else "delta_scaled"
    act = next((k for k in keys if k.endswith(".backward") and k.split(".")[0] in ACTS), None)
    if act is not None:
        return "output" if place.layer == top and place.kind == "z" else "act"
    if "linear.dW" in keys:
        return "dW" if ops & {"matmul", "dot", "outer", "einsum"} else "dW_sum" if "add" in ops else None
    if "linear.db" in keys:
        return "db" if ops & {"sum", "add.reduce", "mean"} else "db_sum" if "add" in ops else None
    if "linear.dX" in keys:
        return "dX"
    return None


def _one_example(a, fw: Forward, L, place: dict[int, Quantity]) -> Optional[tuple[str, Quantity, dict]]:
    """Nielsen's per-example BP3/BP4: ``db[l] = delta`` and ``dw[l] = np.dot(delta, a.T)`` hold ∂Cₓ/∂b and
    ∂Cₓ/∂w of one example x when ``delta`` is proven ∂L/∂z of that example's layer and ``a`` is the layer's input
    (the check proves their sum over the mini-batch is ∂L/∂b and ∂L/∂w)."""
    def z_of(I):
        if I.ok and I.match is not None and I.match.exact and not I.match.transposed:
            q = place.get(I.match.q.key)
            return (I, q) if q is not None and q.kind == "z" else None
        return None
    if L.kind == "alias":
        I = next((M for M in a.lines if M.kind == "backward" and M.node is L.node), None)
        found = z_of(I) if I is not None else None
        if found is not None:
            return "db", Quantity("b", found[1].layer, "b"), {"delta": found[0].writes}
        return None
    for n in L.nodes:
        if n.op not in ("dot", "matmul", "outer") or len(n.args) < 2:
            continue
        for I in L.inputs:
            found = z_of(I)
            if found is None or I.node not in n.args:
                continue
            lin = fw.by_node.get(I.match.q.key)
            other = next((x for x in n.args[:2] if x is not I.node), None)
            X = _strip(lin.inputs.get("X")) if lin is not None else None
            if X is not None and _strip(other) is X:
                return "dW", Quantity("W", found[1].layer, "W"), {"delta": I.writes, "a_prev": a.label(X)}
    return None


def _names(a, L, p: bw.Pattern, role: str, probs: str) -> dict[str, str]:
    o = p.ops
    names = {"probs": probs, "W": o.get("W", ""), "b": o.get("b", ""), "a_prev": o.get("X", ""),
             "delta": o.get("U", ""), "W_up": o.get("W", ""), "delta_up": o.get("U", ""),
             "step_size": f"{L.factor:g}" if L.factor else "the step size"}
    if role in ("db", "db_sum") and L.param is None and L.gradient_of:
        names["b"] = L.gradient_of
    return names


def fill(a, fw: Forward, rep: Report, lines: list) -> None:
    """Steps' textbook forms, the bridge, the graph and the default notation (in place)."""
    from chainrule.explain.bridge import textbook_bridge

    layout = layout_of(a, fw)
    rep.notation = DEFAULT_NOTATION[layout]
    place = places(a, fw)
    top = max(fw.layers.values(), default=0)
    probs = next((it.name for it in fw.items if it.kind == "probs"), "") or next(
        (it.name for it in fw.items if it.kind in ACTS and place.get(it.node.id, Quantity("", -1, "")).layer == top), "")
    loss = LOSSES.get(fw.loss_kind() or a.loss.kind, "softmax_ce")
    roles: list[Optional[str]] = []
    for L, step in zip(lines, rep.steps):
        p = bw.pattern(a, fw, L)
        target = L.param.leaf if L.kind == "update" and L.param is not None else bw._target(a, L)
        q = place.get(target.id) if target is not None else None
        role = _role(a, fw, L, p, q, top)
        names = _names(a, L, p, role, probs) if role is not None else {}
        if role is None and layout == "example":
            found = _one_example(a, fw, L, place)
            if found is not None:
                role, q, extra = found
                names = dict(_names(a, L, p, role, probs), **extra)
        if role == "start":
            q = Quantity("z", top, "S")
        roles.append(role if q is not None else None)
        if role is None or q is None:
            continue
        key = step.writes if role == "update" else step.gradient_of or ""
        act = fw.activation_of(target) if target is not None else None
        step.textbook = textbook_forms(step, {key: q}, names, act.kind if act is not None else "relu", layout,
                                       role=role, loss=loss)
        if step.textbook.get("code") is not None and not step.textbook["code"].latex:
            step.textbook.pop("code")
        _own_factor(step, layout)
    rep.bridge = textbook_bridge(rep.steps, rules=rules(rep.steps, roles, layout),
                                 intro=_intro(a, rep.steps, roles, layout), roles=roles)


def _own_factor(step: Step, layout: str) -> None:
    """What the variable holds in each notation, with the script's own factor: Ng's dZ (no 1/m) when the line
    holds m·∂L/∂Z, Nielsen's δ of one example when the script takes one example at a time."""
    strip = layout == "example" or (step.holds == "scaled" and (step.factor or 0) > 1)
    if not strip:
        return
    for n in ("nielsen", "ng"):
        f = step.textbook.get(n)
        if f is not None and f.symbol.endswith(("/m", "/n")):
            f.symbol = f.symbol[:-2]


def _intro(a, steps: list[Step], roles: list, layout: str) -> str:
    how = {"rows": "Your script puts one example in each row, so every textbook matrix appears transposed.",
           "columns": "Your script puts one example in each column, as Ng does.",
           "example": "Your script takes one example at a time as a column vector, as Nielsen's network.py does."}
    text = ("Backpropagation is usually taught with one of two notations. Michael Nielsen's book writes δ and the "
            "four equations BP1 to BP4. Andrew Ng's course writes dZ, dW and db. " + how[layout])
    backward = [(s, r) for s, r in zip(steps, roles) if s.holds != "update"]
    missing = sum(1 for s, r in backward if r is None or r == "start")
    if missing:
        one = missing == 1
        text += (f" {missing} of your {len(backward)} backward lines {'has' if one else 'have'} no textbook formula: "
                 f"{'it holds' if one else 'they hold'} a value on the way (a copy, a mask, a local derivative), or "
                 f"chainrule could not prove which formula {'it is' if one else 'they are'}.")
    if a.loss.inferred:
        text += f" Your script computes no loss, so the formulas use the loss chainrule inferred: {a.loss.formula}."
    return text


def _code(steps: list[Step], roles: list, *want: str) -> str:
    return next((s.code for s, r in zip(steps, roles) if r in want and s.ok), "")


def rules(steps: list[Step], roles: list, layout: str) -> list[BridgeRule]:
    """The three translation rules, in the script's own lines."""
    dW, dX, delta = _code(steps, roles, "dW"), _code(steps, roles, "dX", "act"), _code(steps, roles, "delta")
    summed = _code(steps, roles, "dW_sum", "db_sum")
    if layout == "example":
        return [BridgeRule("One example at a time, like Nielsen",
                           "Nielsen's network.py takes one example x as a column vector. So does your script. "
                           "So your lines are BP1 to BP4 with your names, and no transpose is needed.",
                           r"\delta^{l} = ((w^{l+1})^{\top}\delta^{l+1}) \odot \sigma'(z^{l})", dX),
                BridgeRule("The mini-batch sum",
                           "Each example gives its own gradients. Your script adds them up over the mini-batch"
                           + (f" in `{summed}`" if summed else "") + ". Nielsen's update then divides the sum "
                           "by m, the size of the mini-batch.", r"\sum_{x} \delta^{l}_{x}(a^{l-1}_{x})^{\top}",
                           summed),
                BridgeRule("Ng's version",
                           "Ng puts the m examples side by side as the columns of one matrix. Then one matrix "
                           "product does the sum over the examples, and 1/m is written in every dW and db.",
                           r"dW^{[l]} = \frac{1}{m} dZ^{[l]} A^{[l-1]\top}", dW)]
    if layout == "columns":
        return [BridgeRule("Columns, like Ng",
                           "Ng puts one example in each column. So does your script (`W @ A`). So your lines are "
                           "Ng's formulas with your names, and no transpose is needed.",
                           r"dA^{[l-1]} = W^{[l]\top} dZ^{[l]}", dX),
                BridgeRule("A batch, not one example",
                           "Nielsen takes one example x at a time and adds up the results. Your script takes all m "
                           "examples at once: the matrix product sums over the columns. For a bias, the sum "
                           "over the examples is a sum over the columns, `axis=1`.",
                           r"\sum_{x} \delta_{x}\,(a_{x})^{\top}", dW),
                _one_over_m(steps, roles, delta)]
    return [BridgeRule("Rows, not columns",
                       "The textbooks put one example in a column. Your script puts one example in a row (`X @ W`). "
                       "So every matrix is transposed: your weights are the textbook's Wᵀ, and (W)ᵀδ becomes "
                       "δ @ W.T in your lines.", r"(w^{l+1})^{\top}\delta^{l+1}", dX),
            BridgeRule("A batch, not one example",
                       "Nielsen takes one example x at a time and adds up the results. Your script takes all N "
                       "examples in one matrix product. The sum over the examples of δ aᵀ, transposed, is the "
                       "product of the layer's input (transposed) with δ. For a bias, the sum over the examples "
                       "is a sum over the rows, `axis=0`.", r"\sum_{x} \delta_{x}\,(a_{x})^{\top}", dW),
            _one_over_m(steps, roles, delta)]


def _one_over_m(steps: list[Step], roles: list, delta: str) -> BridgeRule:
    scaled = any(r == "delta_scaled" and s.holds == "scaled" for s, r in zip(steps, roles))
    inside = next((s.code for s, r in zip(steps, roles) if r == "dW" and s.holds == "gradient"), "")
    if delta:
        text = (f"The loss is a mean, so every gradient has a factor 1/N. Ng writes 1/m in every dW and db. "
                f"Nielsen writes η/m in the update. Your script divides once, in `{delta}`. Every later line "
                f"starts from it, so it carries the 1/N.")
    elif scaled and inside:  # dZ = A − Y holds m·∂L/∂Z and dW holds ∂L/∂W: the 1/m is in the dW line
        text = ("The loss is a mean, so every gradient has a factor 1/m. Like Ng, your script keeps dZ without "
                "1/m and writes 1/m in every dW and db. Nielsen writes η/m in the update instead.")
        return BridgeRule("Where 1/m lives", text, r"\frac{1}{m}", inside)
    else:
        text = ("The loss is a mean, so every gradient has a factor 1/N. Ng writes 1/m in every dW and db, and "
                "Nielsen writes η/m in the update. Your lines put it where the textbook forms of each line say.")
    return BridgeRule("Where 1/N lives", text, r"\frac{1}{m}", delta)
