"""The tiled kernel for the learner's shape (D=2 -> h ReLU -> K=2), full batch.

A hidden unit ``j`` is on for the points of a half-plane, ``x·w_j + b_j > 0``.
The rows are sorted once into small spatial *tiles* (a k-d split of the
plane, :func:`plan`), and each tile gets a bounding box.  For every tile and
unit the box decides, with a safety margin far above rounding error:

* **off** for every row of the tile: the unit adds nothing, skip it;
* **on** for every row: the unit is linear there, ``h_ij = x_i·w_j + b_j``,
  so its share of the scores and of the gradients only needs sums over the
  tile (``Σ_j w_j v_jᵀ`` forward, ``Σ_i x_i d_iᵀ`` and ``Σ_i d_i`` backward);
* **mixed** (the unit's line crosses the box): the rows are done one by one,
  exactly like :mod:`chainrule.fast.fused`.

On the learner's network (800 points, 1000 units) 71% of the (tile, unit)
pairs are on or off at the start and 84% once trained, so the per-row work
shrinks to about a fifth.  Each tile is finished
(forward, loss, backward) before the next, so nothing of size N x h exists;
the working memory is a few rows of length h per slice of tiles.

The numbers: the masks are the same as the reference's (a pair is decided by
the box only when ``|z|`` is more than 64 ulps away from 0 for every row),
and the sums are regrouped, which moves results by a few ulps (the learner's
3000 iterations log the reference engine's losses to 1.3e-15).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from chainrule.fast.common import FASTMATH, end_iteration, loss_row2, threaded_and_serial

# --------------------------------------------------------------------------- per tile (numba)

@njit(cache=True, fastmath=FASTMATH)
def _classify(c0, c1, ex, ey, eb, W0, W1, b, V0, V1, IN, MIX, A, zero, one):
    """Per unit: ``IN[j]`` 1 if on for the whole box, ``MIX[j]`` 1 if mixed; ``A`` sums the on units.

    ``ex, ey, eb`` are the box's half-widths plus the rounding margin, so
    ``rad = |w0|·ex + |w1|·ey + |b|·eb`` bounds ``|z - zc|`` over the box.
    ``A = Σ_on (w0·v0, w0·v1, w1·v0, w1·v1, b·v0, b·v1)``.
    """
    a0 = a1 = a2 = a3 = a4 = a5 = zero
    for j in range(W0.shape[0]):
        w0 = W0[j]
        w1 = W1[j]
        bj = b[j]
        zc = (w0 * c0 + w1 * c1) + bj
        rad = (abs(w0) * ex + abs(w1) * ey) + abs(bj) * eb
        on = one if zc > rad else zero
        off = one if zc < -rad else zero
        IN[j] = on
        MIX[j] = (one - on) - off  # NaN weights are never on or off: the rows see the NaN
        f0 = on * V0[j]
        f1 = on * V1[j]
        a0 += w0 * f0
        a1 += w0 * f1
        a2 += w1 * f0
        a3 += w1 * f1
        a4 += bj * f0
        a5 += bj * f1
    A[0], A[1], A[2], A[3], A[4], A[5] = a0, a1, a2, a3, a4, a5


@njit(cache=True, fastmath=FASTMATH)
def _gather_mixed(MIX, P, W0, W1, b, V0, V1, Q):
    """Indices of the mixed units into ``P`` and their parameters into ``Q`` (5, n); returns n."""
    n = 0
    for j in range(MIX.shape[0]):
        P[n] = j
        n += 1 if MIX[j] > 0 else 0
    for k in range(n):
        j = P[k]
        Q[0, k] = W0[j]
        Q[1, k] = W1[j]
        Q[2, k] = b[j]
        Q[3, k] = V0[j]
        Q[4, k] = V1[j]
    return n


@njit(cache=True, fastmath=FASTMATH)
def _forward4(xs0, xs1, r, Q, n, A, S, zero):
    """Scores (without b2) of sorted rows ``r..r+3``: on units via ``A``, mixed units row by row."""
    pw0, pw1, pb, pv0, pv1 = Q[0], Q[1], Q[2], Q[3], Q[4]
    x00, x01, x10, x11 = xs0[r], xs1[r], xs0[r + 1], xs1[r + 1]
    x20, x21, x30, x31 = xs0[r + 2], xs1[r + 2], xs0[r + 3], xs1[r + 3]
    s00 = s01 = s10 = s11 = s20 = s21 = s30 = s31 = zero
    for k in range(n):
        w0 = pw0[k]
        w1 = pw1[k]
        bj = pb[k]
        v0 = pv0[k]
        v1 = pv1[k]
        z = (x00 * w0 + x01 * w1) + bj
        h = zero if z <= zero else z
        s00 += h * v0
        s01 += h * v1
        z = (x10 * w0 + x11 * w1) + bj
        h = zero if z <= zero else z
        s10 += h * v0
        s11 += h * v1
        z = (x20 * w0 + x21 * w1) + bj
        h = zero if z <= zero else z
        s20 += h * v0
        s21 += h * v1
        z = (x30 * w0 + x31 * w1) + bj
        h = zero if z <= zero else z
        s30 += h * v0
        s31 += h * v1
    S[r, 0] = s00 + ((x00 * A[0] + x01 * A[2]) + A[4])
    S[r, 1] = s01 + ((x00 * A[1] + x01 * A[3]) + A[5])
    S[r + 1, 0] = s10 + ((x10 * A[0] + x11 * A[2]) + A[4])
    S[r + 1, 1] = s11 + ((x10 * A[1] + x11 * A[3]) + A[5])
    S[r + 2, 0] = s20 + ((x20 * A[0] + x21 * A[2]) + A[4])
    S[r + 2, 1] = s21 + ((x20 * A[1] + x21 * A[3]) + A[5])
    S[r + 3, 0] = s30 + ((x30 * A[0] + x31 * A[2]) + A[4])
    S[r + 3, 1] = s31 + ((x30 * A[1] + x31 * A[3]) + A[5])


@njit(cache=True, fastmath=FASTMATH)
def _backward4(xs0, xs1, r, D, Q, n, CB, zero, one):
    """Mixed units: add sorted rows ``r..r+3``' gradients into ``CB`` (5, n) = ∂w0, ∂w1, ∂b, ∂v0, ∂v1."""
    pw0, pw1, pb, pv0, pv1 = Q[0], Q[1], Q[2], Q[3], Q[4]
    G0, G1, Gb, GV0, GV1 = CB[0], CB[1], CB[2], CB[3], CB[4]
    x00, x01, x10, x11 = xs0[r], xs1[r], xs0[r + 1], xs1[r + 1]
    x20, x21, x30, x31 = xs0[r + 2], xs1[r + 2], xs0[r + 3], xs1[r + 3]
    d00, d01, d10, d11 = D[r, 0], D[r, 1], D[r + 1, 0], D[r + 1, 1]
    d20, d21, d30, d31 = D[r + 2, 0], D[r + 2, 1], D[r + 3, 0], D[r + 3, 1]
    for k in range(n):
        w0 = pw0[k]
        w1 = pw1[k]
        bj = pb[k]
        v0 = pv0[k]
        v1 = pv1[k]
        a0 = G0[k]
        a1 = G1[k]
        ab = Gb[k]
        c0 = GV0[k]
        c1 = GV1[k]
        z = (x00 * w0 + x01 * w1) + bj
        m = one if z > zero else zero
        h = z * m
        c0 += h * d00
        c1 += h * d01
        dz = (d00 * v0 + d01 * v1) * m
        a0 += x00 * dz
        a1 += x01 * dz
        ab += dz
        z = (x10 * w0 + x11 * w1) + bj
        m = one if z > zero else zero
        h = z * m
        c0 += h * d10
        c1 += h * d11
        dz = (d10 * v0 + d11 * v1) * m
        a0 += x10 * dz
        a1 += x11 * dz
        ab += dz
        z = (x20 * w0 + x21 * w1) + bj
        m = one if z > zero else zero
        h = z * m
        c0 += h * d20
        c1 += h * d21
        dz = (d20 * v0 + d21 * v1) * m
        a0 += x20 * dz
        a1 += x21 * dz
        ab += dz
        z = (x30 * w0 + x31 * w1) + bj
        m = one if z > zero else zero
        h = z * m
        c0 += h * d30
        c1 += h * d31
        dz = (d30 * v0 + d31 * v1) * m
        a0 += x30 * dz
        a1 += x31 * dz
        ab += dz
        G0[k] = a0
        G1[k] = a1
        Gb[k] = ab
        GV0[k] = c0
        GV1[k] = c1


