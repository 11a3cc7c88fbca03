"""Per-row pieces shared by the kernels: activations, losses, updates.

Each function mirrors one class of :mod:`chainrule.layers`, :mod:`chainrule.losses`
or :mod:`chainrule.optim`, written on a single row so the kernels can call it
inside their loops.  Activation codes: 0 relu, 1 leaky_relu, 2 tanh, 3 sigmoid.
Loss codes: 0 softmax cross-entropy, 1 hinge (margin 1).
"""

from __future__ import annotations

import math

from numba import njit

from chainrule.fast.codes import HINGE_DELTA  # noqa: F401  (a global of loss_row)

# Reassociation lets LLVM vectorise sums; no "nnan"/"ninf": NaN must survive
# so that divergence is detected, and no "arcp": x / N stays a true division.
FASTMATH = {"reassoc", "contract"}



@njit(cache=True, fastmath=FASTMATH)
def act_forward_row(z, act, alpha):
    """``z <- act(z)`` in place (ReLU keeps NaN, as ``np.maximum`` does)."""
    n = z.shape[0]
    if act == 0:
        for j in range(n):
            v = z[j]
            z[j] = 0.0 if v <= 0.0 else v
    elif act == 1:
        for j in range(n):
            v = z[j]
            z[j] = v if v > 0.0 else alpha * v
    elif act == 2:
        for j in range(n):
            z[j] = math.tanh(z[j])
    else:
        for j in range(n):
            v = z[j]
            e = math.exp(-abs(v))
            z[j] = 1.0 / (1.0 + e) if v >= 0.0 else e / (1.0 + e)


@njit(cache=True, fastmath=FASTMATH)
def act_backward_row(dh, h, act, alpha):
    """``h <- dh * act'(.)`` given the activation's output ``h`` (overwritten).

    ``h > 0`` is the same test as ``z > 0`` for ReLU and leaky ReLU.
    """
    n = h.shape[0]
    if act == 0:
        for j in range(n):
            h[j] = dh[j] * (1.0 if h[j] > 0.0 else 0.0)
    elif act == 1:
        for j in range(n):
            h[j] = dh[j] * (1.0 if h[j] > 0.0 else alpha)
    elif act == 2:
        for j in range(n):
            v = h[j]
            h[j] = dh[j] * (1.0 - v * v)
    else:
        for j in range(n):
            v = h[j]
            h[j] = dh[j] * v * (1.0 - v)


@njit(cache=True)
def loss_row(s, label, loss_kind, n_batch):
    """Row loss (not yet divided by N) and 1/0 correct; ``s <- ∂L/∂s`` in place."""
    K = s.shape[0]
    best = 0
    for k in range(1, K):
        if s[k] > s[best]:
            best = k
    ok = 1.0 if best == label else 0.0
    if loss_kind == 0:
        m = s[0]
        for k in range(1, K):
            if s[k] > m:
                m = s[k]
        tot = s[0] * 0.0
        for k in range(K):
            s[k] = math.exp(s[k] - m)
            tot += s[k]
        for k in range(K):
            s[k] = s[k] / tot
        lv = -math.log(s[label])
        s[label] -= 1.0
        for k in range(K):
            s[k] = s[k] / n_batch
        return lv, ok
    correct = s[label]
    lv = s[0] * 0.0
    viol = s[0] * 0.0
    for k in range(K):
        if k == label:
            continue
        mk = s[k] - correct + HINGE_DELTA
        mk = 0.0 if mk <= 0.0 else mk  # NaN survives, as in np.maximum
        lv += mk
        s[k] = 1.0 if mk > 0.0 else 0.0
        viol += s[k]
    s[label] = -viol
    for k in range(K):
        s[k] = s[k] / n_batch
    return lv, ok


@njit(cache=True)
def loss_row2(s0, s1, label, loss_kind, n_batch, d):
    """:func:`loss_row` for K=2 with the scores given as two numbers, softmax unrolled.

    Writes ``∂L/∂s`` into ``d[0], d[1]``; returns (row loss, 1/0 correct).
    """
    if loss_kind != 0:
        d[0] = s0
        d[1] = s1
        return loss_row(d, label, loss_kind, n_batch)
    ok = 1.0 if (1 if s1 > s0 else 0) == label else 0.0
    m = s1 if s1 > s0 else s0
    e0 = math.exp(s0 - m)
    e1 = math.exp(s1 - m)
    tot = e0 + e1
    p0 = e0 / tot
    p1 = e1 / tot
    if label == 0:
        lv = -math.log(p0)
        p0 -= 1.0
    else:
        lv = -math.log(p1)
        p1 -= 1.0
    d[0] = p0 / n_batch
    d[1] = p1 / n_batch
    return lv, ok


