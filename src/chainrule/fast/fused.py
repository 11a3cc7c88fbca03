"""The mini-batch kernel for the learner's shape: D=2 -> h ReLU -> K=2.

A random mini-batch has no tile plan (its rows change every iteration), so
every hidden unit is treated as *mixed* for every row: the tiled kernel's
row functions (:func:`chainrule.fast.tiled._forward4`, ``_backward4``) run
over all ``h`` units, four rows at a time:

* forward: ``z = x·W + b``, ``h = max(0, z)`` and the two scores of each of
  the four rows in one sweep over the hidden units (the ``N x h`` hidden
  matrix never exists);
* the loss turns the four score pairs into ``∂L/∂s``;
* backward: for every hidden unit ``j`` the five accumulators
  ``∂W[0,j], ∂W[1,j], ∂b[j], ∂W2[j,0], ∂W2[j,1]`` are loaded once, updated by
  the four rows (units the ReLU switched off contribute exact zeros), and
  stored once.

A large batch's rows (batch x h >= :data:`PARALLEL_MIN_WORK`) are cut into
four fixed slices run in parallel, each with its own accumulators, added in
slice order: 1 and 2 threads give bit-identical results.  A small batch is
one slice run serially (a batch of one row would otherwise pay for zeroing
and adding four sets of accumulators and for waking threads).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from chainrule.fast.common import end_iteration, loss_row2, threaded_and_serial
from chainrule.fast.tiled import _backward4, _forward4
from chainrule.fast.tiles import covers  # noqa: F401  (the shape this kernel covers)


@njit(cache=True)
def tile_pass_fused(X, y, rows, n_rows, Q, A, b2, CB, gb2, xs, S, loss_kind, n_batch, out,
                    zero, one):
    """Forward + backward of ``X[rows[:n_rows]]`` for the D=2, K=2 ReLU network.

    ``Q`` (5, h) holds ``W[0], W[1], b, W2[:,0], W2[:,1]``; adds into ``CB``
    (5, h) their gradients and into ``gb2`` (2,); ``out[0]`` accumulates the
    data-loss sum, ``out[1]`` the correct predictions.  A last group of fewer
    than four rows is padded with zero rows whose ∂L/∂s is 0, so they add
    exact zeros.  ``A`` is all zeros (no unit is on for a whole group).
    """
    h = Q.shape[1]
    xs0, xs1 = xs[0], xs[1]
    for t0 in range(0, n_rows, 4):
        nr = min(4, n_rows - t0)
        for r in range(4):
            i = rows[t0 + r] if r < nr else -1
            xs0[r] = X[i, 0] if i >= 0 else zero
            xs1[r] = X[i, 1] if i >= 0 else zero
        _forward4(xs0, xs1, 0, Q, h, A, S, zero)
        for r in range(4):
            if r < nr:  # S[r] becomes ∂L/∂s of row r
                lv, ok = loss_row2(S[r, 0] + b2[0], S[r, 1] + b2[1], y[rows[t0 + r]], loss_kind,
                                   n_batch, S[r])
                out[0] += lv
                out[1] += ok
                gb2[0] += S[r, 0]
                gb2[1] += S[r, 1]
            else:
                S[r, 0] = zero
                S[r, 1] = zero
        _backward4(xs0, xs1, 0, S, Q, h, CB, zero, one)


def _run_chunk_fused(n_iters, t_start, X, y, all_rows, idx, Ws, WTs, bs, gWs, gWTs, gbs, use_t,
                     theta, grad, m, v, loss_kind, reg, opt, lr, mu, b1, b2, eps, losses, corrects,
                     Q, A, CB, Gb2, xs, S, outs, zero, one):
    """:func:`chainrule.fast.generic.run_chunk` for the learner's shape, rows split in parallel.

    The rows are cut into ``CB.shape[0]`` fixed slices; each slice has its own
    accumulators (``CB[c]``, ``Gb2[c]``, ``outs[c]``), added in slice order
    afterwards, so 1 and 2 threads give bit-identical results.  (The
    parallel loop lives in this top-level function: a cached function
    *calling* a cached parallel one crashed when loaded from disk.)  Compiled
    twice (:func:`chainrule.fast.common.threaded_and_serial`): with threads,
    and serially (``prange`` is then ``range``) for small batches where
    waking threads costs more than it saves.
    """
    C = CB.shape[0]
    out = np.zeros(2)
    W, W2T, bias, bias2 = Ws[0], WTs[1], bs[0], bs[1]
    gW, gW2T, gb, gb2 = gWs[0], gWTs[1], gbs[0], gbs[1]
    for it in range(n_iters):
        rows = all_rows if idx.shape[1] == 0 else idx[it]
        n_rows = rows.shape[0]
        n_batch = float(n_rows)
        per = ((n_rows + C - 1) // C + 3) // 4 * 4
        Q[0, :] = W[0]
        Q[1, :] = W[1]
        Q[2, :] = bias
        Q[3, :] = W2T[0]
        Q[4, :] = W2T[1]
        for c in prange(C):
            start = min(n_rows, c * per)
            stop = min(n_rows, start + per)
            CB[c][:, :] = zero
            Gb2[c][:] = zero
            outs[c][:] = 0.0
            if stop > start:
                tile_pass_fused(X, y, rows[start:stop], stop - start, Q, A, bias2, CB[c], Gb2[c],
                                xs[c], S[c], loss_kind, n_batch, outs[c], zero, one)
        grad[:] = zero
        gW2T[:, :] = zero
        out[:] = 0.0
        for c in range(C):
            gW[0] += CB[c][0]
            gW[1] += CB[c][1]
            gb += CB[c][2]
            gW2T[0] += CB[c][3]
            gW2T[1] += CB[c][4]
            gb2 += Gb2[c]
            out += outs[c]
        if not end_iteration(it, out[0], n_rows, out[1], losses, corrects, Ws, WTs, gWs, gWTs, use_t,
                             theta, grad, m, v, reg, opt, lr, mu, b1, b2, eps, t_start + it + 1):
            return it
    return n_iters


run_chunk_fused_parallel, run_chunk_fused_serial = threaded_and_serial(_run_chunk_fused, "run_chunk_fused")
PARALLEL_MIN_WORK = 400_000  # batch*h below this: one slice, serial (threads cost more than they save)
CHUNKS = 4  # fixed row split above it: results do not depend on the number of threads


def make_buffers(h: int, dtype, C: int = CHUNKS):
    """Q (5,h) parameters; A (6,) zeros; per slice: CB (C,5,h) ∂, ∂b2 (C,2), x (C,2,4), S (C,4,2), out (C,2)."""
    return (np.zeros((5, h), dtype), np.zeros(6, dtype), np.zeros((C, 5, h), dtype),
            np.zeros((C, 2), dtype), np.zeros((C, 2, 4), dtype), np.zeros((C, 4, 2), dtype),
            np.zeros((C, 2)))
