"""Training: the learner's loop, made general (optimizers, mini-batches, engines).

:func:`prepare` draws the data and the initial weights from one random stream
in the learner's order (data, then ``W``, then ``W2``); :func:`train` runs an
engine on them and returns a :class:`TrainResult`.  The *reference* engine
below is plain numpy over :class:`chainrule.network.MLP`; the *fast* engine
(:mod:`chainrule.fast`) must give the same numbers.

What is logged at iteration ``i`` (every ``log_every``-th, starting at 0) is
the full-data loss and accuracy computed *before* that iteration's update,
exactly like the learner's ``print`` inside the loop.

Before the loop, :func:`train` checks what can be checked: the memory the run
needs (:mod:`chainrule.memory`), the scale of the features
(:mod:`chainrule.datachecks`) and the loss of the initial weights (infinite
before any update means the data is to blame, not the step size).  During the
loop, Ctrl-C stops at the end of the current iteration (the fast engine: the
current block of iterations) and :class:`chainrule.errors.TrainingInterrupted`
carries the result so far.
"""

from __future__ import annotations

import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from chainrule.config import TrainConfig
from chainrule.data import Dataset, make_dataset
from chainrule.errors import BadType, ChainruleError, DivergenceError, TrainingInterrupted
from chainrule.losses import l2_penalty
from chainrule.network import MLP, init_params
from chainrule.optim import make_optimizer
from chainrule.rng import Rng, make_rng

Params = list[tuple[np.ndarray, np.ndarray]]
Progress = Callable[[int], None]  # called with the number of finished iterations
RowSink = Callable[[dict], None]  # called with each logged row as it is logged
Stop = Callable[[int], bool]  # called with the iterations done so far; True: stop now


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
    notices: list[str] = field(default_factory=list)  # one-line notes for the user ("notes" in JSON)
    warnings: list[str] = field(default_factory=list)  # one-line warnings: the run may not be what you want
    iterations_done: int = -1  # < config.iterations when interrupted; -1: all of them
    initial_loss: float = float("nan")  # loss of the initial weights, before any update

    def __post_init__(self) -> None:
        if self.iterations_done < 0:
            self.iterations_done = self.config.iterations

    @property
    def interrupted(self) -> bool:
        return self.iterations_done < self.config.iterations

    def network(self) -> MLP:
        c = self.config
        return MLP(self.params, activation=c.activation, loss=c.loss, reg=c.reg)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.network().predict(X)

    def to_json(self) -> dict:
        d = self.data
        return {"config": self.config.to_dict(), "history": self.history,
                "final_loss": self.final_loss, "train_accuracy": self.train_accuracy,
                "seconds": self.seconds, "engine": self.engine, "notes": list(self.notices), "warnings": list(self.warnings),
                "iterations_done": self.iterations_done, "interrupted": self.interrupted,
                "initial_loss": self.initial_loss,
                "data": {"name": d.name, "rows": d.n, "features": d.dim, "classes": d.classes,
                         "class_names": list(d.class_names)}}


def prepare(config: TrainConfig, check_memory: bool = False, plots: bool = True) -> tuple[Dataset, Params, Rng]:
    """Data, then initial weights, from one stream in the learner's order.

    With ``check_memory`` the run's memory is estimated once the data is
    known, and a run that does not fit is refused before any weight exists.
    ``standardize`` rescales the features here (a note says so).
    """
    from chainrule import datachecks

    rng = make_rng(config.seed, config.rng)
    data = make_dataset(config.dataset, config.points, config.classes, config.noise, rng)
    if config.standardize:
        data.X = datachecks.standardize(data.X)
        data.notices.append("features standardized: each column shifted to mean 0 and divided by its std")
    if check_memory:
        from chainrule import memory

        memory.check(config, data.n, data.dim, data.classes, plots=plots)
    sizes = [data.dim, *config.hidden, data.classes]
    params = init_params(sizes, rng, config.init_scale)
    return data, params, rng


