"""Which loss the backward pass differentiates: the one the script computes, or one inferred.

When the iteration computes its loss (a single number built from the parameters), the oracle
differentiates that.  When it does not — iamtrask's 11-line network, Kaggle's MNIST from
scratch, a loss printed only every 100 iterations, a loss built with ``math.log`` or turned
into a Python float, a loss only in a helper the loop never calls — the network's **output**
and **targets** are found where the backward pass starts (the first operation that combines a
value computed from the parameters with data that is not: ``y - l2``, ``A2 - Y``,
``probs[range(N), y] -= 1``) and the standard losses are tried: softmax cross-entropy (from
scores or from probabilities), binary cross-entropy, squared error (with or without ½, summed
or averaged) and the multiclass hinge.  The one whose gradient the script's gradients are
(up to one common sign: ``error = y - out`` with ``W += ...`` is descent) is named:
"your backward pass is the gradient of L = ½ Σ (y − l2)²; the script never computes L".
When none fits, the lines are checked for their mutual consistency only: against the
gradient of ⟨seed, output⟩, where the seed is the array the backward pass starts from.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from chainrule.check.graph import Graph
from chainrule.check.oracle.fits import LossInfo, _score, _script_grads, _unit_fits
from chainrule.check.oracle.inferred import infer
from chainrule.check.oracle.seeds import seeds
from chainrule.check.oracle.truth import Truth, compute

__all__ = ["LossInfo", "oracle", "seeds"]


def oracle(g: Graph) -> tuple[LossInfo, Optional[Truth]]:
    params = [p.leaf for p in g.params]
    if not params:
        return LossInfo(), None
    if g.loss is not None:
        order = [g.by_id[i] for i in sorted(g.forward)]
        truth = compute(order, g.loss, params, g.is_input)
        info = _computed(g)
        grads = _script_grads(g)
        if grads and _unit_fits(g, truth, grads) == 0 and _score(truth, grads)[0] == 0:
            # a number the script prints (an accuracy, a mean absolute error) but does not differentiate?
            other, t2 = infer(g)
            if t2 is not None and other.kind not in ("none", "consistency") and (
                    _unit_fits(g, t2, grads) > 0 or other.seed_ok) and not _same_function(g, truth, t2):
                other.notes.insert(0, f"the script computes `{info.name}` ({_place(g, info)}), but its backward "
                                      f"pass does not differentiate it")
                return other, t2
        return info, truth
    return infer(g)


def _same_function(g: Graph, t1: Truth, t2: Truth) -> bool:
    """Two losses whose gradients agree up to one positive factor (the script's own loss, re-inferred as a sum)."""
    pairs = [(t1.g0.get(p.leaf.id), t2.g0.get(p.leaf.id)) for p in g.params]
    if not pairs or any(a is None or b is None or np.shape(a) != np.shape(b) for a, b in pairs):
        return False
    a = np.concatenate([np.ravel(np.asarray(x, dtype=float)) for x, _ in pairs])
    b = np.concatenate([np.ravel(np.asarray(y, dtype=float)) for _, y in pairs])
    bb = float(np.dot(b, b))
    c = float(np.dot(a, b)) / bb if bb > 0 else 0.0
    return c > 0 and float(np.linalg.norm(a - c * b)) <= 1e-6 * max(float(np.linalg.norm(a)), 1e-300)


def _place(g: Graph, info: LossInfo) -> str:
    if info.file == g.run.files.main.path:
        return f"line {info.line}"
    return f"{info.file}, line {info.line}"


def _computed(g: Graph) -> LossInfo:
    info = LossInfo(g.loss)
    names = [(b, t) for b in g.run.tracer.bindings for t, n in b.targets if n is g.loss]
    if names:
        b, t = names[-1]
        info.name, info.file, info.line = t, b.file, b.line
    elif g.loss.site is not None:
        info.name, info.file = g.label(g.loss), g.loss.site.file
        st = g.run.files.info(g.loss.site.file).statement(g.loss.site.line)
        info.line = st.lineno if st is not None else g.loss.site.line
    return info
