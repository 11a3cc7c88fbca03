"""Training for the live page: one small adapter over chainrule's engines.

A :class:`Trainer` owns one run: the data, the initial weights drawn from the seed (kept,
so that *rewind* replays exactly), and a stepper that does ``n`` iterations and reports
the loss and accuracy of each (measured before that iteration's update, as the learner's
``print`` does).  Steppers, best first:

* the fast engine's stepping API, :class:`chainrule.fast.Session` (``advance(n)``,
  ``params()``, ``reset()``), once its kernels are compiled on this machine;
* the reference engine (:class:`chainrule.network.MLP` and :mod:`chainrule.optim`)
  meanwhile (the first minute after an install) or when numba is missing.

Switching engines is the one line in :func:`make_stepper`.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib.util
import threading
from typing import Optional, Protocol

import numpy as np

from chainrule.config import TrainConfig
from chainrule.data import Dataset
from chainrule.errors import DivergenceError
from chainrule.network import MLP, init_params
from chainrule.optim import make_optimizer
from chainrule.rng import Rng, make_rng
from chainrule.training import Params, _batches, prepare

Losses = tuple[np.ndarray, np.ndarray]  # (losses (n,), accuracies (n,))


class Stepper(Protocol):
    engine: str

    def step(self, n: int) -> Losses: ...

    def weights(self) -> Params: ...


def _copy(params: Params) -> Params:
    return [(W.copy(), b.copy()) for W, b in params]


class ReferenceStepper:
    """The readable numpy engine, one iteration at a time (any optimizer, any batch size)."""

    engine = "reference"

    def __init__(self, config: TrainConfig, data: Dataset, params: Params, rng: Rng) -> None:
        self.config, self.data = config, data
        self.net = MLP(_copy(params), activation=config.activation, loss=config.loss, reg=config.reg)
        self.opt = make_optimizer(config.optimizer, config.lr, config.extra)
        self.batches = _batches(data.n, config.batch, rng)
        self.i = 0

    def step(self, n: int) -> Losses:
        X, y, net = self.data.X, self.data.y, self.net
        flat = [p for pair in net.params for p in pair]
        losses, accs = np.empty(n), np.empty(n)
        for k in range(n):
            idx = next(self.batches)
            g = net.gradients(X, y) if idx is None else net.gradients(X[idx], y[idx])
            if not np.isfinite(g.loss):
                raise DivergenceError(self.i, g.loss, self.config.lr)
            scores = g.scores if idx is None else net.forward(X)
            losses[k] = g.loss if idx is None else net.loss(X, y)
            accs[k] = np.mean(np.argmax(scores, axis=1) == y)
            self.opt.step(flat, [d for pair in g.grads for d in pair])
            self.i += 1
        return losses, accs

    def weights(self) -> Params:
        return self.net.params


class SessionStepper:
    """The fast engine's stepping API, :class:`chainrule.fast.Session` (any optimizer, any batch).

    Its losses are those ``chainrule train`` logs: on all the data, before each update.  In
    full-batch runs the kernel measures them itself; with mini-batches the kernel's numbers
    are of the batch, so each iteration is followed by one pass over all the data.
    """

    engine = "fast"

    def __init__(self, config: TrainConfig, data: Dataset, params: Params, rng: Rng) -> None:
        from chainrule import fast

        self.config = config
        self.session = fast.Session(config, X=data.X, y=data.y, params=_copy(params), rng=rng)

    def step(self, n: int) -> Losses:
        s = self.session
        if s.full:
            losses, corrects, done = s.advance(n)
            if done < n:
                raise DivergenceError(s.iteration, float(losses[done]), self.config.lr)
            return losses, corrects / len(s.y)
        losses, accs = np.empty(n), np.empty(n)
        for k in range(n):
            losses[k], accs[k] = s.evaluate()
            if not np.isfinite(losses[k]):
                raise DivergenceError(s.iteration, float(losses[k]), self.config.lr)
            s.advance(1)
        return losses, accs

    def weights(self) -> Params:
        return [(np.array(W, dtype=np.float64), np.array(b, dtype=np.float64)) for W, b in self.session.params()]


_warming = threading.Lock()


def fast_ready(config: TrainConfig) -> bool:
    """Can the fast engine run ``config`` now, without tens of seconds of compiling first?"""
    if importlib.util.find_spec("numba") is None:
        return False
    try:
        from chainrule import fast
        from chainrule.fast.cache import is_cold
    except ImportError:
        return False
    return fast.unsupported(config) is None and not is_cold(config)


def warm_fast_engine(config: TrainConfig) -> Optional[threading.Thread]:
    """Compile the fast kernel for ``config`` in a background thread (once); later runs use it."""
    if importlib.util.find_spec("numba") is None or not _warming.acquire(blocking=False):
        return None

    def build() -> None:
        try:
            from chainrule import fast

            if fast.unsupported(config) is None:
                fast.ensure_built(config)
        except Exception:  # a failed build leaves the reference engine in use
            pass

    t = threading.Thread(target=build, name="chainrule-warm-fast", daemon=True)
    t.start()
    return t


def make_stepper(config: TrainConfig, data: Dataset, params: Params, rng: Rng,
                 generated: bool) -> Stepper:
    """The fastest engine that gives this run's numbers (see the module docstring)."""
    fast_ok = fast_ready(config)
    if fast_ok:
        return SessionStepper(config, data, params, rng)
    return ReferenceStepper(config, data, params, rng)


class Trainer:
    """One run: data, the seed's initial weights, and a stepper; :meth:`rewind` replays it.

    ``data=None`` draws the data set named by ``config`` (as ``chainrule train`` does: the
    data first, then the weights, from one stream); a given ``data`` (an upload, points
    added by clicking) keeps its rows and the weights are drawn from a fresh stream.
    """

    def __init__(self, config: TrainConfig, data: Optional[Dataset] = None) -> None:
        self.config = config
        self.generated = data is None
        if data is None:
            data, params, rng = prepare(config)
        else:
            rng = make_rng(config.seed, config.rng)
            params = init_params([data.dim, *config.hidden, data.classes], rng, config.init_scale)
        self.data = data
        self._start = (_copy(params), copy.deepcopy(rng))
        self.engine = ""
        self.rewind()

    def rewind(self) -> None:
        """Back to iteration 0 with the very same initial weights and random stream."""
        params, rng = self._start
        self.stepper = make_stepper(self.config, self.data, _copy(params), copy.deepcopy(rng),
                                    self.generated) if not self.engine else self._same_engine(params, rng)
        self.engine = self.stepper.engine
        self.iteration = 0

    def _same_engine(self, params: Params, rng: Rng) -> Stepper:
        """Rewind keeps the run's engine, so that a replay gives the same numbers bit for bit."""
        cls = type(self.stepper)
        if cls is SessionStepper:
            self.stepper.session.reset()  # the session kept the very same start
            return self.stepper
        return cls(self.config, self.data, _copy(params), copy.deepcopy(rng))

    def step(self, n: int) -> Losses:
        """Train ``n`` iterations; the losses and accuracies of iterations ``iteration..``."""
        losses, accs = self.stepper.step(n)
        self.iteration += n
        return losses, accs

    def weights(self) -> Params:
        return self.stepper.weights()

    @property
    def sizes(self) -> list[int]:
        """Units per layer, inputs first: ``[D, h1, ..., K]``."""
        return [self.data.dim, *self.config.hidden, self.data.classes]

    def predict(self, X: np.ndarray) -> np.ndarray:
        c = self.config
        return MLP(_copy(self.weights()), activation=c.activation, loss=c.loss).predict(X)