def train(config: TrainConfig, progress: Optional[Progress] = None, on_row: Optional[RowSink] = None,
          plots: bool = False) -> TrainResult:
    """Train the network described by ``config``.

    ``progress(done)`` is called now and then, ``on_row(row)`` with each
    logged row as soon as it is logged.  Raises DivergenceError (exit 1) on
    NaN/inf, ChainruleError (exit 2) for data that cannot train, and
    TrainingInterrupted (exit 130, with ``.result``) on Ctrl-C.  ``plots``:
    count the boundary plot in the memory estimate.
    """
    if not isinstance(config, TrainConfig):
        hint = " Build one with TrainConfig(**your_dict)." if isinstance(config, dict) else ""
        raise BadType(f"train() takes a chainrule.config.TrainConfig, not {type(config).__name__}.{hint}")
    from chainrule import datachecks

    data, params, rng = prepare(config, check_memory=True, plots=plots)
    notices, warnings = list(data.notices), []
    scale = None if config.standardize else datachecks.scale_problem(data.X)
    if scale:
        warnings.append(datachecks.scale_note(scale))
    if config.batch is not None and config.batch > data.n:
        notices.append(f"--batch-size {config.batch} is more than the {data.n} examples: every step uses "
                       f"all {data.n} (full batch)")
    initial_loss, _ = evaluate(MLP(params, activation=config.activation, loss=config.loss, reg=config.reg),
                               data.X, data.y)
    if not np.isfinite(initial_loss):
        raise _blame_data(config, data, initial_loss, scale)
    history = _History(on_row)
    stop = _StopOnCtrlC()
    engine = config.engine
    try:
        if engine == "fast":
            fast, reason = _fast_engine(config)
            if reason is None:
                fast.ensure_built(config)  # the first run on a machine compiles: not part of the timing
                with stop:
                    t0 = time.perf_counter()
                    params = fast.run(config, data.X, data.y, params, rng, progress, history=history,
                                      stop=stop)[0]
                    seconds = time.perf_counter() - t0
            else:
                engine = "reference"
                notices.append(f"the fast engine does not cover {reason}; using the reference engine")
        if engine == "reference":
            with stop:
                t0 = time.perf_counter()
                run_reference(config, data.X, data.y, params, rng, progress, history=history, stop=stop)
                seconds = time.perf_counter() - t0
    except DivergenceError as exc:
        if scale and "--standardize" not in exc.message:
            raise DivergenceError(exc.iteration, exc.loss, config.lr,
                                  hint=f"The features are far from unit scale ({scale}): --standardize "
                                       f"rescales them and usually cures this.") from None
        raise
    net = MLP(params, activation=config.activation, loss=config.loss, reg=config.reg)
    final_loss, accuracy = evaluate(net, data.X, data.y)
    if not np.isfinite(final_loss):
        raise DivergenceError(stop.done, final_loss, config.lr)
    if final_loss > initial_loss and stop.done > 1:
        warnings.append(f"the loss rose from {initial_loss:.4g} to {final_loss:.4g} over the run instead of "
                       f"falling: the step size {config.lr:g} is probably too large; try "
                       f"--step-size {config.lr / 10:g}")
    result = TrainResult(config, list(history), final_loss, accuracy, seconds, params, data,
                         engine=engine, notices=notices, warnings=warnings, iterations_done=stop.done,
                         initial_loss=initial_loss)
    if result.interrupted:
        raise TrainingInterrupted(result)
    return result