@njit(cache=True, fastmath=FASTMATH)
def _tile(t, xs0, xs1, ys, valid, starts, box, W0, W1, b, V0, V1, b2, tol, loss_kind, n_real,
          S, D, IN, MIX, P, Q, CB, A, TT, G, gb2, out, zero, one):
    """Forward, loss and backward of tile ``t``; adds into this slice's ``TT``, ``G``, ``gb2``, ``out``."""
    c0, c1, hx, hy = box[t, 0], box[t, 1], box[t, 2], box[t, 3]
    ex = hx + tol * (abs(c0) + hx)
    ey = hy + tol * (abs(c1) + hy)
    _classify(c0, c1, ex, ey, tol, W0, W1, b, V0, V1, IN, MIX, A, zero, one)
    n = _gather_mixed(MIX, P, W0, W1, b, V0, V1, Q)
    lo, hi = starts[t], starts[t + 1]
    u0 = u1 = u2 = u3 = u4 = u5 = zero
    for r in range(lo, hi, 4):
        _forward4(xs0, xs1, r, Q, n, A, S, zero)
    for r in range(lo, hi):
        if not valid[r]:
            D[r, 0] = zero
            D[r, 1] = zero
            continue
        lv, ok = loss_row2(S[r, 0] + b2[0], S[r, 1] + b2[1], ys[r], loss_kind, n_real, D[r])
        out[0] += lv
        out[1] += ok
        d0 = D[r, 0]
        d1 = D[r, 1]
        gb2[0] += d0
        gb2[1] += d1
        x0 = xs0[r]
        x1 = xs1[r]
        u0 += x0 * d0
        u1 += x0 * d1
        u2 += x1 * d0
        u3 += x1 * d1
        u4 += d0
        u5 += d1
    T0, T1, T2, T3, T4, T5 = TT[0], TT[1], TT[2], TT[3], TT[4], TT[5]
    for j in range(IN.shape[0]):  # on units: Σ_tile x d and Σ_tile d, per unit
        f = IN[j]
        T0[j] += f * u0
        T1[j] += f * u1
        T2[j] += f * u2
        T3[j] += f * u3
        T4[j] += f * u4
        T5[j] += f * u5
    if n == 0:
        return
    for q in range(5):
        for k in range(n):
            CB[q, k] = zero
    for r in range(lo, hi, 4):
        _backward4(xs0, xs1, r, D, Q, n, CB, zero, one)
    for k in range(n):
        j = P[k]
        for q in range(5):
            G[q, j] += CB[q, k]


