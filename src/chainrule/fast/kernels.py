"""Each path's kernel bound to one model: ``kernel(n, t0, idx, losses, corrects) -> iterations done``.

A kernel runs ``n`` iterations from iteration ``t0`` (Adam's step count),
on the mini-batch rows ``idx[k]`` of iteration ``k`` (``idx`` has no
columns for full-batch training), writes each iteration's loss (before its
update) and correct count, updates the model in place and stops early,
before the update, at a NaN or infinite loss.  Which path runs is decided
in :mod:`chainrule.fast.plan`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

Kernel = Callable[[int, int, np.ndarray, np.ndarray, np.ndarray], int]


def make(path: str, config, model, hp: dict, X: np.ndarray, y: np.ndarray, batch) -> Kernel:
    """The kernel of ``path`` (``tiled``, ``fused``, ``rows`` or ``blas``) for this model and data."""
    if path == "blas":
        from chainrule.fast.blas import BlasKernel

        return BlasKernel(model, hp, X, y, batch)
    return {"tiled": _tiled, "fused": _fused, "rows": _rows}[path](config, model, hp, X, y, batch)


def _update_args(hp: dict) -> tuple:
    """The kernels' arguments after the loss code: L2 strength, then the optimizer's."""
    return hp["reg"], hp["opt"], hp["lr"], hp["mu"], hp["b1"], hp["b2"], hp["eps"]


def _tiled(config, model, hp, X, y, batch) -> Kernel:
    """The learner's shape, full batch: the ahead-of-time module, or the JIT kernel (threaded if it pays)."""
    from chainrule.fast import aot, tiles

    layout = tiles.Layout(X, y, model.sizes[1], config.extra.get("tile_rows"))
    N = len(y)
    dtype = X.dtype
    threads = _threaded(N * model.sizes[1], config.iterations)
    kern = None if threads or config.extra.get("jit") else aot.kernel("tiled", dtype.name)
    if kern is None:  # two threads, JIT asked for, or no ahead-of-time module on this machine
        from chainrule.fast import tiled

        kern = tiled.run_chunk_tiled_parallel if threads else tiled.run_chunk_tiled_serial

    def kernel(n, t0, idx, losses, corrects):
        return kern(n, t0, *layout.args(N), *model.layers(), *model.state(), hp["loss_kind"],
                    *_update_args(hp), losses, corrects, layout.S, layout.D, *layout.buffers,
                    dtype.type(0), dtype.type(1))
    return kernel


PARALLEL_MIN_WORK = 20_000_000  # N*h: two threads measured 1.4-1.9x at 80000 rows, 0.7-1.4x at 800-8000
LONG_RUN = 10**10  # N*h*iterations: ~5 s serially, worth loading numba (~1.2 s) for two threads


def _threaded(work: int, iterations: int) -> bool:
    """Use the threaded JIT kernel rather than the serial ahead-of-time one?

    Only with more than one thread and enough work per iteration, and only if
    numba is loaded already (a notebook, ``chainrule bench``) or the run is
    long enough to repay loading it.  Both kernels give identical numbers.
    """
    import sys

    if work < PARALLEL_MIN_WORK or ("numba" not in sys.modules and work * iterations < LONG_RUN):
        return False
    import numba

    return numba.get_num_threads() > 1


def _fused(config, model, hp, X, y, batch) -> Kernel:
    """The learner's shape with mini-batches: four rows at a time, in fixed slices (threaded if they pay)."""
    import numba

    from chainrule.fast import fused as fz

    N = len(y)
    h = model.sizes[1]
    sliced = (batch or N) * h >= fz.PARALLEL_MIN_WORK  # the batch's rows in CHUNKS slices, or one
    slices = fz.CHUNKS if sliced else 1
    bufs = fz.make_buffers(h, X.dtype, slices)
    all_rows = np.arange(N, dtype=np.int64)
    dtype = X.dtype

    def kernel(n, t0, idx, losses, corrects):
        par = sliced and numba.get_num_threads() > 1
        kern = fz.run_chunk_fused_parallel if par else fz.run_chunk_fused_serial
        return kern(n, t0, X, y, all_rows, idx, *model.layers(), *model.state(), hp["loss_kind"],
                    *_update_args(hp), losses, corrects, *bufs, dtype.type(0), dtype.type(1))
    return kernel


def pad(arrays, dtype, ndim: int) -> tuple:
    """``arrays`` followed by 1 x 1 placeholders up to ``MAX_LAYERS`` entries (the rows kernel's tuples)."""
    from chainrule.fast.codes import MAX_LAYERS

    filler = np.zeros((1,) * ndim, dtype)
    return tuple(arrays) + (filler,) * (MAX_LAYERS - len(arrays))


def _rows(config, model, hp, X, y, batch) -> Kernel:
    """Any network, four rows at a time (:mod:`chainrule.fast.generic`), ahead-of-time or JIT.

    With the ahead-of-time module built, numba is not even imported.
    """
    from chainrule.fast import aot
    from chainrule.fast.codes import ROWS_PER_TILE as R

    dtype = X.dtype
    L = len(model.Ws)
    tables = (pad(model.Ws, dtype, 2), pad(model.WTs, dtype, 2), pad(model.bs, dtype, 1),
              pad(model.gWs, dtype, 2), pad(model.gWTs, dtype, 2), pad(model.gbs, dtype, 1),
              model.use_t)
    bufs = pad([np.zeros((R, n), dtype) for n in model.sizes[1:]], dtype, 2)
    xbuf = np.zeros((R, model.sizes[0]), dtype)
    dAs = pad([np.zeros(n, dtype) for n in model.sizes[1:-1]], dtype, 1)
    all_rows = np.arange(len(y), dtype=np.int64)
    kern = None if config.extra.get("jit") else aot.kernel("rows", dtype.name)
    if kern is None:
        from chainrule.fast import generic

        kern = generic.run_chunk

    def kernel(n, t0, idx, losses, corrects):
        return kern(n, t0, X, y, all_rows, idx, L, *tables, bufs, xbuf, dAs, *model.state(),
                    hp["act"], hp["alpha"], hp["loss_kind"], *_update_args(hp), losses, corrects)
    return kernel
