"""The full-size arrays of one line, as heatmaps: the learner's own lines, run on live weights.

The tiny example shows every number of a 4-point network; the heatmaps show the real
thing (800 × 1000 for ``dhidden``).  They come from executing the learner's loop body
(:func:`chainrule.explain.source.split_loop`, the very statements the walkthrough
explains) on a copy of the weights the Train panel has reached, when that network is the
learner's shape (one ReLU hidden layer, softmax, no regularisation), else on the seed's
starting weights.  Each array is reduced to at most :data:`MAX_ROWS` × :data:`MAX_COLS`
cells (each cell the mean of a block of entries) and sent as a HEATMAP frame.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from chainrule.config import TrainConfig
from chainrule.report import Report
from chainrule.serve.substitute import Arrays

MAX_ROWS, MAX_COLS = 100, 125
AFTER = " (after this line)"


def blocks(a: np.ndarray) -> np.ndarray:
    """``a`` (any shape up to 2-D) as a grid of block means, at most MAX_ROWS × MAX_COLS."""
    g = np.atleast_2d(np.asarray(a, dtype=float))
    r, c = g.shape
    fr, fc = -(-r // MAX_ROWS), -(-c // MAX_COLS)
    if fr == fc == 1:
        return g
    pr, pc = -(-r // fr) * fr, -(-c // fc) * fc
    padded = np.full((pr, pc), np.nan)
    padded[:r, :c] = g
    return np.nanmean(padded.reshape(pr // fr, fr, pc // fc, fc), axis=(1, 3))


def stats(name: str, a: Any) -> dict[str, Any]:
    arr = np.asarray(a, dtype=float)
    return {"name": name, "shape": list(arr.shape), "min": float(arr.min()), "max": float(arr.max()),
            "mean": float(arr.mean()), "std": float(arr.std()), "zeros": float(np.mean(arr == 0))}


def learner_shape(config: TrainConfig) -> bool:
    """Do the learner's lines compute this network (so that live weights can be used)?"""
    return (len(config.hidden) == 1 and config.activation == "relu" and config.loss == "softmax"
            and config.reg == 0)


def namespace(trainer=None, seed: int = 0) -> tuple[dict[str, Any], int, str]:
    """The learner's variables before a pass: live weights when they fit, else the seed's."""
    from chainrule.training import prepare

    if trainer is not None and learner_shape(trainer.config):
        (W, b), (W2, b2) = trainer.weights()
        X, y, lr, it = trainer.data.X, trainer.data.y, trainer.config.lr, trainer.iteration
        where = f"the Train panel's network at iteration {it}"
    else:
        data, params, _ = prepare(TrainConfig(seed=seed))
        (W, b), (W2, b2) = params
        X, y, lr, it = data.X, data.y, 1.0, 0
        where = ("your network before training (the Train panel's network is not the shape of "
                 "your code, so its weights do not fit these lines)" if trainer is not None
                 else "your network before training")
    ns = {"np": np, "X": X, "y": y, "W": np.array(W, float), "b": np.array(b, float).reshape(1, -1),
          "W2": np.array(W2, float), "b2": np.array(b2, float).reshape(1, -1),
          "step_size": lr, "num_examples": len(y)}
    return ns, it, where


def backward_line(report: Report, k: int, trainer=None) -> Optional[tuple[Arrays, int, str]]:
    """The full-size arrays of backward line ``k``: ``(arrays, iteration, where they come from)``."""
    from chainrule.explain.source import run, split_loop

    forward, backward = split_loop()
    if k >= len(backward) or backward[k].code != report.steps[k].code:
        return None
    step = report.steps[k]
    ns, iteration, where = namespace(trainer, int(report.network.get("seed", 0)))
    with np.errstate(all="ignore"):
        run(forward, ns)
        run(backward[:k], ns)
        reads = [v.name for v in step.values if v.name != step.writes]
        inputs = dict(_evaluate(list(dict.fromkeys(reads)), ns))
        context = {n: np.array(v, dtype=float) for n, v in ns.items()
                   if isinstance(v, (np.ndarray, int, float)) and not isinstance(v, bool)}
        run(backward[k:k + 1], ns)
    out = np.array(ns[step.writes], dtype=float)
    return Arrays(inputs, context.get(step.writes), out, context), iteration, where


def full_arrays(report: Report, stop: dict[str, Any], trainer=None) -> Optional[tuple[dict, list]]:
    """``(info, grids)`` for a stop of the built-in walkthrough; None if it has no arrays."""
    from chainrule.explain.source import run, split_loop

    if stop["kind"] == "forward":
        forward, _ = split_loop()
        ns, iteration, where = namespace(trainer, int(report.network.get("seed", 0)))
        with np.errstate(all="ignore"):
            run(forward, ns)
        found = _evaluate([v["name"] for v in stop["values"]], ns)
    else:
        line = backward_line(report, stop["index"], trainer)
        if line is None:
            return None
        arrays, iteration, where = line
        found = list(arrays.inputs.items()) + [(report.steps[stop["index"]].writes + AFTER, arrays.out)]
    info = {"stop": stop["id"], "iteration": iteration, "where": where,
            "arrays": [stats(name, a) for name, a in found if np.ndim(a) >= 1]}
    grids = [blocks(a).astype(np.float32) for _, a in found if np.ndim(a) >= 1]
    for entry, grid in zip(info["arrays"], grids):
        entry["grid"] = list(grid.shape)
        entry["written"] = entry["name"].endswith(AFTER)
    return info, grids


def _evaluate(exprs: list[str], ns: dict[str, Any]) -> list[tuple[str, np.ndarray]]:
    out = []
    for e in exprs:
        try:
            val = eval(e, ns)  # noqa: S307 - an expression of the learner's code, from the Report
        except Exception:
            continue
        if isinstance(val, np.ndarray) and val.dtype.kind in "biuf":
            out.append((e, val.astype(float)))
    return out
