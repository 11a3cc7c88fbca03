"""The BLAS path: the reference engine's operations on preallocated buffers.

For wide layers and large batches the matrix products dominate, and no
hand-written loop beats the BLAS that numpy already calls (OpenBLAS here:
~51 GFLOP/s single-core dgemm, ~100 sgemm on the AVX-512 EPYC).  This path
runs the same numpy operations as :class:`chainrule.network.MLP` in the same
order — ``Z = A @ W``, ``Z += b``, ``np.tanh``, the shifted softmax,
``(P - Y) / N``, ``dW = Aᵀ dZ``, ``db = Σ dZ``, ``dA = dZ Wᵀ``, the optimizer's
elementwise update — but into buffers allocated once, with ``out=``, on the
flat parameter vector of :class:`chainrule.fast.engine.Model`.  numpy's own
SIMD loops do the transcendental functions (``np.tanh``, ``np.exp``, AVX-512
on this machine), so tanh and sigmoid cost about what ReLU costs.

Two sums are regrouped for speed, which moves results by an ulp or so:
the bias gradient ``Σ_rows dZ`` is taken as the product ``1ᵀ dZ`` (numpy's
reduction over rows of a narrow array is 5-10x slower than BLAS), and the
softmax's row max and row sum go column by column (an axis-1 reduction over
a handful of classes costs 15-60 µs per 1000 rows).  Batches larger than
:data:`CHUNK` rows are cut into chunks whose gradients are added up, so the
working memory stays ``CHUNK x width`` at any N.  numba is not needed here,
so this path has no compile time at all.
"""

from __future__ import annotations

import numpy as np

from chainrule.fast.codes import HINGE_DELTA

CHUNK = 1024  # rows per pass: (1024, 1024) float64 buffers are 8 MB; 512-2048 measured alike


