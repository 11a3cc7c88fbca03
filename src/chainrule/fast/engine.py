"""The fast engine's driver: packs parameters, runs the kernels in chunks, logs."""

from __future__ import annotations

from typing import Callable, Optional

import numpy as np

from chainrule.config import DTYPES
from chainrule.errors import DivergenceError
from chainrule.fast.codes import ACTIVATION_CODES, LEAKY_ALPHA, LOSS_CODES, OPTIMIZER_CODES

Progress = Callable[[int], None]


def _key(name: str) -> str:
    key = name.replace("-", "_").lower()
    return {"leakyrelu": "leaky_relu", "svm": "hinge", "cross_entropy": "softmax",
            "ce": "softmax"}.get(key, key)


def unsupported(config) -> Optional[str]:
    """None if the fast engine covers ``config``, else a short reason, e.g. "the adam optimizer"."""
    if _key(config.activation) not in ACTIVATION_CODES:
        return f"the {config.activation} activation"
    if _key(config.loss) not in LOSS_CODES:
        return f"the {config.loss} loss"
    if config.optimizer not in OPTIMIZER_CODES:
        return f"the {config.optimizer} optimizer"
    if config.dtype not in DTYPES:
        return f"dtype {config.dtype}"
    import importlib.util

    if importlib.util.find_spec("numba") is None:  # pragma: no cover - numba is a dependency
        return "this machine (numba is not installed)"
    return None


def ensure_built(config) -> None:
    """Build the ahead-of-time kernel now if ``config`` may use it, so that timings exclude it."""
    from chainrule.fast.tiles import learner_shape

    if learner_shape(config) and not config.extra.get("jit"):
        from chainrule.fast import aot

        aot.kernel(config.dtype)


class Model:
    """Parameters packed for the kernels: one flat vector, views per layer."""

    def __init__(self, params, dtype) -> None:
        self.sizes = [params[0][0].shape[0]] + [W.shape[1] for W, _ in params]
        n = sum(W.size + b.size for W, b in params)
        self.theta = np.empty(n, dtype)
        self.grad = np.zeros(n, dtype)
        self.Ws, self.bs, self.gWs, self.gbs = [], [], [], []
        off = 0
        for W, b in params:
            a, c = W.shape
            self.theta[off:off + a * c] = W.ravel()
            self.Ws.append(self.theta[off:off + a * c].reshape(a, c))
            self.gWs.append(self.grad[off:off + a * c].reshape(a, c))
            off += a * c
            self.theta[off:off + c] = b.ravel()
            self.bs.append(self.theta[off:off + c])
            self.gbs.append(self.grad[off:off + c])
            off += c
        self.WTs = [np.ascontiguousarray(W.T) for W in self.Ws]
        # dW is accumulated along the longer of fan_in/fan_out; transposed when fan_out < fan_in
        self.use_t = np.array([W.shape[1] < W.shape[0] for W in self.Ws])
        self.gWTs = [np.zeros((W.shape[1], W.shape[0]) if t else (1, 1), dtype)
                     for W, t in zip(self.Ws, self.use_t)]
        self.m = np.zeros(n, dtype)
        self.v = np.zeros(n, dtype)

    def params(self):
        return [(W, b.reshape(1, -1)) for W, b in zip(self.Ws, self.bs)]

    def layers(self) -> tuple:
        """The kernels' per-layer arguments: ``Ws, WTs, bs, gWs, gWTs, gbs, use_t``."""
        return (tuple(self.Ws), tuple(self.WTs), tuple(self.bs), tuple(self.gWs), tuple(self.gWTs),
                tuple(self.gbs), self.use_t)

    def state(self) -> tuple:
        """The flat vectors the optimizer updates: ``theta, grad, m, v``."""
        return self.theta, self.grad, self.m, self.v


def _update_args(hp: dict) -> tuple:
    """The kernels' arguments after the loss code: L2 strength, then the optimizer's."""
    return hp["reg"], hp["opt"], hp["lr"], hp["mu"], hp["b1"], hp["b2"], hp["eps"]


def _hyper(config):
    extra = config.extra or {}
    return dict(act=ACTIVATION_CODES[_key(config.activation)], alpha=LEAKY_ALPHA,
                loss_kind=LOSS_CODES[_key(config.loss)], reg=float(config.reg),
                opt=OPTIMIZER_CODES[config.optimizer], lr=float(config.lr),
                mu=float(extra.get("mu", 0.9)), b1=float(extra.get("beta1", 0.9)),
                b2=float(extra.get("beta2", 0.999)), eps=float(extra.get("eps", 1e-8)))


