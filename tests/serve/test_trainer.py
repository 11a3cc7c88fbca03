"""The training adapter: every engine gives chainrule train's numbers; rewind replays exactly."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule.config import TrainConfig
from chainrule.data import Dataset
from chainrule.errors import DivergenceError
from chainrule.serve.record import RunRecord
from chainrule.serve.settings import parse_settings
from chainrule.serve.trainer import ReferenceStepper, Trainer
from chainrule.training import train


def _reference_history(config: TrainConfig, n: int) -> np.ndarray:
    from dataclasses import replace

    r = train(replace(config, iterations=n, log_every=1, engine="reference"))
    return np.array([h["loss"] for h in r.history]), np.array([h["accuracy"] for h in r.history])


@pytest.mark.parametrize("cfg", [
    TrainConfig(hidden=(40,), points=60),  # full-batch gradient descent: the fast engine in chunks
    TrainConfig(hidden=(12, 6), activation="tanh", optimizer="momentum", points=40, seed=2),
    TrainConfig(hidden=(10,), optimizer="sgd", batch_size=16, points=40, seed=4),
    TrainConfig(hidden=(10,), loss="hinge", optimizer="adam", points=30, classes=3),
], ids=["gd", "momentum-tanh", "sgd", "adam-hinge"])
def test_losses_equal_the_training_module(cfg):
    t = Trainer(cfg)
    chunks = [t.step(n) for n in (1, 7, 12)]
    losses = np.concatenate([c[0] for c in chunks])
    accs = np.concatenate([c[1] for c in chunks])
    ref_l, ref_a = _reference_history(cfg, 20)
    np.testing.assert_allclose(losses, ref_l, rtol=1e-9)
    np.testing.assert_array_equal(accs, ref_a)
    assert t.iteration == 20
    t.rewind()
    again = np.concatenate([t.step(10)[0], t.step(10)[0]])
    np.testing.assert_array_equal(again, losses)


@pytest.mark.parametrize("cfg", [
    TrainConfig(hidden=(30,), points=50),
    TrainConfig(hidden=(12, 9), points=40, activation="tanh", optimizer="momentum", batch_size=16),
    TrainConfig(hidden=(10,), points=30, optimizer="adam", step_size=0.01, classes=4, reg=1e-2),
], ids=["gd", "momentum-batches", "adam"])
def test_the_fast_session_equals_the_reference_engine(cfg):
    """Steps of the fast Session in chunks are one run: the numpy engine's losses, accuracies, weights."""
    import copy

    pytest.importorskip("numba")
    from chainrule import fast
    from chainrule.serve.trainer import SessionStepper, fast_ready

    fast.ensure_built(cfg)  # compiles once on a fresh install (seconds)
    assert fast_ready(cfg)
    t = Trainer(cfg)
    (params, rng) = t._start
    ref = ReferenceStepper(cfg, t.data, params, copy.deepcopy(rng))
    fast = SessionStepper(cfg, t.data, params, copy.deepcopy(rng))
    chunks = [fast.step(n) for n in (1, 2, 12)]
    want_losses, want_accs = ref.step(15)
    np.testing.assert_allclose(np.concatenate([c[0] for c in chunks]), want_losses, rtol=1e-10)
    np.testing.assert_allclose(np.concatenate([c[1] for c in chunks]), want_accs)
    for (Wa, ba), (Wb, bb) in zip(ref.weights(), fast.weights()):
        np.testing.assert_allclose(Wa, Wb, rtol=1e-9, atol=1e-13)
        np.testing.assert_allclose(ba, bb, rtol=1e-9, atol=1e-13)


def test_own_data_and_predict():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]] * 5)
    y = np.array([0, 0, 1, 1] * 5)
    _, cfg = parse_settings({"hidden": [16], "step_size": 1.0}, Dataset(X, y, "xor.csv", 2))
    t = Trainer(cfg, Dataset(X, y, "xor.csv", 2))
    losses, _ = t.step(400)
    assert losses[-1] < 0.5 * losses[0]
    assert (t.predict(X) == y).all()


def test_divergence_names_the_iteration():
    t = Trainer(TrainConfig(hidden=(20,), points=20, step_size=1e6, optimizer="momentum"))
    with pytest.raises(DivergenceError, match="iteration"):
        for _ in range(50):
            t.step(5)


def test_record_is_bounded(monkeypatch):
    from chainrule.serve import protocol

    monkeypatch.setattr(protocol, "MAX_KEYFRAMES", 8)
    rec = RunRecord({}, "reference")
    params = [(np.zeros((2, 3)), np.zeros((1, 3)))]
    for it in range(0, 101):
        rec.add(np.array([1.0 / (it + 1)]), np.array([0.5]))
        rec.keyframe(it, params)
    assert len(rec.keyframes) <= 8 and rec.keyframes[0][0] == 0
    steps = np.diff([k[0] for k in rec.keyframes])
    assert len(set(steps.tolist())) == 1  # evenly spaced after thinning
    losses, _ = rec.history()
    assert len(losses) == 101 and losses[3] == np.float32(0.25)


def test_keyframes_of_a_big_network_fit_the_byte_budget(monkeypatch):
    from chainrule.serve import protocol

    monkeypatch.setattr(protocol, "MAX_KEYFRAME_BYTES", 10 * 4 * (2 * 500 + 500))  # ten snapshots
    rec = RunRecord({}, "reference")
    params = [(np.zeros((2, 500)), np.zeros((1, 500)))]
    for it in range(100):
        rec.keyframe(it, params)
    assert 5 <= len(rec.keyframes) <= 10
