"""``Session``: train any config a few iterations at a time and read the weights in between.

The live page (``chainrule serve``) trains whatever network the learner
picks, 30 times a second; :func:`chainrule.fast.run` (the command line) is a
loop over the same object.  A session holds the data, the packed weights and
the optimizer's state, the random mini-batch stream and the kernel chosen for
the config (:mod:`chainrule.fast.plan`).  Stepping is exact: ``step(n)``
twice gives the weights of ``step(2 * n)`` once, bit for bit, and ``reset()``
goes back to the very same initial weights and batch stream::

    from chainrule.config import TrainConfig
    from chainrule.fast import Session

    s = Session(TrainConfig(hidden=(64, 64), activation="tanh"))
    losses = s.step(10)        # 10 iterations: each one's loss before its update
    W1, b1, W2, b2, W3, b3 = s.weights()
    loss, accuracy = s.evaluate()   # on all the data, with the current weights
    s.reset()
"""

from __future__ import annotations

import copy
from typing import Optional

import numpy as np

from chainrule.errors import DivergenceError


class Session:
    """One training run that advances on request.

    Parameters
    ----------
    config : chainrule.config.TrainConfig
        The run; ``iterations`` and ``log_every`` are ignored here.
    X, y, params, rng : optional
        Data ``(N, D)`` / ``(N,)``, initial ``[(W, b), ...]`` and the random
        stream that draws the mini-batches; by default all four come from
        :func:`chainrule.training.prepare` (exactly what ``chainrule train``
        starts from).

    Attributes
    ----------
    iteration : int
        Iterations done since the start (or the last :meth:`reset`).
    path : str
        The kernel in use: ``tiled``, ``fused``, ``rows`` or ``blas``.
    """

    def __init__(self, config, *, X: Optional[np.ndarray] = None, y: Optional[np.ndarray] = None,
                 params=None, rng=None) -> None:
        from chainrule.fast import kernels, plan
        from chainrule.fast.engine import Model, hyper

        if X is None or y is None or params is None:
            from chainrule.training import prepare

            data, params, rng = prepare(config)
            X, y = data.X, data.y
        self.config = config
        dtype = np.dtype(config.dtype)
        self.X = np.ascontiguousarray(X, dtype=dtype)
        self.y = np.ascontiguousarray(y, dtype=np.int64)
        N = len(self.y)
        batch = config.batch
        self.full = batch is None or batch >= N
        self.batch = N if self.full else batch
        self._params0 = [(np.array(W, dtype=np.float64), np.array(b, dtype=np.float64))
                         for W, b in params]
        self._rng0 = copy.deepcopy(rng)
        self.model = Model(self._params0, dtype)
        self.plan = plan.choose(config, self.model.sizes, N, self.batch)
        self.path = self.plan.path
        self.hp = hyper(config)
        self._kernel = kernels.make(self.path, config, self.model, self.hp, self.X, self.y,
                                    None if self.full else self.batch)
        self.reset()

    def reset(self) -> None:
        """Back to the initial weights, a fresh optimizer and the start of the batch stream."""
        from chainrule.training import _batches

        self.model.load(self._params0)
        self.iteration = 0
        self._batches = _batches(len(self.y), None if self.full else self.batch,
                                 copy.deepcopy(self._rng0))

    def step(self, n: int = 1) -> list[float]:
        """Train ``n`` iterations; each one's loss (data + L2, on its batch) before its update.

        Raises :class:`chainrule.errors.DivergenceError` at the first NaN or
        infinite loss (the weights stay those before that iteration; call
        :meth:`reset` to start again).
        """
        losses, _, done = self.advance(n)
        if done < n:
            raise DivergenceError(self.iteration, float(losses[done]), self.config.lr)
        return losses.tolist()

    def advance(self, n: int) -> tuple[np.ndarray, np.ndarray, int]:
        """``n`` iterations: ``(losses, correct counts, iterations done)``, no exception."""
        if n < 0:
            raise ValueError(f"cannot step a negative number of iterations ({n})")
        idx = (np.empty((n, 0), np.int64) if self.full
               else np.stack([next(self._batches) for _ in range(n)]).astype(np.int64)
               if n else np.empty((0, self.batch), np.int64))
        losses = np.zeros(n)
        corrects = np.zeros(n)
        done = self._kernel(n, self.iteration, idx, losses, corrects) if n else 0
        self.iteration += done
        return losses, corrects, done

    def params(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The current ``[(W, b), ...]`` (views of the session's weights, in its dtype)."""
        return self.model.params()

    def weights(self) -> list[np.ndarray]:
        """Copies of the current weights, ``[W1, b1, W2, b2, ...]``; ``W`` (fan_in, fan_out), ``b`` (1, fan_out)."""
        return [a.copy() for pair in self.model.params() for a in pair]

    def evaluate(self) -> tuple[float, float]:
        """Loss (data + L2) and accuracy of the current weights on all the data."""
        from chainrule.network import MLP

        c = self.config
        net = MLP(self.model.params(), activation=c.activation, loss=c.loss, reg=c.reg)
        loss, accuracy = net.evaluate(self.X, self.y)
        return float(loss), float(accuracy)
