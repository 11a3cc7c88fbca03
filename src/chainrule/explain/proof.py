"""The numerical proof: notebook code that rebuilds the tiny example and checks each line.

:func:`setup_code` writes a self-contained preamble (numpy + autograd only):
the tiny data and weights as literals, the learner's forward lines verbatim,
and the truth — L as a function of each quantity, differentiated by autograd
and by centered finite differences, both in float64.  :func:`check_code`
writes one cell per backward statement: the learner's line, verbatim, then a
comparison and an ``assert``.

:func:`run_proof` executes exactly that code (setup, then every cell in
order) and records the numbers, so the report and the notebook cannot
disagree.
"""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

import numpy as np

from chainrule.explain.content import StepSpec
from chainrule.explain.source import Statement
from chainrule.explain.tiny import EPS, MARGIN, Tiny, literal

TOL = 1e-7

_TRUTH_FUNCS = '''
# The truth, two independent ways. L as a function of each quantity (float64):
def loss_of_scores(S):
    m = anp.max(S, axis=1, keepdims=True)  # shifted log-sum-exp: no overflow
    log_sum_exp = m[:, 0] + anp.log(anp.sum(anp.exp(S - m), axis=1))
    return anp.mean(log_sum_exp - S[np.arange(num_examples), y])  # mean of -log P[i, y_i]

def loss_of_hidden(H):
    return loss_of_scores(anp.dot(H, W2_start) + b2_start)

def loss_of_preactivation(Z):
    return loss_of_hidden(anp.maximum(0, Z))

def loss_of_params(W, b, W2, b2):
    return loss_of_scores(anp.dot(anp.maximum(0, anp.dot(X, W) + b), W2) + b2)

TRUTH = {  # name: (L as a function of that quantity alone, its value on this pass)
    "scores": (loss_of_scores, scores.copy()),
    "hidden_layer": (loss_of_hidden, hidden_layer.copy()),
    "Z": (loss_of_preactivation, Z.copy()),
    "W": (lambda W_: loss_of_params(W_, b_start, W2_start, b2_start), W_start),
    "b": (lambda b_: loss_of_params(W_start, b_, W2_start, b2_start), b_start),
    "W2": (lambda W2_: loss_of_params(W_start, b_start, W2_, b2_start), W2_start),
    "b2": (lambda b2_: loss_of_params(W_start, b_start, W2_start, b2_), b2_start),
}

def numerical_gradient(f, x, eps=%(eps)r):
    """Centered finite differences, one entry at a time: (f(x+eps) - f(x-eps)) / 2eps."""
    x = x.astype(np.float64)  # a copy
    g = np.zeros_like(x)
    for ix in np.ndindex(*x.shape):
        old = x[ix]
        x[ix] = old + eps
        f_plus = f(x)
        x[ix] = old - eps
        f_minus = f(x)
        x[ix] = old
        g[ix] = (f_plus - f_minus) / (2 * eps)
    return g

def rel_error(a, b):
    """||a - b|| / (||a|| + ||b||): 0 when equal, about 1 when unrelated."""
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300))

def check(ours, name, keep=None):
    """Compare `ours` with dL/d(name) by autograd and by finite differences."""
    f, x = TRUTH[name]
    by_autograd = grad(f)(x.copy())
    by_fd = numerical_gradient(f, x)
    if keep is not None:  # leave out entries near z = 0 (ReLU has no derivative there)
        keep = np.broadcast_to(keep, np.shape(ours))
        ours, by_autograd, by_fd = ours[keep], by_autograd[keep], by_fd[keep]
    err_fd, err_ad = rel_error(ours, by_fd), rel_error(ours, by_autograd)
    print(f"dL/d{name}: relative error {err_fd:.1e} vs finite differences, "
          f"{err_ad:.1e} vs autograd")
    return err_fd, err_ad
'''


def keeps_for(tiny: Tiny) -> dict[str, str]:
    """Truth name -> ``keep=`` expression, only where entries near z = 0 must be left out."""
    if not tiny.at_kink.any():
        return {}
    return {"Z": "~at_kink", "b": "~at_kink.any(axis=0, keepdims=True)",
            "W": "~at_kink.any(axis=0, keepdims=True)"}


def kink_sentence(tiny: Tiny) -> str:
    """Plain words about entries left out of the proof (empty when none)."""
    if not tiny.at_kink.any():
        return ""
    rows, units = np.nonzero(tiny.at_kink)
    where = ", ".join(f"row {r}, unit {u}" for r, u in zip(rows, units))
    return (f"Some entries of Z are almost 0 ({where}). ReLU has no derivative at 0. "
            "So finite differences cannot confirm these entries, and the check leaves them out.")


