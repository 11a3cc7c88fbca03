"""The rows kernel: any depth, activation and loss, four rows at a time, compiled once.

Rows are processed ``R = 4`` at a time (a *tile*).  For each tile the forward
pass writes one ``(R, width)`` block per layer, the backward pass overwrites
those blocks with the gradients and adds the tile's contribution to the
gradient accumulators.  Nothing of size N x h is ever allocated: the working
memory is ``R * sum(widths)`` plus the parameters and their gradients, and a
whole chunk of iterations runs in one call, so a mini-batch of one row costs
microseconds (no Python between iterations).  This is the fast path for
narrow layers and small batches (:mod:`chainrule.fast.plan` decides).

Every array argument is flat, whatever the depth: the parameters are the
engine's one vector ``theta`` and the layer table ``lay`` says where each
layer's ``W`` and ``b`` sit, so numba compiles this kernel once per dtype
instead of once per depth.  Each weight matrix is kept twice, as ``W``
(fan_in, fan_out) in ``theta`` and as its transpose in ``thetaT``; a layer
picks the orientation whose rows are longer for each of its three products
(forward, ∂W, ∂input), so every inner loop runs over one contiguous row
and vectorises.

Arithmetic follows :mod:`chainrule.layers` and :mod:`chainrule.losses`
operation for operation (``Z = A·W`` then ``+ b``, softmax shifted by the row
max, ``(P − Y) / N``, masks ``Z > 0``); only the order in which sums over rows
and over hidden units are added differs, which moves results by a few ulps.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from chainrule.fast.common import (FASTMATH, act_backward_row, act_forward_row, loss_row,
                                    update)

R = 4  # rows per tile
# columns of the layer table ``lay`` (one row per layer)
N_IN, N_OUT, W_OFF, B_OFF, USE_T, BUF_OFF = range(6)


def layer_table(sizes: list[int], use_t) -> np.ndarray:
    """``lay`` (L, 6) int64: fan-in, fan-out, offsets of W and b in ``theta``, transposed ∂W?, buffer column.

    Layer ``l``'s row block is ``buf[R * col : R * (col + fan_out)]`` viewed as ``(R, fan_out)``.
    """
    rows, off, col = [], 0, 0
    for l, (a, c) in enumerate(zip(sizes[:-1], sizes[1:])):
        rows.append((a, c, off, off + a * c, int(use_t[l]), col))
        off += a * c + c
        col += c
    return np.array(rows, dtype=np.int64)


@njit(cache=True, fastmath=FASTMATH, inline="always")
def _axpy(y, a, x):
    for j in range(y.shape[0]):
        y[j] += a * x[j]


@njit(cache=True, fastmath=FASTMATH, inline="always")
def _axpy4(y, a0, x0, a1, x1, a2, x2, a3, x3):
    for j in range(y.shape[0]):
        y[j] += a0 * x0[j] + a1 * x1[j] + a2 * x2[j] + a3 * x3[j]


@njit(cache=True, fastmath=FASTMATH, inline="always")
def _dot(x, y):
    s = x[0] * 0.0
    for j in range(x.shape[0]):
        s += x[j] * y[j]
    return s


@njit(cache=True, inline="always")
def _W(theta, lay, l):
    """Layer ``l``'s ``(fan_in, fan_out)`` matrix inside a flat vector laid out like ``theta``."""
    a, c, o = lay[l, N_IN], lay[l, N_OUT], lay[l, W_OFF]
    return theta[o:o + a * c].reshape((a, c))


@njit(cache=True, inline="always")
def _WT(thetaT, lay, l):
    """Layer ``l``'s transposed ``(fan_out, fan_in)`` matrix (same offsets as ``theta``)."""
    a, c, o = lay[l, N_IN], lay[l, N_OUT], lay[l, W_OFF]
    return thetaT[o:o + a * c].reshape((c, a))


