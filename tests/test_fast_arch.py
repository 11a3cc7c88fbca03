"""Every network of ``chainrule bench --arch``: the fast engine gives the reference engine's numbers.

Each row runs a few iterations on the path the planner picks for it (the one
the bench times) and on the readable reference engine, from the same weights
and mini-batches; the full-data loss must agree to 1e-12 relative in float64,
the weights to 1e-10 of the largest weight (see ``_assert_close``).  The one row too big for the reference (100 000 rows x 1000 units:
its N x h arrays are 800 MB each) is compared with the BLAS path instead,
which runs the reference's operations in row chunks.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from chainrule.bench_arch import ARCH
from chainrule.config import TrainConfig
from chainrule.fast import Session
from chainrule.network import MLP
from chainrule.training import prepare, run_reference

REL = 1e-12
WEIGHTS_REL = 1e-10
TOO_BIG_FOR_REFERENCE = 2e7  # N x widest layer


def _config(fields: dict) -> TrainConfig:
    return replace(TrainConfig(**fields), iterations=4, log_every=0)


def _assert_close(params_a, params_b, net_kw, X, y):
    """The loss to 1e-12 relative; every weight to 1e-10 of the largest weight.

    Weights get the looser bound because two things magnify an ulp there: a
    bias gradient that nearly cancels over the rows is a tiny number with a
    large relative wobble, and Adam divides every gradient by its own size,
    so such a wobble moves the step by up to ``lr`` times it (measured:
    4e-12 on weights of 0.05 after 4 Adam steps; everything else below 1e-13).
    """
    a = np.concatenate([p.ravel() for pair in params_a for p in pair])
    b = np.concatenate([p.ravel() for pair in params_b for p in pair])
    assert float(np.max(np.abs(a - b))) <= WEIGHTS_REL * float(np.max(np.abs(b)))
    la, lb = MLP(params_a, **net_kw).loss(X, y), MLP(params_b, **net_kw).loss(X, y)
    assert abs(la / lb - 1) <= REL


@pytest.mark.parametrize("name,fields", ARCH, ids=[name for name, _ in ARCH])
def test_fast_path_matches_the_reference(name, fields):
    config = _config(fields)
    data, params, rng = prepare(config)
    fast = Session(config, X=data.X, y=data.y, params=params, rng=rng)
    fast.step(config.iterations)
    widest = max(config.hidden)
    if len(data.y) * widest > TOO_BIG_FOR_REFERENCE:
        other = Session(replace(config, extra={"path": "blas"}), X=data.X, y=data.y, params=params, rng=rng)
        other.step(config.iterations)
        expected = other.params()
    else:
        expected = [(W.copy(), b.copy()) for W, b in params]
        run_reference(config, data.X, data.y, expected, rng)
    net_kw = dict(activation=config.activation, loss=config.loss, reg=config.reg)
    _assert_close(fast.params(), expected, net_kw, data.X, data.y)


@pytest.mark.parametrize("name,fields", ARCH, ids=[name for name, _ in ARCH])
def test_float32_follows_float64(name, fields):
    config = _config(fields)
    f64 = Session(config).step(3)
    f32 = Session(replace(config, dtype="float32")).step(3)
    assert np.max(np.abs(np.array(f32) / np.array(f64) - 1)) < 1e-4