def setup_code(tiny: Tiny, forward: list[Statement]) -> str:
    """The notebook preamble: tiny data and weights, your forward lines, the truth."""
    p = tiny.params
    head = [
        "# This notebook needs numpy and autograd (pip install numpy autograd).",
        f"# The tiny example: your network with N = {tiny.N} points, D = {tiny.D} inputs, "
        f"h = {tiny.h} hidden units, K = {tiny.K} classes.",
        f"# X, y: {tiny.info['data']}.",
        f"# W, W2: randn from the same stream (scale 1, not 0.01); b, b2: 0.1 * randn.",
        "import numpy as np",
        "import autograd.numpy as anp",
        "from autograd import grad",
        "",
        f"X = {literal(tiny.X)}",
        f"y = {literal(tiny.y)}",
    ]
    head += [f"{k} = {literal(p[k])}" for k in ("W", "b", "W2", "b2")]
    head += [
        "step_size = 1e-0",
        "num_examples = X.shape[0]",
        "W_start, b_start, W2_start, b2_start = W.copy(), b.copy(), W2.copy(), b2.copy()",
        "",
        "# your forward pass, line for line",
    ]
    head += [s.code for s in forward]
    head.append("Z = np.dot(X, W) + b  # the ReLU's input; your code never names it")
    text = "\n".join(head) + "\n" + _TRUTH_FUNCS % {"eps": EPS}
    if tiny.at_kink.any():
        text += ("\n# entries of Z near 0, where ReLU has no derivative\n"
                 f"at_kink = np.abs(Z) < {MARGIN!r}\n")
    return text


def check_code(spec: StepSpec, tiny: Tiny) -> str:
    """One notebook cell: the learner's line, then the comparison and the assert."""
    lines = [spec.code]
    if spec.truth is None:
        lines += ["assert dscores is probs  # the same array, not a copy (see the pitfalls)",
                  "assert np.allclose(dscores.sum(axis=1), 1.0)  # each row of P sums to 1"]
        return "\n".join(lines) + "\n"
    if spec.holds == "update":
        ours = f"({spec.truth}_start - {spec.truth}) / step_size"
        lines.append(f"# the step moved {spec.truth} by -step_size * dL/d{spec.truth}:")
    elif spec.factor == "N":
        ours = "dscores / num_examples"
        lines.append("# dscores is N times the gradient here:")
    else:
        ours = re.match(r"\w+", spec.code).group(0)  # the variable the line writes
    keep = keeps_for(tiny).get(spec.truth)
    args = f"{ours}, {spec.truth!r}" + (f", keep={keep}" if keep else "")
    lines += [f"err_fd, err_ad = check({args})",
              f"assert err_fd < {TOL:g} and err_ad < {TOL:g}"]
    return "\n".join(lines) + "\n"


@dataclass
class ProofResult:
    """What running the setup, the extra cells and the check cells produced."""

    namespace: dict[str, Any]
    errors: list[tuple[Optional[float], Optional[float]]]
    before: list[dict[str, np.ndarray]]
    after: list[dict[str, np.ndarray]]
    printed: list[str] = field(default_factory=list)
    extra_printed: list[str] = field(default_factory=list)
    extra_namespaces: list[dict[str, Any]] = field(default_factory=list)
    forward_namespace: dict[str, Any] = field(default_factory=dict)  # copies, before any backward line ran


def _value(ns: dict[str, Any], expr: str) -> np.ndarray:
    v = np.array(eval(expr, ns), copy=True)  # noqa: S307 - our own expressions
    return v.astype(np.int64) if v.dtype == bool else v


def run_proof(setup: str, specs: list[StepSpec], cells: list[str],
              extra: Sequence[str] = ()) -> ProofResult:
    """Execute ``setup``, the ``extra`` cells, then every check cell, in order in one namespace.

    This is the notebook's order (the textbook proofs come before the steps); a
    shallow copy of the namespace is kept after each extra cell.
    """
    ns: dict[str, Any] = {"__name__": "__chainrule_tiny__"}
    out = io.StringIO()
    errors, before, after, printed = [], [], [], []
    extra_printed, extra_ns = [], []
    with contextlib.redirect_stdout(out):
        exec(compile(setup, "<setup>", "exec"), ns)  # noqa: S102
        forward_ns = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in ns.items()}
        for k, cell in enumerate(extra):
            start = out.tell()
            exec(compile(cell, f"<textbook {k}>", "exec"), ns)  # noqa: S102
            extra_printed.append(out.getvalue()[start:])
            extra_ns.append(dict(ns))
        for spec, cell in zip(specs, cells):
            before.append({e: _value(ns, e) for e in spec.before})
            ns["err_fd"] = ns["err_ad"] = None
            start = out.tell()
            exec(compile(cell, f"<{spec.code}>", "exec"), ns)  # noqa: S102
            printed.append(out.getvalue()[start:])
            errors.append((ns["err_fd"], ns["err_ad"]))
            after.append({e: _value(ns, e) for e in spec.after})
    return ProofResult(ns, errors, before, after, printed, extra_printed, extra_ns, forward_ns)
