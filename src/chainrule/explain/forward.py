"""The forward pass as a chain, and the full-size shapes of every backward line.

Shapes are measured, not assumed: the learner's lines run once at full size
(N = 800, h = 1000, K = 2, on the learner's own data and weights from
``chainrule.training.prepare``) and every array a backward line touches is
measured before the line runs; the written variable after it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.config import TrainConfig
from chainrule.explain.content import PREACT
from chainrule.explain.source import Statement, split_loop, statement_shapes, written_shape
from chainrule.report import ForwardStep, Value


def full_size(seed: int = 0) -> tuple[dict[str, Any], list[dict[str, list[int]]]]:
    """Run the learner's forward and backward lines at full size.

    Returns the namespace after the forward pass (with the weights at pass 0)
    and, per backward statement, its ``{expression: shape}``.
    """
    from chainrule.training import prepare

    data, params, _ = prepare(TrainConfig(seed=seed))
    (W, b), (W2, b2) = params
    ns: dict[str, Any] = {"np": np, "X": data.X, "y": data.y, "W": W, "b": b, "W2": W2,
                          "b2": b2, "step_size": 1.0, "num_examples": data.n}
    forward, backward = split_loop()
    with np.errstate(all="ignore"):
        for s in forward:
            exec(s.compiled, ns)  # noqa: S102 - the learner's line
        forward_ns = dict(ns)
        shapes = []
        for s in backward:
            sh = statement_shapes(s, ns)
            exec(s.compiled, ns)  # noqa: S102
            out = written_shape(s, ns)
            if out is not None:
                sh.pop(s.writes, None)
                sh[s.writes] = out
            shapes.append(sh)
    return forward_ns, shapes


def value(name: str, a: Any, note: str = "") -> Value:
    arr = np.asarray(a)
    if arr.dtype == bool:
        arr = arr.astype(np.int64)
    return Value(name, list(arr.shape), arr.tolist(), note)


def _code(forward: list[Statement], *starts: str) -> tuple[str, int]:
    found = [s for s in forward if any(s.code.startswith(p) for p in starts)]
    return "\n".join(s.code for s in found), found[0].line


def keepdims_note(full: dict[str, Any]) -> str:
    """Why ``keepdims=True`` matters in the ``probs`` line, with numpy's own error at full size."""
    e = full["exp_scores"]
    flat = np.sum(e, axis=1)
    try:
        e / flat
        error = "no error"  # pragma: no cover - only when N == K
    except ValueError as exc:
        error = f"{type(exc).__name__}: {exc}"
    kept = np.sum(e, axis=1, keepdims=True).shape
    return (f"Here `keepdims=True` is needed. Without it, `np.sum(exp_scores, axis=1)` has shape "
            f"{tuple(flat.shape)}. Then `exp_scores / np.sum(exp_scores, axis=1)` divides "
            f"{tuple(e.shape)} by {tuple(flat.shape)}, and numpy stops with `{error}`. "
            f"With `keepdims=True` the sum has shape {tuple(kept)}. numpy repeats it across the "
            f"{e.shape[1]} columns, so each row is divided by its own sum.")


def forward_chain(full: dict[str, Any], tiny_ns: dict[str, Any], x_line: tuple[str, int]) -> list[ForwardStep]:
    """X → Z → H → S → P → L with shapes (full size) and the tiny example's numbers."""
    forward, _ = split_loop()
    N, D = full["X"].shape
    h, K = full["W2"].shape
    t = tiny_ns
    hid = _code(forward, "hidden_layer =")
    links = [
        ("X", "X", x_line, r"X \in \mathbb{R}^{N \times D}",
         "X: one example per row (N×D), labels y", [N, D], f"(N, D) = ({N}, {D})",
         [value("X", t["X"], "the tiny data: one point per row"),
          value("y", t["y"], "the correct class of each row")]),
        ("Z", PREACT, hid, r"Z = XW + b",
         "Z = X·W + b   (b broadcast to every row)", [N, h], f"(N, h) = ({N}, {h})",
         [value("W", t["W_start"]), value("b", t["b_start"]),
          value(PREACT, t["Z"], "Z: the ReLU's input, never named in the code")]),
        ("H", "hidden_layer", hid, r"H = \max(0, Z)",
         "H = max(0, Z)   (entry by entry)", [N, h], f"(N, h) = ({N}, {h})",
         [value("hidden_layer", t["hidden_layer"])]),
        ("S", "scores", _code(forward, "scores ="), r"S = HW_2 + b_2",
         "S = H·W₂ + b₂", [N, K], f"(N, K) = ({N}, {K})",
         [value("W2", t["W2_start"]), value("b2", t["b2_start"]), value("scores", t["scores"])]),
        ("P", "probs", _code(forward, "exp_scores =", "probs ="),
         r"P = \operatorname{softmax}(S),\quad P[i,k] = \frac{e^{S[i,k]}}{\sum_{c} e^{S[i,c]}}",
         "P[i,k] = exp(S[i,k]) / Σ_c exp(S[i,c])   (each row sums to 1)", [N, K],
         f"(N, K) = ({N}, {K})",
         [value("exp_scores", t["exp_scores"]), value("probs", t["probs"])]),
        ("L", "loss", _code(forward, "corect_logprobs =", "data_loss =", "loss ="),
         r"L = -\frac{1}{N}\sum_{i=1}^{N} \log P[i, y_i]",
         "L = −(1/N) Σᵢ log P[i, yᵢ]   (the mean over the N examples)", [], "scalar",
         [value("corect_logprobs", t["corect_logprobs"], "−log P[i, yᵢ] per row"),
          value("loss", t["loss"])]),
    ]
    notes = {"P": keepdims_note(full)}
    return [ForwardStep(code=code, symbol=sym, name=name, formula_latex=latex, formula_text=text,
                        shape=shape, shape_text=shape_text, line=line, values=values,
                        note=notes.get(sym, ""))
            for sym, name, (code, line), latex, text, shape, shape_text, values in links]