@njit(cache=True, inline="always")
def _blk(buf, lay, l):
    """Layer ``l``'s ``(R, fan_out)`` block of the row buffer."""
    c, n = lay[l, BUF_OFF], lay[l, N_OUT]
    return buf[R * c:R * (c + n)].reshape((R, n))


@njit(cache=True, inline="always")
def _b(theta, lay, l):
    return theta[lay[l, B_OFF]:lay[l, B_OFF] + lay[l, N_OUT]]


@njit(cache=True, fastmath=FASTMATH, inline="always")
def _layer_forward(a, W, WT, b, z, skip_zero):
    """``z = a @ W + b`` for one row ``a``."""
    n_in, n_out = W.shape
    if n_out >= n_in:  # axpy form: rows of W have length n_out
        z[:] = 0.0
        for d in range(n_in):
            ad = a[d]
            if skip_zero and ad == 0.0:
                continue  # a ReLU zeroed this input: its row of W adds nothing
            _axpy(z, ad, W[d])
    else:  # dot form: rows of WT have length n_in
        for j in range(n_out):
            z[j] = _dot(a, WT[j])
    for j in range(n_out):
        z[j] += b[j]


@njit(cache=True, fastmath=FASTMATH, inline="always")
def _grad_weights(A, dZ, nr, gW, gWT, use_t):
    """Add ``A[:nr].T @ dZ[:nr]`` to ``gW`` (or its transpose to ``gWT``)."""
    if not use_t:
        for d in range(gW.shape[0]):
            if nr == R:
                _axpy4(gW[d], A[0, d], dZ[0], A[1, d], dZ[1], A[2, d], dZ[2], A[3, d], dZ[3])
            else:
                for r in range(nr):
                    _axpy(gW[d], A[r, d], dZ[r])
    else:
        for j in range(gWT.shape[0]):
            if nr == R:
                _axpy4(gWT[j], dZ[0, j], A[0], dZ[1, j], A[1], dZ[2, j], A[2], dZ[3, j], A[3])
            else:
                for r in range(nr):
                    _axpy(gWT[j], dZ[r, j], A[r])


@njit(cache=True, fastmath=FASTMATH, inline="always")
def _input_grad(dz, W, WT, out):
    """``out = dz @ W.T`` for one row ``dz``."""
    n_in, n_out = W.shape
    if n_in >= n_out:
        out[:] = 0.0
        for j in range(n_out):
            _axpy(out, dz[j], WT[j])
    else:
        for d in range(n_in):
            out[d] = _dot(dz, W[d])


@njit(cache=True, fastmath=FASTMATH)
def tile_pass(X, y, rows, n_rows, lay, theta, thetaT, grad, gradT, buf, xbuf, dA, act, alpha,
              loss_kind, n_batch, out, backward):
    """Forward (+ backward if ``backward``) of ``X[rows[:n_rows]]``; adds to the gradients.

    ``out[0]`` accumulates the data-loss sum, ``out[1]`` the correct predictions.
    """
    L = lay.shape[0]
    for t0 in range(0, n_rows, R):
        nr = min(R, n_rows - t0)
        # ---- forward
        for r in range(nr):
            i = rows[t0 + r]
            for l in range(L):
                a = X[i] if l == 0 else _blk(buf, lay, l - 1)[r]
                z = _blk(buf, lay, l)[r]
                _layer_forward(a, _W(theta, lay, l), _WT(thetaT, lay, l), _b(theta, lay, l), z,
                               l > 0 and act == 0)
                if l < L - 1:
                    act_forward_row(z, act, alpha)
            lv, ok = loss_row(_blk(buf, lay, L - 1)[r], y[i], loss_kind, n_batch)
            out[0] += lv  # the scores became dL/ds
            out[1] += ok
        if not backward:
            continue
        # ---- backward
        for l in range(L - 1, -1, -1):
            dZ = _blk(buf, lay, l)
            if l == 0:
                A = xbuf
                for r in range(nr):
                    A[r] = X[rows[t0 + r]]
            else:
                A = _blk(buf, lay, l - 1)
            _grad_weights(A, dZ, nr, _W(grad, lay, l), _WT(gradT, lay, l), lay[l, USE_T] != 0)
            gb = _b(grad, lay, l)
            for r in range(nr):
                _axpy(gb, 1.0, dZ[r])
            if l > 0:
                W, WT = _W(theta, lay, l), _WT(thetaT, lay, l)
                dAl = dA[:lay[l, N_IN]]
                for r in range(nr):
                    _input_grad(dZ[r], W, WT, dAl)
                    act_backward_row(dAl, A[r], act, alpha)  # A[r] <- dA * act'(H)