@njit(cache=True)
def update(theta, grad, m, v, opt, lr, mu, b1, b2, eps, t):
    """One optimizer step on the flat parameter vector, as :mod:`chainrule.optim`."""
    n = theta.shape[0]
    if opt == 0:
        for q in range(n):
            theta[q] += -lr * grad[q]
    elif opt == 1:
        for q in range(n):
            m[q] *= mu
            m[q] += -lr * grad[q]
            theta[q] += m[q]
    else:
        c1 = 1.0 - b1 ** t
        c2 = 1.0 - b2 ** t
        for q in range(n):
            g = grad[q]
            m[q] *= b1
            m[q] += (1.0 - b1) * g
            v[q] *= b2
            v[q] += (1.0 - b2) * g * g
            theta[q] += -lr * (m[q] / c1) / (math.sqrt(v[q] / c2) + eps)


@njit(cache=True)
def l2_loss(L, Ws, reg):
    """``sum(0.5 * reg * sum(W * W))`` over the first ``L`` weight matrices."""
    tot = 0.0
    for l in range(L):
        W = Ws[l]
        s = W[0, 0] * 0.0
        for d in range(W.shape[0]):
            for j in range(W.shape[1]):
                s += W[d, j] * W[d, j]
        tot += 0.5 * reg * s
    return tot


@njit(cache=True)
def finish_grads(L, Ws, WTs, gWs, gWTs, use_t, reg):
    """Bring the first ``L`` layers' transposed accumulators back to ``W`` layout and add ``reg * W``."""
    for l in range(L):
        gW = gWs[l]
        if use_t[l]:
            gWT = gWTs[l]
            for d in range(gW.shape[0]):
                for j in range(gW.shape[1]):
                    gW[d, j] = gWT[j, d]
        if reg != 0.0:
            W = Ws[l]
            for d in range(gW.shape[0]):
                for j in range(gW.shape[1]):
                    gW[d, j] = gW[d, j] + reg * W[d, j]


@njit(cache=True)
def refresh_transposes(L, Ws, WTs):
    for l in range(L):
        W, WT = Ws[l], WTs[l]
        for d in range(W.shape[0]):
            for j in range(W.shape[1]):
                WT[j, d] = W[d, j]


@njit(cache=True)
def end_iteration(it, data_loss_sum, n_rows, correct, losses, corrects, Ws, WTs, gWs, gWTs, use_t,
                  theta, grad, m, v, reg, opt, lr, mu, b1, b2, eps, t):
    """Record iteration ``it``'s loss (data + L2) and accuracy, then update the parameters.

    Returns False (and updates nothing) when the loss is NaN or infinite:
    the driver then raises :class:`chainrule.errors.DivergenceError`.
    """
    L = len(Ws)
    loss = data_loss_sum / n_rows + (l2_loss(L, Ws, reg) if reg != 0.0 else 0.0)
    losses[it] = loss
    corrects[it] = correct
    if not math.isfinite(loss):
        return False
    finish_grads(L, Ws, WTs, gWs, gWTs, use_t, reg)
    update(theta, grad, m, v, opt, lr, mu, b1, b2, eps, t)
    refresh_transposes(L, Ws, WTs)
    return True


def threaded_and_serial(fn, name: str):
    """``fn`` compiled twice, threaded and serial, each under its own name.

    With ``cache=True`` numba would give both compilations of one Python
    function the same disk-cache entry, so each gets a renamed copy
    (``<name>_parallel``, ``<name>_serial``).  Returns ``(parallel, serial)``.
    """
    import types

    out = []
    for parallel in (True, False):
        full = f"{name}_{'parallel' if parallel else 'serial'}"
        code = fn.__code__.replace(co_name=full, co_qualname=full)
        copy = types.FunctionType(code, fn.__globals__, full)
        copy.__qualname__ = full
        copy.__doc__ = fn.__doc__
        out.append(njit(cache=True, parallel=parallel)(copy))
    return tuple(out)

