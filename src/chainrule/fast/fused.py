"""The fused kernel for the learner's shape: D=2 -> h ReLU -> K=2.

Four rows at a time, one sweep over the hidden units forward and one back:

* forward: ``z = x·W + b``, ``h = max(0, z)`` and the two scores of each of
  the four rows are computed in the same loop; only ``h`` is written, into a
  ``(4, h)`` buffer (the full ``N x h`` hidden matrix never exists);
* the loss turns the four score pairs into ``∂L/∂s``;
* backward: for every hidden unit ``j`` the five accumulators
  ``∂W[0,j], ∂W[1,j], ∂b[j], ∂W2[j,0], ∂W2[j,1]`` are loaded once, updated by
  the four rows (units the ReLU switched off contribute exact zeros), and
  stored once.

Accumulation is in the working dtype, in a fixed order (rows in file order,
four at a time), independent of the number of threads.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from chainrule.fast.common import FASTMATH, end_iteration, loss_row


@njit(cache=True, fastmath=FASTMATH)
def _forward4(x, W0, W1, b, V0, V1, H, s, zero):
    """Rows ``x[0..3]``: ``H[r] = relu(x[r]·W + b)``, ``s[r, k] = H[r]·V_k`` (no ``b2`` yet)."""
    H0, H1, H2, H3 = H[0], H[1], H[2], H[3]
    x00, x01, x10, x11 = x[0, 0], x[0, 1], x[1, 0], x[1, 1]
    x20, x21, x30, x31 = x[2, 0], x[2, 1], x[3, 0], x[3, 1]
    s00 = s01 = s10 = s11 = s20 = s21 = s30 = s31 = zero
    for j in range(W0.shape[0]):
        w0 = W0[j]
        w1 = W1[j]
        bj = b[j]
        v0 = V0[j]
        v1 = V1[j]
        z = (x00 * w0 + x01 * w1) + bj
        h = zero if z <= zero else z
        H0[j] = h
        s00 += h * v0
        s01 += h * v1
        z = (x10 * w0 + x11 * w1) + bj
        h = zero if z <= zero else z
        H1[j] = h
        s10 += h * v0
        s11 += h * v1
        z = (x20 * w0 + x21 * w1) + bj
        h = zero if z <= zero else z
        H2[j] = h
        s20 += h * v0
        s21 += h * v1
        z = (x30 * w0 + x31 * w1) + bj
        h = zero if z <= zero else z
        H3[j] = h
        s30 += h * v0
        s31 += h * v1
    s[0, 0], s[0, 1], s[1, 0], s[1, 1] = s00, s01, s10, s11
    s[2, 0], s[2, 1], s[3, 0], s[3, 1] = s20, s21, s30, s31


@njit(cache=True, fastmath=FASTMATH)
def _backward4(x, d, H, V0, V1, G0, G1, Gb, GV0, GV1, zero, one):
    """Add the four rows' gradients; ``d[r]`` is ∂L/∂s of row r."""
    H0, H1, H2, H3 = H[0], H[1], H[2], H[3]
    x00, x01, x10, x11 = x[0, 0], x[0, 1], x[1, 0], x[1, 1]
    x20, x21, x30, x31 = x[2, 0], x[2, 1], x[3, 0], x[3, 1]
    d00, d01, d10, d11 = d[0, 0], d[0, 1], d[1, 0], d[1, 1]
    d20, d21, d30, d31 = d[2, 0], d[2, 1], d[3, 0], d[3, 1]
    for j in range(V0.shape[0]):
        v0 = V0[j]
        v1 = V1[j]
        a0 = G0[j]
        a1 = G1[j]
        ab = Gb[j]
        c0 = GV0[j]
        c1 = GV1[j]
        h = H0[j]
        c0 += h * d00
        c1 += h * d01
        dz = (d00 * v0 + d01 * v1) * (one if h > zero else zero)
        a0 += x00 * dz
        a1 += x01 * dz
        ab += dz
        h = H1[j]
        c0 += h * d10
        c1 += h * d11
        dz = (d10 * v0 + d11 * v1) * (one if h > zero else zero)
        a0 += x10 * dz
        a1 += x11 * dz
        ab += dz
        h = H2[j]
        c0 += h * d20
        c1 += h * d21
        dz = (d20 * v0 + d21 * v1) * (one if h > zero else zero)
        a0 += x20 * dz
        a1 += x21 * dz
        ab += dz
        h = H3[j]
        c0 += h * d30
        c1 += h * d31
        dz = (d30 * v0 + d31 * v1) * (one if h > zero else zero)
        a0 += x30 * dz
        a1 += x31 * dz
        ab += dz
        G0[j] = a0
        G1[j] = a1
        Gb[j] = ab
        GV0[j] = c0
        GV1[j] = c1