def evaluate(net: MLP, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Loss (data + L2) and accuracy of ``net`` on all rows, in blocks that keep memory small.

    ``X`` (N, D), ``y`` (N,).  Up to :func:`chainrule.memory.eval_rows` rows
    it is exactly ``net.loss(X, y)`` and the accuracy of ``net.predict(X)``.
    """
    from chainrule.memory import eval_rows

    n, rows = len(y), eval_rows(max(net.sizes[1:]))
    data_loss, correct = 0.0, 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for start in range(0, n, rows):
            scores = net.forward(X[start:start + rows])  # (rows, K)
            part = net.loss_fn.forward(scores, y[start:start + rows])
            data_loss = part if n <= rows else data_loss + part * len(scores)
            correct += int(np.sum(np.argmax(scores, axis=1) == y[start:start + rows]))
        if n > rows:
            data_loss /= n
        loss = data_loss + l2_penalty([lin.W for lin in net.linears], net.reg)
    return float(loss), correct / n


def _blame_data(config: TrainConfig, data: Dataset, loss: float, scale: Optional[str]) -> ChainruleError:
    """The loss is not finite before any update: say it is the data, not the step size."""
    where = f" in {config.dataset[4:].strip()}" if config.is_csv else ""
    what = f"The features{where} are far from unit scale ({scale})." if scale else \
        "Some feature values are so large that the first scores overflow."
    return ChainruleError(
        f"The loss is already {loss} at iteration 0, before any update, so the step size is not the cause: "
        f"the data is. {what} Rescale the features with --standardize, and check that every column but "
        f"the last is a feature (not a row number or an ID).",
        file=config.dataset[4:].strip() if config.is_csv else None)


def _fast_engine(config: TrainConfig):
    """The fast engine module and the reason it cannot run ``config`` (None if it can)."""
    try:
        from chainrule import fast
    except ImportError as exc:  # numba missing or broken: the reference engine still works
        return None, f"this installation (numba could not be imported: {exc})"
    return fast, fast.unsupported(config)


def run_reference(config: TrainConfig, X: np.ndarray, y: np.ndarray, params: Params,
                  rng: Rng, progress: Optional[Progress] = None, history: Optional[list] = None,
                  stop: Optional[Stop] = None) -> list[dict]:
    """The readable engine: forward, backward, update, ``iterations`` times.

    Updates ``params`` in place and returns the logged history (``history``
    if given: rows are appended to it as they are logged).  ``stop(done)``
    is asked after every iteration; True ends the loop there.
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
    history = [] if history is None else history
    tick = max(1, config.iterations // 100)
    for i in range(config.iterations):
        idx = next(batches)
        Xb, yb = (X, y) if idx is None else (X[idx], y[idx])
        g = net.gradients(Xb, yb)
        if not np.isfinite(g.loss):
            raise DivergenceError(i, g.loss, config.lr)
        if config.log_every and i % config.log_every == 0:
            if idx is None:
                loss = g.loss
                acc = float(np.mean(np.argmax(g.scores, axis=1) == y))
            else:
                loss, acc = evaluate(net, X, y)
            history.append({"iteration": i, "loss": float(loss), "accuracy": acc})
        opt.step(flat, [d for pair in g.grads for d in pair])
        if progress is not None and ((i + 1) % tick == 0 or i + 1 == config.iterations):
            progress(i + 1)
        if stop is not None and stop(i + 1):
            break
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


class _History(list):
    """The logged rows; each one also goes to ``on_row`` the moment it is appended."""

    def __init__(self, on_row: Optional[RowSink]) -> None:
        super().__init__()
        self._on_row = on_row

    def append(self, row: dict) -> None:
        super().append(row)
        if self._on_row is not None:
            self._on_row(row)


class _StopOnCtrlC:
    """``with stop:`` turns the first Ctrl-C into a request to stop; ``stop(done)`` asks (and counts).

    Only in the main thread (signal handlers live there); a second Ctrl-C
    raises KeyboardInterrupt at once, as usual.  ``done`` is the number of
    iterations finished when the loop last asked.
    """

    def __init__(self) -> None:
        self.requested = False
        self.done = 0
        self._installed = False
        self._previous = None

    def __call__(self, done: int) -> bool:
        self.done = done
        return self.requested

    def __enter__(self) -> "_StopOnCtrlC":
        if threading.current_thread() is threading.main_thread() \
                and signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
            self._previous = signal.signal(signal.SIGINT, self._handle)
            self._installed = True
        return self

    def __exit__(self, *exc) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous if self._previous is not None else signal.SIG_DFL)
            self._installed = False

    def _handle(self, signum, frame) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