class BlasKernel:
    """One training iteration (or ``n``) on the BLAS path for a :class:`~chainrule.fast.engine.Model`."""

    def __init__(self, model, hp: dict, X: np.ndarray, y: np.ndarray, batch: int | None) -> None:
        self.model, self.hp, self.X, self.y = model, hp, X, y
        dtype = model.theta.dtype
        N = len(y)
        rows = N if batch is None or batch >= N else batch
        C = min(rows, CHUNK)
        widths = model.sizes[1:]
        self.Z = [np.empty((C, n), dtype) for n in widths]  # pre-activation, then H, then dZ
        self.dA = [np.empty((C, n), dtype) for n in widths[:-1]]  # dZ_{l+1} @ W_{l+1}.T
        self.T = [np.empty((C, n), dtype) for n in widths]  # scratch per layer
        self.mask = [np.empty((C, n), bool) for n in widths]
        self.tW = [np.empty_like(W) for W in model.Ws]  # chunk gradients, L2 terms
        self.tb = [np.empty_like(b) for b in model.bs]
        self.tmp = np.empty_like(model.theta)  # optimizer scratch
        K = widths[-1]
        self.xb = np.empty((C, model.sizes[0]), dtype) if rows < N else None
        self.yb = np.empty(C, np.int64)
        self.base = np.arange(C, dtype=np.int64) * K  # flat index of each row's first score
        self.fidx = np.empty(C, np.int64)  # flat index of each row's correct score
        self.pc = np.empty(C, dtype)
        self.mx = np.empty((C, 1), dtype)
        self.am = np.empty(C, np.int64)
        self.eq = np.empty(C, bool)
        self.ones = np.ones(C, dtype)

    # ------------------------------------------------------------------ one chunk
    def _forward(self, A: np.ndarray, m: int) -> np.ndarray:
        hp, model = self.hp, self.model
        L = len(model.Ws)
        for l in range(L):
            Z = self.Z[l][:m]
            np.matmul(A, model.Ws[l], out=Z)  # (m, n_l)
            np.add(Z, model.bs[l], out=Z)
            if l < L - 1:
                _act_forward(Z, self.T[l][:m], self.mask[l][:m], hp["act"], hp["alpha"])
            A = Z
        return A  # scores (m, K)

    def _loss(self, S: np.ndarray, yb: np.ndarray, m: int, n_batch: int) -> tuple[float, int]:
        """Data-loss sum and correct count of a chunk; ``S`` becomes ∂L/∂S (the mean over ``n_batch``)."""
        am, eq = self.am[:m], self.eq[:m]
        S.argmax(axis=1, out=am)
        np.equal(am, yb, out=eq)
        correct = int(np.count_nonzero(eq))
        fidx, pc = self.fidx[:m], self.pc[:m]
        np.add(self.base[:m], yb, out=fidx)
        flat = S.reshape(-1)
        if self.hp["loss_kind"] == 0:  # softmax cross-entropy, as losses.SoftmaxCrossEntropy
            mx = self.mx[:m]
            _row_max(S, mx[:, 0])
            np.subtract(S, mx, out=S)
            np.exp(S, out=S)
            _row_sum(S, mx[:, 0])
            np.divide(S, mx, out=S)  # P
            flat.take(fidx, out=pc)
            np.subtract(pc, 1, out=self.mx[:m, 0])
            flat.put(fidx, self.mx[:m, 0])  # P - Y
            np.log(pc, out=pc)
            total = -np.add.reduce(pc)
        else:  # multiclass hinge, as losses.Hinge
            M, B = S, self.mask[-1][:m]
            flat.take(fidx, out=pc)
            np.subtract(S, pc[:, None], out=M)
            np.add(M, HINGE_DELTA, out=M)
            np.maximum(M, 0, out=M)
            flat.put(fidx, 0)
            total = np.add.reduce(flat)
            np.greater(M, 0, out=B)
            np.copyto(M, B)
            _row_sum(M, pc)
            np.negative(pc, out=pc)
            flat.put(fidx, pc)
        np.divide(S, n_batch, out=S)
        return total, correct

    def _backward(self, A0: np.ndarray, m: int, first: bool) -> None:
        hp, model = self.hp, self.model
        L = len(model.Ws)
        for l in range(L - 1, -1, -1):
            dZ = self.Z[l][:m]
            A = A0 if l == 0 else self.Z[l - 1][:m]
            gW, gb = model.gWs[l], model.gbs[l]
            ones = self.ones[:m]
            if first:
                np.matmul(A.T, dZ, out=gW)
                np.matmul(ones, dZ, out=gb)  # Σ over rows; as a product it runs at BLAS speed
            else:
                np.matmul(A.T, dZ, out=self.tW[l])
                np.add(gW, self.tW[l], out=gW)
                np.matmul(ones, dZ, out=self.tb[l])
                np.add(gb, self.tb[l], out=gb)
            if l > 0:
                dA = self.dA[l - 1][:m]
                np.matmul(dZ, model.Ws[l].T, out=dA)
                _act_backward(dA, A, self.T[l - 1][:m], self.mask[l - 1][:m], hp["act"], hp["alpha"])

    # ------------------------------------------------------------------ iterations
    def __call__(self, n: int, t0: int, idx: np.ndarray, losses: np.ndarray, corrects: np.ndarray) -> int:
        with np.errstate(all="ignore"):  # NaN/inf surface as a non-finite loss: divergence
            for it in range(n):
                rows = None if idx.shape[1] == 0 else idx[it]
                loss, correct = self._gradients(rows)
                losses[it] = loss + self._l2()
                corrects[it] = correct
                if not np.isfinite(losses[it]):
                    return it
                self._update(t0 + it + 1)
        return n

    def _gradients(self, rows) -> tuple[float, int]:
        X, y = self.X, self.y
        nb = len(y) if rows is None else len(rows)
        C = self.Z[0].shape[0]
        total, correct = 0.0, 0
        for start in range(0, nb, C):
            m = min(C, nb - start)
            if rows is None:
                A0, yb = X[start:start + m], y[start:start + m]
            else:
                A0, yb = self.xb[:m], self.yb[:m]
                X.take(rows[start:start + m], axis=0, out=A0)
                y.take(rows[start:start + m], out=yb)
            S = self._forward(A0, m)
            part, ok = self._loss(S, yb, m, nb)
            total = part if start == 0 else total + part
            correct += ok
            self._backward(A0, m, start == 0)
        return total / nb, correct

    def _l2(self) -> float:
        reg = self.hp["reg"]
        if reg == 0.0:
            return 0.0
        total = 0
        for W, tW in zip(self.model.Ws, self.tW):
            np.multiply(W, W, out=tW)
            total = total + 0.5 * reg * np.add.reduce(tW, axis=None)
        for W, gW, tW in zip(self.model.Ws, self.model.gWs, self.tW):
            np.multiply(W, reg, out=tW)
            np.add(gW, tW, out=gW)
        return float(total)

    def _update(self, t: int) -> None:
        """The optimizer step on the flat vector, operation for operation as :mod:`chainrule.optim`."""
        hp = self.hp
        theta, g, m, v = self.model.state()
        tmp = self.tmp
        lr = hp["lr"]
        if hp["opt"] == 0:
            np.multiply(g, -lr, out=tmp)
            np.add(theta, tmp, out=theta)
        elif hp["opt"] == 1:
            np.multiply(m, hp["mu"], out=m)
            np.multiply(g, -lr, out=tmp)
            np.add(m, tmp, out=m)
            np.add(theta, m, out=theta)
        else:
            b1, b2, eps = hp["b1"], hp["b2"], hp["eps"]
            c1, c2 = 1 - b1 ** t, 1 - b2 ** t
            np.multiply(m, b1, out=m)
            np.multiply(g, 1 - b1, out=tmp)
            np.add(m, tmp, out=m)
            np.multiply(v, b2, out=v)
            np.multiply(g, 1 - b2, out=tmp)
            np.multiply(tmp, g, out=tmp)
            np.add(v, tmp, out=v)
            np.divide(v, c2, out=tmp)
            np.sqrt(tmp, out=tmp)
            np.add(tmp, eps, out=tmp)  # sqrt(v / c2) + eps
            np.divide(m, c1, out=g)  # g is not needed any more: m / c1
            np.multiply(g, -lr, out=g)
            np.divide(g, tmp, out=g)
            np.add(theta, g, out=theta)