@njit(cache=True)
def tile_pass_fused(X, y, rows, n_rows, W, W2T, b, b2, gW, gW2T, gb, gb2, H, xbuf, dbuf,
                    loss_kind, n_batch, out, zero, one):
    """Forward + backward of ``X[rows[:n_rows]]`` for the D=2, K=2 ReLU network.

    Adds to ``gW`` (2, h), ``gW2T`` (2, h), ``gb`` (h,), ``gb2`` (2,); ``out[0]``
    accumulates the data-loss sum, ``out[1]`` the correct predictions.  A last
    tile with fewer than four rows is padded with zero rows whose ∂L/∂s is 0,
    so they add exact zeros.
    """
    W0, W1, V0, V1 = W[0], W[1], W2T[0], W2T[1]
    for t0 in range(0, n_rows, 4):
        nr = min(4, n_rows - t0)
        for r in range(4):
            if r < nr:
                i = rows[t0 + r]
                xbuf[r, 0] = X[i, 0]
                xbuf[r, 1] = X[i, 1]
            else:
                xbuf[r, 0] = 0
                xbuf[r, 1] = 0
        _forward4(xbuf, W0, W1, b, V0, V1, H, dbuf, zero)
        for r in range(4):
            if r < nr:
                s0 = dbuf[r, 0] + b2[0]
                s1 = dbuf[r, 1] + b2[1]
                label = y[rows[t0 + r]]
                if loss_kind == 0:  # softmax, as common.loss_row, unrolled for K=2
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
                    dbuf[r, 0] = p0 / n_batch
                    dbuf[r, 1] = p1 / n_batch
                else:
                    dbuf[r, 0] = s0
                    dbuf[r, 1] = s1
                    lv, ok = loss_row(dbuf[r], label, loss_kind, n_batch)
                out[0] += lv
                out[1] += ok
                gb2[0] += dbuf[r, 0]
                gb2[1] += dbuf[r, 1]
            else:
                dbuf[r, 0] = 0
                dbuf[r, 1] = 0
        _backward4(xbuf, dbuf, H, V0, V1, gW[0], gW[1], gb, gW2T[0], gW2T[1], zero, one)


CHUNKS = 4  # fixed row split: results do not depend on the number of threads


def _run_chunk_fused(n_iters, t_start, X, y, all_rows, idx, Ws, WTs, bs, gWs, gWTs, gbs, use_t,
                    theta, grad, m, v, loss_kind, reg, opt, lr, mu, b1, b2, eps, losses, corrects,
                    Hs, xbufs, dbufs, GW, GV, Gb, Gb2, outs, zero, one):
    """:func:`chainrule.fast.generic.run_chunk` for the learner's shape, rows split in parallel.

    The rows are cut into ``CHUNKS`` fixed slices; each slice has its own
    accumulators (``GW[c]``, ``GV[c]``, ``Gb[c]``, ``Gb2[c]``, ``outs[c]``),
    added in slice order afterwards, so 1 and 2 threads give bit-identical
    results.  (The parallel loop lives in this top-level function: a cached
    function *calling* a cached parallel one crashed when loaded from disk.)
    Compiled twice, see :func:`_compile`: with threads, and serially (``prange``
    is then ``range``) for small problems where thread start-up costs more
    than it saves.
    """
    C = GW.shape[0]
    out = np.zeros(2)
    W, W2T, bias, bias2 = Ws[0], WTs[1], bs[0], bs[1]
    gW, gW2T, gb, gb2 = gWs[0], gWTs[1], gbs[0], gbs[1]
    for it in range(n_iters):
        rows = all_rows if idx.shape[1] == 0 else idx[it]
        n_rows = rows.shape[0]
        n_batch = float(n_rows)
        per = ((n_rows + C - 1) // C + 3) // 4 * 4
        for c in prange(C):
            start = min(n_rows, c * per)
            stop = min(n_rows, start + per)
            GW[c][:, :] = zero
            GV[c][:, :] = zero
            Gb[c][:] = zero
            Gb2[c][:] = zero
            outs[c][:] = 0.0
            if stop > start:
                tile_pass_fused(X, y, rows[start:stop], stop - start, W, W2T, bias, bias2, GW[c],
                                GV[c], Gb[c], Gb2[c], Hs[c], xbufs[c], dbufs[c], loss_kind,
                                n_batch, outs[c], zero, one)
        grad[:] = zero
        gW2T[:, :] = zero
        out[:] = 0.0
        for c in range(C):
            gW += GW[c]
            gW2T += GV[c]
            gb += Gb[c]
            gb2 += Gb2[c]
            out += outs[c]
        if not end_iteration(it, out[0], n_rows, out[1], losses, corrects, Ws, WTs, gWs, gWTs, use_t,
                             theta, grad, m, v, reg, opt, lr, mu, b1, b2, eps, t_start + it + 1):
            return it
    return n_iters


def _compile(parallel: bool):
    """A separately named copy of :func:`_run_chunk_fused` for numba (own disk-cache entry)."""
    import types

    name = "run_chunk_fused_parallel" if parallel else "run_chunk_fused_serial"
    code = _run_chunk_fused.__code__.replace(co_name=name, co_qualname=name)
    fn = types.FunctionType(code, globals(), name)
    fn.__qualname__ = name
    fn.__doc__ = _run_chunk_fused.__doc__
    return njit(cache=True, parallel=parallel)(fn)


run_chunk_fused_parallel = _compile(True)
run_chunk_fused_serial = _compile(False)
PARALLEL_MIN_WORK = 400_000  # N*h below this: serial (threads cost more than they save)


def covers(config, sizes) -> bool:
    """Is this run the learner's shape (one hidden ReLU layer, D=2, K=2)?"""
    # h > 2 so that the engine keeps ∂W2 transposed (2, h), the layout this kernel writes
    return (len(sizes) == 3 and sizes[0] == 2 and sizes[1] > 2 and sizes[2] == 2
            and config.activation == "relu")


def make_buffers(h: int, dtype):
    """Per-slice buffers: H (C,4,h), x (C,4,2), dL/ds (C,4,2), ∂W (C,2,h), ∂W2ᵀ (C,2,h), ∂b (C,h), ∂b2 (C,2)."""
    C = CHUNKS
    return (np.zeros((C, 4, h), dtype), np.zeros((C, 4, 2), dtype), np.zeros((C, 4, 2), dtype),
            np.zeros((C, 2, h), dtype), np.zeros((C, 2, h), dtype), np.zeros((C, h), dtype),
            np.zeros((C, 2), dtype), np.zeros((C, 2)))
