"""Training: the learner's loop, made general (optimizers, mini-batches, engines).

:func:`prepare` draws the data and the initial weights from one random stream
in the learner's order (data, then ``W``, then ``W2``); :func:`train` runs an
engine on them and returns a :class:`TrainResult`.  The *reference* engine
below is plain numpy over :class:`chainrule.network.MLP`; the *fast* engine
(:mod:`chainrule.fast`) must give the same numbers.

What is logged at iteration ``i`` (every ``log_every``-th, starting at 0) is
the full-data loss and accuracy computed *before* that iteration's update,
exactly like the learner's ``print`` inside the loop.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from chainrule.config import TrainConfig
from chainrule.data import Dataset, make_dataset
from chainrule.errors import DivergenceError
from chainrule.network import MLP, init_params
from chainrule.optim import make_optimizer
from chainrule.rng import Rng, make_rng

Params = list[tuple[np.ndarray, np.ndarray]]
Progress = Callable[[int], None]  # called with the number of finished iterations


@dataclass
class TrainResult:
    """What a run produced: the logged history, final numbers and the weights."""

    config: TrainConfig
    history: list[dict]  # [{"iteration": i, "loss": x, "accuracy": a}]
    final_loss: float  # loss (data + reg) of the final weights on all data
    train_accuracy: float  # accuracy of the final weights on all data
    seconds: float  # wall time of the training loop
    params: Params
    data: Dataset
    engine: str = "reference"
    notices: list[str] = field(default_factory=list)

    def network(self) -> MLP:
        c = self.config
        return MLP(self.params, activation=c.activation, loss=c.loss, reg=c.reg)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.network().predict(X)

    def to_json(self) -> dict:
        return {"config": self.config.to_dict(), "history": self.history,
                "final_loss": self.final_loss, "train_accuracy": self.train_accuracy,
                "seconds": self.seconds}


def prepare(config: TrainConfig) -> tuple[Dataset, Params, Rng]:
    """Data, then initial weights, from one stream in the learner's order."""
    rng = make_rng(config.seed, config.rng)
    data = make_dataset(config.dataset, config.points, config.classes, config.noise, rng)
    sizes = [data.dim, *config.hidden, data.classes]
    params = init_params(sizes, rng, config.init_scale)
    return data, params, rng


def train(config: TrainConfig, progress: Optional[Progress] = None) -> TrainResult:
    """Train the network described by ``config``; raise DivergenceError on NaN/inf."""
    data, params, rng = prepare(config)
    engine, notices = config.engine, list(data.notices)
    if engine == "fast":
        fast, reason = _fast_engine(config)
        if reason is None:
            fast.ensure_built(config)  # the first run on a machine compiles: not part of the timing
            t0 = time.perf_counter()
            params, history = fast.run(config, data.X, data.y, params, rng, progress)
            seconds = time.perf_counter() - t0
        else:
            engine = "reference"
            notices.append(f"the fast engine does not cover {reason}; using the reference engine")
    if engine == "reference":
        t0 = time.perf_counter()
        history = run_reference(config, data.X, data.y, params, rng, progress)
        seconds = time.perf_counter() - t0
    net = MLP(params, activation=config.activation, loss=config.loss, reg=config.reg)
    final_loss = net.loss(data.X, data.y)
    if not np.isfinite(final_loss):
        raise DivergenceError(config.iterations, final_loss, config.lr)
    accuracy = float(np.mean(net.predict(data.X) == data.y))
    return TrainResult(config, history, final_loss, accuracy, seconds, params, data,
                       engine=engine, notices=notices)


def _fast_engine(config: TrainConfig):
    """The fast engine module and the reason it cannot run ``config`` (None if it can)."""
    try:
        from chainrule import fast
    except ImportError as exc:  # numba missing or broken: the reference engine still works
        return None, f"this installation (numba could not be imported: {exc})"
    return fast, fast.unsupported(config)


def run_reference(config: TrainConfig, X: np.ndarray, y: np.ndarray, params: Params,
                  rng: Rng, progress: Optional[Progress] = None) -> list[dict]:
    """The readable engine: forward, backward, update, ``iterations`` times.

    Updates ``params`` in place and returns the logged history.
    """
    dtype = np.dtype(config.dtype)
    X = X.astype(dtype, copy=False)
    if dtype != np.float64:
        for i, (W, b) in enumerate(params):
            params[i] = (W.astype(dtype), b.astype(dtype))
    net = MLP(params, activation=config.activation, loss=config.loss, reg=config.reg)
    opt = make_optimizer(config.optimizer, config.lr, config.extra)
    flat = [p for pair in params for p in pair]
    batches = _batches(len(y), config.batch, rng)
    history: list[dict] = []
    tick = max(1, config.iterations // 100)
    for i in range(config.iterations):
        idx = next(batches)
        Xb, yb = (X, y) if idx is None else (X[idx], y[idx])
        g = net.gradients(Xb, yb)
        if not np.isfinite(g.loss):
            raise DivergenceError(i, g.loss, config.lr)
        if config.log_every and i % config.log_every == 0:
            if idx is None:
                loss, scores = g.loss, g.scores
            else:
                loss, scores = net.loss(X, y), net.forward(X)
            acc = float(np.mean(np.argmax(scores, axis=1) == y))
            history.append({"iteration": i, "loss": float(loss), "accuracy": acc})
        opt.step(flat, [d for pair in g.grads for d in pair])
        if progress is not None and ((i + 1) % tick == 0 or i + 1 == config.iterations):
            progress(i + 1)
    return history


def _batches(n: int, batch: Optional[int], rng: Rng):
    """Yield None (full batch) forever, or index arrays of shuffled mini-batches."""
    if batch is None or batch >= n:
        while True:
            yield None
    while True:
        order = rng.permutation(n)
        for start in range(0, n - batch + 1, batch):
            yield order[start:start + batch]