@njit(cache=True, fastmath=FASTMATH)
def _finish(lay, theta, thetaT, grad, gradT, reg, with_l2):
    """Transposed ∂W back to ``W`` layout, ``+ reg * W``; returns the L2 penalty (if asked)."""
    tot = 0.0
    for l in range(lay.shape[0]):
        W, gW = _W(theta, lay, l), _W(grad, lay, l)
        if lay[l, USE_T]:
            gWT = _WT(gradT, lay, l)
            for d in range(gW.shape[0]):
                for j in range(gW.shape[1]):
                    gW[d, j] = gWT[j, d]
        if reg != 0.0:
            s = W[0, 0] * 0.0
            for d in range(W.shape[0]):
                for j in range(W.shape[1]):
                    s += W[d, j] * W[d, j]
                    gW[d, j] = gW[d, j] + reg * W[d, j]
            if with_l2:
                tot += 0.5 * reg * s
    return tot


@njit(cache=True)
def _refresh(lay, theta, thetaT):
    for l in range(lay.shape[0]):
        W, WT = _W(theta, lay, l), _WT(thetaT, lay, l)
        for d in range(W.shape[0]):
            for j in range(W.shape[1]):
                WT[j, d] = W[d, j]


@njit(cache=True)
def run_chunk(n_iters, t_start, X, y, all_rows, idx, lay, theta, thetaT, grad, gradT, m, v, buf,
              xbuf, dA, act, alpha, loss_kind, reg, opt, lr, mu, b1, b2, eps, losses, corrects):
    """``n_iters`` iterations of forward, backward, update; returns how many finished.

    Stops before the update of an iteration whose loss is NaN or infinite.
    ``idx`` has one row of example indices per iteration, or no columns for
    full-batch training.  ``losses`` / ``corrects`` get each iteration's loss
    (data + L2, before its update) and number of correct predictions.
    ``n_iters = 0`` only evaluates: one forward pass over ``all_rows``, its
    loss and correct count in ``losses[0]``, ``corrects[0]``.
    """
    out = np.zeros(2)
    if n_iters == 0:
        tile_pass(X, y, all_rows, all_rows.shape[0], lay, theta, thetaT, grad, gradT, buf, xbuf,
                  dA, act, alpha, loss_kind, float(all_rows.shape[0]), out, False)
        l2 = _finish(lay, theta, thetaT, grad, gradT, reg, True) if reg != 0.0 else 0.0
        losses[0] = out[0] / all_rows.shape[0] + l2
        corrects[0] = out[1]
        return 0
    for it in range(n_iters):
        rows = all_rows if idx.shape[1] == 0 else idx[it]
        nb = rows.shape[0]
        grad[:] = 0.0
        gradT[:] = 0.0
        out[0] = 0.0
        out[1] = 0.0
        tile_pass(X, y, rows, nb, lay, theta, thetaT, grad, gradT, buf, xbuf, dA, act, alpha,
                  loss_kind, float(nb), out, True)
        loss = out[0] / nb
        corrects[it] = out[1]
        grad_l2 = _finish(lay, theta, thetaT, grad, gradT, reg, True)
        losses[it] = loss + grad_l2
        if not math.isfinite(losses[it]):
            return it
        update(theta, grad, m, v, opt, lr, mu, b1, b2, eps, t_start + it + 1)
        _refresh(lay, theta, thetaT)
    return n_iters
