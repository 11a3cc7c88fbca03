"""The fast engine's driver: the packed parameters, logging, progress, divergence."""

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
    return None


def ensure_built(config) -> None:
    """Build the ahead-of-time kernel now if ``config`` will use it, so that timings exclude it."""
    from chainrule.fast import plan

    path = plan.guess(config)
    if path in plan.AOT_PATHS and not config.extra.get("jit"):
        from chainrule.fast import aot

        aot.kernel(path, config.dtype)


class Model:
    """Parameters packed for the kernels: one flat vector ``theta``, views per layer.

    ``thetaT`` holds every weight matrix transposed at the same offsets (the
    kernels read whichever orientation has the longer rows); ``grad`` and
    ``gradT`` are the gradients in both layouts, ``m`` and ``v`` the
    optimizer's moments.
    """

    def __init__(self, params, dtype) -> None:
        self.sizes = [params[0][0].shape[0]] + [W.shape[1] for W, _ in params]
        n = sum(W.size + b.size for W, b in params)
        self.theta = np.empty(n, dtype)
        self.thetaT = np.zeros(n, dtype)
        self.grad = np.zeros(n, dtype)
        self.gradT = np.zeros(n, dtype)
        self.Ws, self.bs, self.gWs, self.gbs, self.WTs, self.gWTs = [], [], [], [], [], []
        off = 0
        for W, b in params:
            a, c = W.shape
            for flat, mats, shape in ((self.theta, self.Ws, (a, c)), (self.grad, self.gWs, (a, c)),
                                      (self.thetaT, self.WTs, (c, a)), (self.gradT, self.gWTs, (c, a))):
                mats.append(flat[off:off + a * c].reshape(shape))
            off += a * c
            self.bs.append(self.theta[off:off + c])
            self.gbs.append(self.grad[off:off + c])
            off += c
        # dW is accumulated along the longer of fan_in/fan_out; transposed when fan_out < fan_in
        self.use_t = np.array([W.shape[1] < W.shape[0] for W in self.Ws])
        self.m = np.zeros(n, dtype)
        self.v = np.zeros(n, dtype)
        self.load(params)

    def load(self, params) -> None:
        """Set the weights to ``params`` and clear the gradients and the optimizer's moments."""
        for W, b, (W0, b0) in zip(self.Ws, self.bs, params):
            W[...] = W0
            b[...] = np.ravel(b0)
        for WT, W in zip(self.WTs, self.Ws):
            WT[...] = W.T
        for a in (self.grad, self.gradT, self.m, self.v):
            a[:] = 0

    def params(self):
        return [(W, b.reshape(1, -1)) for W, b in zip(self.Ws, self.bs)]

    def layers(self) -> tuple:
        """The tiled and fused kernels' per-layer arguments: ``Ws, WTs, bs, gWs, gWTs, gbs, use_t``."""
        return (tuple(self.Ws), tuple(self.WTs), tuple(self.bs), tuple(self.gWs), tuple(self.gWTs),
                tuple(self.gbs), self.use_t)

    def state(self) -> tuple:
        """The flat vectors the optimizer updates: ``theta, grad, m, v``."""
        return self.theta, self.grad, self.m, self.v


def hyper(config) -> dict:
    """The kernels' integer codes and numbers for ``config``'s activation, loss and optimizer."""
    extra = config.extra or {}
    return dict(act=ACTIVATION_CODES[_key(config.activation)], alpha=LEAKY_ALPHA,
                loss_kind=LOSS_CODES[_key(config.loss)], reg=float(config.reg),
                opt=OPTIMIZER_CODES[config.optimizer], lr=float(config.lr),
                mu=float(extra.get("mu", 0.9)), b1=float(extra.get("beta1", 0.9)),
                b2=float(extra.get("beta2", 0.999)), eps=float(extra.get("eps", 1e-8)))


def run(config, X: np.ndarray, y: np.ndarray, params, rng, progress: Optional[Progress] = None,
        history: Optional[list] = None, stop: Optional[Callable[[int], bool]] = None):
    """Train like :func:`chainrule.training.run_reference`; returns ``(params, history)``.

    Same update order, same random mini-batches, history logged before the
    update (for mini-batches the full-data loss, as the reference logs it),
    :class:`DivergenceError` on a NaN/inf loss.  Rows are appended to
    ``history`` (if given) as they are logged; ``stop(done)`` is asked after
    every block of iterations, and True ends the run there (Ctrl-C).
    """
    from chainrule.fast.session import Session

    session = Session(config, X=X, y=y, params=params, rng=rng)
    N = len(y)
    iterations, log_every = config.iterations, config.log_every
    tick = max(1, iterations // 100)
    history = [] if history is None else history
    i = 0
    while i < iterations:
        end = min(iterations, (i // tick + 1) * tick)
        if not session.full and log_every:
            end = min(end, (i // log_every + 1) * log_every)  # stop before the next logged iteration
            if i % log_every == 0:
                loss, accuracy = session.evaluate()
                history.append({"iteration": i, "loss": loss, "accuracy": accuracy})
        losses, corrects, done = session.advance(end - i)
        if session.full and log_every:
            for k in range(done):
                if (i + k) % log_every == 0:
                    history.append({"iteration": i + k, "loss": float(losses[k]),
                                    "accuracy": float(corrects[k] / N)})
        if done < end - i:
            raise DivergenceError(i + done, float(losses[done]), config.lr)
        i = end
        if progress is not None and (i % tick == 0 or i == iterations):
            progress(i)
        if stop is not None and stop(i):
            break
    return session.params(), history


def warmup() -> float:
    """Build (or load) every compiled kernel: the ahead-of-time modules and the JIT variants; returns seconds."""
    import time

    from chainrule.config import TrainConfig
    from chainrule.fast import fused

    t0 = time.perf_counter()
    rng = np.random.RandomState(0)
    X = rng.randn(8, 2)
    y = np.arange(8) % 2
    saved = fused.PARALLEL_MIN_WORK
    sgd = {"optimizer": "sgd", "batch_size": 4}
    kws = ({}, {"extra": {"jit": True}}, {"extra": {"path": "rows"}},
           {"extra": {"path": "rows", "jit": True}}, sgd, sgd)
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