def run(config, X: np.ndarray, y: np.ndarray, params, rng, progress: Optional[Progress] = None,
        history: Optional[list] = None, stop: Optional[Callable[[int], bool]] = None):
    """Train like :func:`chainrule.training.run_reference`; returns ``(params, history)``.

    Rows are appended to ``history`` (if given) as they are logged; ``stop(done)`` is
    asked after every block of iterations, and True ends the run there (Ctrl-C).
    """
    from chainrule.fast import tiles
    from chainrule.training import _batches

    dtype = np.dtype(config.dtype)
    X = np.ascontiguousarray(X, dtype=dtype)
    y = np.ascontiguousarray(y, dtype=np.int64)
    N = len(y)
    model = Model(params, dtype)
    hp = _hyper(config)
    batch = config.batch
    full = batch is None or batch >= N
    batches = _batches(N, batch, rng)
    iterations, log_every = config.iterations, config.log_every
    tick = max(1, iterations // 100)
    shape_ok = tiles.covers(config, model.sizes) and not config.extra.get("generic", False)
    if shape_ok and full:
        kernel = _tiled_kernel(config, model, hp, X, y, dtype)
    else:
        kernel = _jit_kernel(config, model, hp, X, y, dtype, fused=shape_ok)

    history = [] if history is None else history
    i = 0
    while i < iterations:
        end = min(iterations, (i // tick + 1) * tick)
        if not full and log_every:
            nxt = (i // log_every + 1) * log_every  # stop before the next logged iteration
            end = min(end, nxt)
            if i % log_every == 0:
                history.append(_evaluate(model, X, y, hp, i))
        n = end - i
        idx = (np.empty((n, 0), np.int64) if full
               else np.stack([next(batches) for _ in range(n)]).astype(np.int64))
        losses = np.zeros(n)
        corrects = np.zeros(n)
        done = kernel(n, i, idx, losses, corrects)
        if full and log_every:
            for k in range(min(done + 1, n)):
                if (i + k) % log_every == 0 and k < done:
                    history.append({"iteration": i + k, "loss": float(losses[k]),
                                    "accuracy": float(corrects[k] / N)})
        if done < n:
            raise DivergenceError(i + done, float(losses[done]), config.lr)
        i = end
        if progress is not None and (i % tick == 0 or i == iterations):
            progress(i)
        if stop is not None and stop(i):
            break
    return model.params(), history


def _tiled_kernel(config, model, hp, X, y, dtype):
    """The learner's shape, full batch: the ahead-of-time module, or the JIT kernel (threaded if it pays)."""
    from chainrule.fast import aot, tiles

    layout = tiles.Layout(X, y, model.sizes[1], config.extra.get("tile_rows"))
    N = len(y)
    threads = _threaded(N * model.sizes[1], config.iterations)
    kern = None if threads or config.extra.get("jit") else aot.kernel(dtype.name)
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


def _generic_buffers(model, N):
    """Row buffers of the generic kernel: all rows, per-layer (R, width), input row, ∂activations."""
    from chainrule.fast import generic

    dtype = model.theta.dtype
    bufs = tuple(np.zeros((generic.R, n), dtype) for n in model.sizes[1:])
    dAs = tuple(np.zeros(n, dtype) for n in model.sizes[1:-1]) or (np.zeros(1, dtype),)
    xbuf = np.zeros((generic.R, model.sizes[0]), dtype)
    return np.arange(N, dtype=np.int64), bufs, xbuf, dAs


def _jit_kernel(config, model, hp, X, y, dtype, fused: bool):
    """Mini-batches and every other architecture: the JIT-compiled fused or generic kernel."""
    import numba

    from chainrule.fast import fused as fz
    from chainrule.fast import generic

    N = len(y)
    all_rows, bufs, xbuf, dAs = _generic_buffers(model, N)
    fbufs = fz.make_buffers(model.sizes[1] if fused else 1, dtype)

    def kernel(n, t0, idx, losses, corrects):
        if fused:
            par = numba.get_num_threads() > 1 and N * model.sizes[1] >= fz.PARALLEL_MIN_WORK
            kern = fz.run_chunk_fused_parallel if par else fz.run_chunk_fused_serial
            return kern(n, t0, X, y, all_rows, idx, *model.layers(), *model.state(),
                        hp["loss_kind"], *_update_args(hp), losses, corrects, *fbufs,
                        dtype.type(0), dtype.type(1))
        return generic.run_chunk(n, t0, X, y, all_rows, idx, *model.layers(), bufs, xbuf, dAs,
                                 *model.state(), hp["act"], hp["alpha"], hp["loss_kind"],
                                 *_update_args(hp), losses, corrects)
    return kernel


def _evaluate(model, X, y, hp, i):
    """Full-data loss and accuracy of the current weights (mini-batch logging)."""
    from chainrule.fast import generic

    all_rows, bufs, xbuf, dAs = _generic_buffers(model, len(y))
    scratch = Model(model.params(), model.theta.dtype)
    losses, corrects = np.zeros(1), np.zeros(1)
    generic.run_chunk(1, 0, X, y, all_rows, np.empty((1, 0), np.int64), *scratch.layers(), bufs,
                      xbuf, dAs, *scratch.state(), hp["act"], hp["alpha"], hp["loss_kind"],
                      hp["reg"], 0, 0.0, 0.0, 0.0, 0.0, 0.0, losses, corrects)
    return {"iteration": i, "loss": float(losses[0]), "accuracy": float(corrects[0] / len(y))}


def warmup() -> float:
    """Build (or load) every kernel: the ahead-of-time module and the JIT variants; returns seconds."""
    import time

    from chainrule.config import TrainConfig
    from chainrule.fast import fused

    t0 = time.perf_counter()
    rng = np.random.RandomState(0)
    X = rng.randn(8, 2)
    y = np.arange(8) % 2
    saved = fused.PARALLEL_MIN_WORK
    sgd = {"optimizer": "sgd", "batch_size": 4}
    kws = ({}, {"extra": {"jit": True}}, {"extra": {"generic": True}}, sgd, sgd)
    try:
        for dtype in DTYPES:
            for k, kw in enumerate(kws):
                fused.PARALLEL_MIN_WORK = 0 if k == len(kws) - 1 else saved  # last: threaded kernel
                cfg = TrainConfig(hidden=(4,), iterations=2, dtype=dtype, log_every=1, **kw)
                params = [(0.01 * rng.randn(2, 4), np.zeros((1, 4))),
                          (0.01 * rng.randn(4, 2), np.zeros((1, 2)))]
                run(cfg, X, y, params, rng)
    finally:
        fused.PARALLEL_MIN_WORK = saved
    return time.perf_counter() - t0
