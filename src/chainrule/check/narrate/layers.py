"""The layer of every forward quantity and the maths symbol it is shown with (Z₁, H₁, S, P, L ...).

A matrix product's layer is the rank of the weight it reads, in the order of first use, so a layer run
once per example (Nielsen's ``network.py``) is the same layer every time; its activation has its layer.
One hidden layer is ``Z``, ``H``; several are ``Z_1``, ``H_1``, ``Z_2`` ...; the output scores are ``S``.
"""

from __future__ import annotations

from typing import Optional

from chainrule.check.record.state import Node

ACTS = ("relu", "leaky_relu", "tanh", "sigmoid")
TABLE = {"exp": ("E", "softmax_ce.probs"), "probs": ("P", "softmax_ce.probs"), "logp": (r"\ell", ""),
         "ce_rows": (r"\ell", "softmax_ce.forward"), "ce": ("L", "softmax_ce.forward"),
         "margins": ("M", "hinge.forward"), "hinge": ("L", "hinge.forward"), "l2": ("R", "l2.forward"),
         "sum": ("L", ""), "shift": ("S", "softmax_ce.probs"), "mse": ("L", ""), "sq": ("D", ""),
         "sqw": ("R", ""), "bce_rows": (r"\ell", ""), "bce": ("L", "")}


def _strip(x):
    while isinstance(x, Node) and x.op in ("transpose", "astype", "array", "copy", "reshape") and x.args \
            and isinstance(x.args[0], Node) and x.op != "reshape":
        x = x.args[0]
    return x


def layers(a, lin: list) -> dict[int, int]:
    """The layer (1, 2, ...) of each linear item (node id -> layer)."""
    ranks: dict[int, int] = {}
    out: dict[int, int] = {}
    for it in lin:
        W = _strip(it.inputs.get("W"))
        p = a.graph.param_of(W) if isinstance(W, Node) else None
        key = p.leaf.obj if p is not None else -it.node.id
        out[it.node.id] = ranks.setdefault(key, len(ranks) + 1)
    return out


def _act_layer(it, layer: dict[int, int]) -> int:
    z = it.inputs.get("Z")
    return layer.get(z.id, 0) if isinstance(z, Node) else 0


def _output_linear(items: list, lin: list) -> Optional[object]:
    if not lin:
        return None
    last = lin[-1]
    if any(it.kind in ACTS and it.inputs.get("Z") is last.node for it in items):
        return None  # the output layer has an activation (a sigmoid output): its input is a Z too
    return last


def assign_symbols(a, items: list) -> dict[int, int]:
    """Set every item's ``symbol`` and op-table ``key``; return the linear items' layers."""
    lin = [it for it in items if it.kind == "linear"]
    acts = [it for it in items if it.kind in ACTS]
    layer = layers(a, lin)
    out = _output_linear(items, lin)
    top = layer[out.node.id] if out is not None else None
    hidden = sorted({layer[x.node.id] for x in lin} - {top})
    for it in lin:
        l = layer[it.node.id]
        it.symbol = "S" if l == top else "Z" if len(hidden) == 1 else f"Z_{l}"
        it.key = "linear.forward"
    act_layers = sorted({_act_layer(it, layer) for it in acts})
    for it in acts:
        it.symbol = "H" if len(act_layers) == 1 else f"H_{_act_layer(it, layer)}"
        it.key = f"{it.kind}.forward"
    loss = a.loss.node
    for it in items:
        if it.kind in TABLE:
            it.symbol, it.key = TABLE[it.kind]
            if it.kind in ("ce", "hinge", "mse", "bce") and loss is not None and it.node is not loss:
                it.symbol = r"L_{\text{data}}"
    return layer
