"""The rows kernel: any depth, activation and loss, four rows at a time, compiled once.

Rows are processed ``R = 4`` at a time (a *tile*).  For each tile the forward
pass writes one ``(R, width)`` block per layer, the backward pass overwrites
those blocks with the gradients and adds the tile's contribution to the
gradient accumulators.  Nothing of size N x h is ever allocated: the working
memory is ``R * sum(widths)`` plus the parameters and their gradients, and a
whole chunk of iterations runs in one call, so a mini-batch of one row costs
microseconds (no Python between iterations).  This is the fast path for
narrow layers and small batches (:mod:`chainrule.fast.plan` decides).

The per-layer arrays arrive as tuples of :data:`MAX_LAYERS` entries
whatever the depth (the unused ones are 1 x 1 placeholders, ``L`` says how
many count), so numba compiles this kernel once per dtype instead of once
per depth: the ahead-of-time module (:mod:`chainrule.fast.aot`) covers every
network up to that depth.  Each weight matrix is kept twice, as ``W``
(fan_in, fan_out) and as its transpose ``WT`` (views of the engine's flat
vectors); a layer picks the orientation whose rows are longer for each of
its three products (forward, ∂W, ∂input), so every inner loop runs over one
contiguous row and vectorises.

Arithmetic follows :mod:`chainrule.layers` and :mod:`chainrule.losses`
operation for operation (``Z = A·W`` then ``+ b``, softmax shifted by the row
max, ``(P − Y) / N``, masks ``Z > 0``); only the order in which sums over rows
and over hidden units are added differs, which moves results by a few ulps.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from chainrule.fast.codes import MAX_LAYERS, ROWS_PER_TILE
from chainrule.fast.common import (FASTMATH, act_backward_row, act_forward_row, finish_grads,
                                    l2_loss, loss_row, refresh_transposes, update)

R = ROWS_PER_TILE  # rows per tile


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
        n_in = gW.shape[0]
        for d in range(n_in):
            if nr == R:
                _axpy4(gW[d], A[0, d], dZ[0], A[1, d], dZ[1], A[2, d], dZ[2], A[3, d], dZ[3])
            else:
                for r in range(nr):
                    _axpy(gW[d], A[r, d], dZ[r])
    else:
        n_out = gWT.shape[0]
        for j in range(n_out):
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
def tile_pass(X, y, rows, n_rows, L, Ws, WTs, bs, gWs, gWTs, gbs, use_t, bufs, xbuf, dAs,
              act, alpha, loss_kind, n_batch, out, backward):
    """Forward (+ backward if ``backward``) of ``X[rows[:n_rows]]``; adds to the gradients.

    ``out[0]`` accumulates the data-loss sum, ``out[1]`` the correct predictions.
    """
    for t0 in range(0, n_rows, R):
        nr = min(R, n_rows - t0)
        # ---- forward
        for r in range(nr):
            i = rows[t0 + r]
            for l in range(L):
                a = X[i] if l == 0 else bufs[l - 1][r]
                z = bufs[l][r]
                _layer_forward(a, Ws[l], WTs[l], bs[l], z, l > 0 and act == 0)
                if l < L - 1:
                    act_forward_row(z, act, alpha)
            s = bufs[L - 1][r]
            lv, ok = loss_row(s, y[i], loss_kind, n_batch)  # s becomes dL/ds
            out[0] += lv
            out[1] += ok
        if not backward:
            continue
        # ---- backward
        for l in range(L - 1, -1, -1):
            dZ = bufs[l]
            if l == 0:
                A = xbuf
                for r in range(nr):
                    A[r] = X[rows[t0 + r]]
            else:
                A = bufs[l - 1]
            _grad_weights(A, dZ, nr, gWs[l], gWTs[l], use_t[l])
            gb = gbs[l]
            for r in range(nr):
                _axpy(gb, 1.0, dZ[r])
            if l > 0:
                dA = dAs[l - 1]
                for r in range(nr):
                    _input_grad(dZ[r], Ws[l], WTs[l], dA)
                    act_backward_row(dA, A[r], act, alpha)  # A[r] <- dA * act'(H)


@njit(cache=True)
def run_chunk(n_iters, t_start, X, y, all_rows, idx, L, Ws, WTs, bs, gWs, gWTs, gbs, use_t, bufs,
              xbuf, dAs, theta, grad, m, v, act, alpha, loss_kind, reg, opt, lr, mu, b1, b2, eps,
              losses, corrects):
    """``n_iters`` iterations of forward, backward, update; returns how many finished.

    Stops before the update of an iteration whose loss is NaN or infinite.
    ``idx`` has one row of example indices per iteration, or no columns for
    full-batch training.  ``losses`` / ``corrects`` get each iteration's loss
    (data + L2, before its update) and number of correct predictions.
    ``n_iters = 0`` only evaluates: one forward pass over ``all_rows``, its
    loss and correct count in ``losses[0]``, ``corrects[0]``.  The gradient
    vector ``grad`` is one flat vector: ``gWs``, ``gbs`` (and ``gWTs``) are views of it.
    """
    out = np.zeros(2)
    if n_iters == 0:
        n = all_rows.shape[0]
        tile_pass(X, y, all_rows, n, L, Ws, WTs, bs, gWs, gWTs, gbs, use_t, bufs, xbuf, dAs,
                  act, alpha, loss_kind, float(n), out, False)
        losses[0] = out[0] / n + (l2_loss(L, Ws, reg) if reg != 0.0 else 0.0)
        corrects[0] = out[1]
        return 0
    for it in range(n_iters):
        rows = all_rows if idx.shape[1] == 0 else idx[it]
        nb = rows.shape[0]
        grad[:] = 0.0
        for l in range(L):
            if use_t[l]:
                gWTs[l][:, :] = 0.0
        out[0] = 0.0
        out[1] = 0.0
        tile_pass(X, y, rows, nb, L, Ws, WTs, bs, gWs, gWTs, gbs, use_t, bufs, xbuf, dAs,
                  act, alpha, loss_kind, float(nb), out, True)
        corrects[it] = out[1]
        losses[it] = out[0] / nb + (l2_loss(L, Ws, reg) if reg != 0.0 else 0.0)
        if not math.isfinite(losses[it]):
            return it
        finish_grads(L, Ws, WTs, gWs, gWTs, use_t, reg)
        update(theta, grad, m, v, opt, lr, mu, b1, b2, eps, t_start + it + 1)
        refresh_transposes(L, Ws, WTs)
    return n_iters