@njit(cache=True, fastmath=FASTMATH)
def _finish(W0, W1, b, V0, V1, TT, G, gW, gb, gW2T):
    """Gradients of the on units from the tile sums, plus the mixed units' row sums ``G``.

    On a unit's on rows ``h = x·w + b``, so ``Σ h d_k = w0·Σx0 d_k + w1·Σx1 d_k + b·Σd_k``
    (∂W2) and ``Σ x_a (d·v) = v0·Σx_a d0 + v1·Σx_a d1`` (∂W, ∂b with x_a = 1).
    """
    G0, G1, Gb, GV0, GV1 = gW[0], gW[1], gb, gW2T[0], gW2T[1]
    for j in range(W0.shape[0]):
        v0 = V0[j]
        v1 = V1[j]
        G0[j] = G[0, j] + (v0 * TT[0, j] + v1 * TT[1, j])
        G1[j] = G[1, j] + (v0 * TT[2, j] + v1 * TT[3, j])
        Gb[j] = G[2, j] + (v0 * TT[4, j] + v1 * TT[5, j])
        GV0[j] = G[3, j] + ((W0[j] * TT[0, j] + W1[j] * TT[2, j]) + b[j] * TT[4, j])
        GV1[j] = G[4, j] + ((W0[j] * TT[1, j] + W1[j] * TT[3, j]) + b[j] * TT[5, j])


def _run_chunk_tiled(n_iters, t_start, xs0, xs1, ys, valid, starts, box, tol, n_real, Ws, WTs, bs,
                     gWs, gWTs, gbs, use_t, theta, grad, m, v, loss_kind, reg, opt, lr, mu, b1, b2,
                     eps, losses, corrects, S, D, IN, MIX, P, Q, CB, A, TT, G, Gb2, outs, zero, one):
    """:func:`chainrule.fast.generic.run_chunk` for the learner's shape, full batch, tiled.

    The tiles are cut into ``TT.shape[0]`` fixed slices; each slice has its
    own buffers and accumulators (``TT[c]``, ``G[c]``, ``Gb2[c]``,
    ``outs[c]``), added in slice order afterwards, so the serial and the
    threaded compilation, on any number of threads, give bit-identical
    results.  Compiled three times: threaded and serial by numba's JIT
    (:func:`chainrule.fast.common.threaded_and_serial`), and serial ahead of
    time by :mod:`chainrule.fast.aot`.
    """
    C = TT.shape[0]
    nt = starts.shape[0] - 1
    per = (nt + C - 1) // C
    W, W2T, bias, bias2 = Ws[0], WTs[1], bs[0], bs[1]
    W0, W1, V0, V1 = W[0], W[1], W2T[0], W2T[1]
    gW, gW2T, gb, gb2 = gWs[0], gWTs[1], gbs[0], gbs[1]
    out = np.zeros(2)
    for it in range(n_iters):
        for c in prange(C):
            TT[c][:, :] = zero
            G[c][:, :] = zero
            Gb2[c][:] = zero
            outs[c][:] = 0.0
            for t in range(c * per, min(nt, (c + 1) * per)):
                _tile(t, xs0, xs1, ys, valid, starts, box, W0, W1, bias, V0, V1, bias2, tol,
                      loss_kind, n_real, S, D, IN[c], MIX[c], P[c], Q[c], CB[c], A[c], TT[c], G[c],
                      Gb2[c], outs[c], zero, one)
        grad[:] = zero
        gW2T[:, :] = zero
        out[:] = 0.0
        for c in range(1, C):
            TT[0] += TT[c]
            G[0] += G[c]
        for c in range(C):
            gb2 += Gb2[c]
            out += outs[c]
        _finish(W0, W1, bias, V0, V1, TT[0], G[0], gW, gb, gW2T)
        if not end_iteration(it, out[0], n_real, out[1], losses, corrects, Ws, WTs, gWs, gWTs,
                             use_t, theta, grad, m, v, reg, opt, lr, mu, b1, b2, eps,
                             t_start + it + 1):
            return it
    return n_iters


run_chunk_tiled_parallel, run_chunk_tiled_serial = threaded_and_serial(_run_chunk_tiled, "run_chunk_tiled")