def _row_max(S: np.ndarray, out: np.ndarray) -> None:
    """``out = S.max(axis=1)`` column by column: for a few classes, ~10x faster than the reduction."""
    np.copyto(out, S[:, 0])
    for k in range(1, S.shape[1]):
        np.maximum(out, S[:, k], out=out)


def _row_sum(S: np.ndarray, out: np.ndarray) -> None:
    """``out = S.sum(axis=1)``, the classes added left to right (numpy's own order below 8 classes)."""
    np.copyto(out, S[:, 0])
    for k in range(1, S.shape[1]):
        np.add(out, S[:, k], out=out)


def _act_forward(Z: np.ndarray, T: np.ndarray, mask: np.ndarray, act: int, alpha: float) -> None:
    """``Z <- act(Z)`` in place, with the values :mod:`chainrule.layers` computes.

    Only whole-array ufuncs (numpy's SIMD loops); no masked copies, which
    run an order of magnitude slower per element.
    """
    if act == 0:
        np.maximum(Z, 0, out=Z)
    elif act == 1:  # np.where(Z > 0, Z, alpha * Z) == max(Z, alpha * Z) for 0 < alpha < 1
        np.multiply(Z, alpha, out=T)
        np.maximum(Z, T, out=Z)
    elif act == 2:
        np.tanh(Z, out=Z)
    else:  # E = exp(-|Z|); np.where(Z >= 0, 1 / (1 + E), E / (1 + E))
        np.greater_equal(Z, 0, out=mask)
        np.copysign(Z, -1, out=T)  # -|Z|
        np.exp(T, out=T)  # E
        np.add(T, 1, out=Z)  # 1 + E
        np.maximum(T, mask, out=T)  # the numerator: 1 where Z >= 0 (there E <= 1), else E
        np.divide(T, Z, out=Z)


def _act_backward(dH: np.ndarray, H: np.ndarray, T: np.ndarray, mask: np.ndarray, act: int,
                  alpha: float) -> None:
    """``H <- dH * act'(.)`` given the activation's output ``H`` (overwritten), as :mod:`chainrule.layers`."""
    if act == 0:  # dH * (Z > 0); H > 0 exactly where Z > 0
        np.greater(H, 0, out=mask)
        np.multiply(dH, mask, out=H)
    elif act == 1:  # dH * np.where(Z > 0, 1.0, alpha); max(mask, alpha) is that factor
        np.greater(H, 0, out=mask)
        np.maximum(mask, alpha, out=T)
        np.multiply(dH, T, out=H)
    elif act == 2:  # dH * (1 - H ** 2)
        np.square(H, out=T)
        np.subtract(1, T, out=T)
        np.multiply(dH, T, out=H)
    else:  # dH * H * (1 - H)
        np.multiply(dH, H, out=T)
        np.subtract(1, H, out=H)
        np.multiply(T, H, out=H)
