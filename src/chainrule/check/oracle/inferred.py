"""The loss a script does not compute, inferred from where its backward pass starts.

See :mod:`chainrule.check.oracle.losses` for when this runs: the output and targets are found at the
first operation that combines a value computed from the parameters with data, the standard losses
(softmax cross-entropy, binary cross-entropy, squared error, hinge) are tried, and the one whose gradient
the script's gradients are is named; when none fits, the lines are checked for their mutual consistency.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from chainrule.check.graph import Graph
from chainrule.check.oracle.families import FAMILIES, _form, formula
from chainrule.check.oracle.fits import LossInfo, _factors, _score, _script_grads
from chainrule.check.oracle.seeds import _examples, _onehot, seeds
from chainrule.check.oracle.truth import Truth, compute
from chainrule.check.record.state import Node
from chainrule.check.verdict.match import fit


def _divides_by(g: Graph, n: int) -> bool:
    """Does some backward line divide by the number of examples (a mean)?"""
    for m in g.nodes:
        if m.id not in g.needed or m.op not in ("divide", "multiply"):
            continue
        for x in m.args[1:] if m.op == "divide" else m.args:
            v = x if isinstance(x, (int, float)) else (float(np.asarray(x.value).ravel()[0])
                                                       if isinstance(x, Node) and np.size(x.value) == 1 else None)
            if v is not None and (m.op == "divide" and abs(v - n) < 1e-9 * n or
                                  m.op == "multiply" and abs(v * n - 1) < 1e-9):
                return True
    return False


def infer(g: Graph) -> tuple[LossInfo, Optional[Truth]]:
    found = seeds(g)
    if not found:
        info = LossInfo(inferred=True, kind="none")
        info.notes.append("the iteration computes no loss, and chainrule could not find where the backward pass "
                          "starts (the output minus the targets); only the updates are checked")
        return info, None
    axis = 1 if g.layout == "rows" else 0
    outs = [o for o, _, _ in found]
    order = [g.by_id[i] for i in sorted(g.ancestors(outs)) if i in g.by_id]
    targets = [_onehot(o.value, t.value, axis) for o, t, _ in found]
    params = [p.leaf for p in g.params]
    grads = _script_grads(g)
    best = None
    O0 = np.asarray(outs[0].value, dtype=float)
    for fam in FAMILIES:
        if not all(fam.applies(np.asarray(o.value, float), Y) for o, Y in zip(outs, targets)):
            continue

        def loss_fn(env, xp, fam=fam):
            return sum(fam.fn(env[o.id], Y, axis, xp) for o, Y in zip(outs, targets))
        try:
            with np.errstate(all="ignore"):
                truth = compute(order, loss_fn, params, g.is_input, fd=False)
        except Exception:
            continue
        n_fit, c = _score(truth, grads)
        seed_ok = _seed_fits(found, truth, g)
        if best is None or (n_fit, seed_ok) > (best[0], best[5]):
            best = (n_fit, c, fam, truth, loss_fn, seed_ok)
        if grads and n_fit == len(grads):
            break
    if best is None or (best[0] == 0 and not best[5]):
        return _consistency(g, found, order, params, axis)
    n_fit, c, fam, truth, loss_fn, seed_ok = best
    if c is None:  # no parameter fits (a mistake on every path): the seed says which loss, with its sign
        c = _seed_factor(found, truth) or 1.0
    N = _examples(np.asarray(outs[0].value, dtype=float), axis)
    fs = [f for f in _factors(truth, grads) if f is not None]
    if N > 1 and any(abs(abs(f) * N - abs(c)) < 1e-6 * abs(c) for f in fs) and _divides_by(g, N):
        c = c / N  # the lines disagree between a sum and a mean; the script divides by N: a mean
    reg = None
    if n_fit < len(grads) and c:
        reg = _l2(g, truth, grads, c)
        if reg is not None:
            lam, pids = reg

            def loss_fn(env, xp, base=loss_fn, lam=lam, pids=pids, c=c):
                return base(env, xp) + sum(lam / (2 * c) * xp.sum(env[i] ** 2) for i in pids)
            with np.errstate(all="ignore"):
                t2 = compute(order, loss_fn, params, g.is_input, fd=False)
            n2, c2 = _score(t2, grads)
            if n2 > n_fit:
                n_fit, c, truth = n2, c2, t2
            else:
                reg = None
    N = _examples(O0, axis) * (len(outs) if np.ndim(O0) < 2 or O0.shape[1 - axis] == 1 else 1)
    label, scale = _form(fam, abs(c) if c else 1.0, N)
    info = LossInfo(inferred=True, kind=fam.kind, output=outs, target=[t for _, t, _ in found], seed_ok=seed_ok)
    info.sign = -1 if c is not None and c < 0 else 1
    info.formula = formula(g, fam.kind, label, outs[0], found[0][1], len(outs))
    if reg is not None:
        names = [p.name for p in g.params if p.leaf.id in reg[1]]
        info.formula += f" + ½·{reg[0] / abs(c) * (scale if scale else 1):g}·Σ ({' + '.join(n + '²' for n in names)})"
    # scale the oracle's gradients to the chosen form, so that exact lines have factor 1
    for d in (truth.g0, truth.g1) if truth.g1 is not truth.g0 else (truth.g0,):
        for k in list(d):
            d[k] = np.asarray(d[k]) * scale
    truth.loss *= scale
    truth.scale = scale
    info.notes.append(f"your backward pass is the gradient of {info.formula}; the script never computes "
                      f"this loss in the analysed iteration")
    if n_fit < len(grads):
        info.notes.append(f"(inferred from {n_fit} of the {len(grads)} parameters' gradients; the others "
                          f"differ — see below)")
    return info, truth


def _l2(g: Graph, truth: Truth, grads, c: float):
    """(λ, parameter ids) when the gradients that do not fit are c·∂L/∂P + λ·P for one λ (L2 regularisation)."""
    lams, pids = [], []
    for pid, G in grads:
        T = truth.g0.get(pid)
        P = next((p.leaf.value for p in g.params if p.leaf.id == pid), None)
        if T is None or P is None or np.size(G) != np.size(T):
            return None
        R = np.asarray(G, float).reshape(np.shape(T)) - c * np.asarray(T, float)
        if np.linalg.norm(R) <= 1e-6 * max(np.linalg.norm(G), 1e-300):
            continue
        P = np.asarray(P, float)
        pp = float(np.sum(P * P))
        if pp == 0:
            return None
        lam = float(np.sum(R * P)) / pp
        if np.linalg.norm(R - lam * P) > 1e-6 * np.linalg.norm(R) or lam <= 0:
            return None
        lams.append(lam)
        pids.append(pid)
    if not lams or max(lams) - min(lams) > 1e-6 * max(lams):
        return None
    return lams[0], pids


def _seed_fits(found, truth: Truth, g: Graph = None) -> int:
    """How well the seed says this is the loss: 2, 1 or 0.

    ``l2_error = y - l2`` followed by ``* l2 * (1 - l2)`` is ∂L/∂(output) of squared error; ``dz = a - Y``
    used as it is, is ∂L/∂z of a sigmoid with binary cross-entropy.
    """
    direct = _seed_factor(found, truth, direct=True) is not None
    pre = not direct and _seed_factor(found, truth) is not None
    if not direct and not pre:
        return 0
    follows = g is not None and _derivative_follows(g, found[0][2])
    return 2 if direct == follows else 1


def _derivative_follows(g: Graph, seed: Node) -> bool:
    """Is the seed multiplied, entry by entry, by a factor computed from the forward values?"""
    for c in g.consumers.get(seed.id, []):
        if c.op == "multiply" and len(c.args) == 2:
            other = c.args[1] if c.args[0] is seed else c.args[0]
            if isinstance(other, Node) and np.shape(other.value) == np.shape(seed.value):
                return True
    return False


def _seed_factor(found, truth: Truth, direct: bool = False):
    """``l2_error = y - l2``: the array the backward pass starts from is ± ∂L/∂(output) of this loss?"""
    factors = []
    for o, t, s in found:
        if s.op in ("getitem", "setitem") or s.value is None or np.shape(s.value) != np.shape(o.value):
            return None
        best = None
        for q in [o] + ([] if direct else _pre_activation(o)):  # dz = a - Y is ∂L/∂z of sigmoid + BCE
            G = truth.g0.get(q.id)
            if G is None or np.shape(G) != np.shape(s.value):
                continue
            r = fit(np.asarray(s.value, float), np.asarray(G, float), np.asarray(truth.g1.get(q.id, G), float))
            if r is not None and r[1] <= 1e-6:
                best = r[0]
                break
        if best is None:
            return None
        factors.append(best)
    return factors[0] if factors and max(factors) - min(factors) <= 1e-6 * abs(factors[0]) else None


def _pre_activation(o: Node) -> list:
    from chainrule.check.verdict.acts import classify

    c = classify(o)
    if c is None and o.op == "divide":  # softmax: E / sum(E)
        e = o.args[0] if isinstance(o.args[0], Node) else None
        if e is not None and e.op == "exp" and isinstance(e.args[0], Node):
            z = e.args[0]
            return [z.args[0] if z.op == "subtract" and isinstance(z.args[0], Node) else z]
    return [c[1]] if c is not None else []


def _consistency(g: Graph, found, order, params, axis) -> tuple[LossInfo, Optional[Truth]]:
    """No standard loss fits: check the lines against ⟨seed, output⟩ (their mutual consistency)."""
    outs = [o for o, _, _ in found]
    seeds_ = []
    for o, t, s in found:
        v = s.value if s.op != "getitem" else None
        if v is None or np.shape(v) != np.shape(o.value):
            v = None
        seeds_.append(np.asarray(v, dtype=float) if v is not None else None)
    if any(v is None for v in seeds_):
        info = LossInfo(inferred=True, kind="none")
        info.notes.append("the iteration computes no loss and no standard loss fits the backward pass; only the "
                          "updates are checked")
        return info, None

    def loss_fn(env, xp):
        return sum(xp.sum(env[o.id] * S) for o, S in zip(outs, seeds_))
    truth = compute(order, loss_fn, params, g.is_input, fd=False)
    info = LossInfo(inferred=True, kind="consistency", output=outs)
    seed_name = g.label(found[0][2])
    info.formula = f"L = ⟨{seed_name}, {g.label(outs[0])}⟩ (the gradient your backward pass starts from)"
    info.notes.append(f"no standard loss (cross-entropy, squared error, hinge) has this backward pass as its "
                      f"gradient; chainrule checks only that the lines are consistent with each other, starting "
                      f"from `{seed_name}` as ∂L/∂{g.label(outs[0])}")
    return info, truth
