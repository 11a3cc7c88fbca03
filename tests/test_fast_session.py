"""chainrule.fast.Session: stepping is exact, reset is a true restart, every path is covered."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule.config import TrainConfig
from chainrule.errors import DivergenceError
from chainrule.fast import Session
from chainrule.network import MLP
from chainrule.training import prepare, train

# one config per path, with the optimizer state that stepping must carry over
PATHS = {
    "tiled": TrainConfig(points=60, hidden=(40,)),
    "fused": TrainConfig(points=60, hidden=(40,), optimizer="sgd", batch_size=8),
    "rows": TrainConfig(points=30, hidden=(8, 6), activation="tanh", classes=3, optimizer="adam",
                        extra={"path": "rows"}),
    "blas": TrainConfig(points=30, hidden=(12, 12), activation="sigmoid", optimizer="momentum",
                        batch_size=7, extra={"path": "blas"}),
}


def _same_weights(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


@pytest.mark.parametrize("name", list(PATHS))
def test_n_steps_twice_equal_2n_steps_once_bit_for_bit(name):
    config = PATHS[name]
    once, twice = Session(config), Session(config)
    assert once.path == twice.path == name
    losses = once.step(12)
    assert twice.step(6) + twice.step(6) == losses  # floats compared exactly
    assert _same_weights(once.weights(), twice.weights())
    three = Session(config)
    assert three.step(1) + three.step(0) + three.step(4) + three.step(7) == losses
    assert once.iteration == twice.iteration == three.iteration == 12


@pytest.mark.parametrize("name", list(PATHS))
def test_reset_restarts_from_the_same_weights_and_batches(name):
    s = Session(PATHS[name])
    start = s.weights()
    first = s.step(9)
    assert not _same_weights(start, s.weights())
    s.reset()
    assert s.iteration == 0 and _same_weights(start, s.weights())
    assert s.step(9) == first


def test_session_losses_are_the_logged_losses_of_train():
    config = TrainConfig(points=50, hidden=(30, 20), iterations=40, log_every=10)
    history = train(config).history
    losses = Session(config).step(40)
    assert [losses[h["iteration"]] for h in history] == [h["loss"] for h in history]


def test_weights_are_copies_in_the_learners_layout():
    s = Session(TrainConfig(points=20, hidden=(5,), classes=3))
    W1, b1, W2, b2 = s.weights()
    assert W1.shape == (2, 5) and b1.shape == (1, 5) and W2.shape == (5, 3) and b2.shape == (1, 3)
    W1[...] = 7.0
    assert not np.any(s.weights()[0] == 7.0)


def test_evaluate_is_the_reference_full_data_loss_and_accuracy():
    config = TrainConfig(points=40, hidden=(16,), activation="leaky_relu", optimizer="sgd",
                         batch_size=5, reg=1e-3)
    s = Session(config)
    s.step(25)
    data, _, _ = prepare(config)
    net = MLP(s.params(), activation="leaky_relu", reg=1e-3)
    loss, accuracy = s.evaluate()
    assert loss == net.loss(data.X, data.y)
    assert accuracy == float(np.mean(net.predict(data.X) == data.y))


@pytest.mark.parametrize("path", ["rows", "blas"])
def test_divergence_is_raised_at_the_same_iteration_as_the_reference(path):
    from chainrule.training import run_reference

    config = TrainConfig(points=30, hidden=(50, 50), step_size=1e6, iterations=50, extra={"path": path})
    data, params, rng = prepare(config)
    with pytest.raises(DivergenceError) as ref:
        run_reference(config, data.X, data.y, params, rng)
    s = Session(config)
    with pytest.raises(DivergenceError) as err:
        s.step(50)
    assert err.value.iteration == s.iteration == ref.value.iteration


def test_negative_steps_are_refused():
    with pytest.raises(ValueError, match="negative"):
        Session(TrainConfig(points=10, hidden=(4,))).step(-1)


def test_run_fills_the_callers_history_and_stops_when_asked():
    from chainrule import fast

    config = TrainConfig(points=20, hidden=(6,), iterations=400, log_every=50)
    data, params, rng = prepare(config)
    rows: list = []
    seen: list = []
    _, history = fast.run(config, data.X, data.y, params, rng, history=rows,
                          stop=lambda done: seen.append(done) or done >= 200)
    assert history is rows and [h["iteration"] for h in rows] == [0, 50, 100, 150]
    assert seen[-1] == 200
