"""The fast engine gives the reference engine's numbers (tests of numbers, not timings)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chainrule import fast
from chainrule.config import TrainConfig
from chainrule.errors import DivergenceError
from chainrule.network import MLP
from chainrule.training import prepare, run_reference, train

REL = 1e-9


def _both(config: TrainConfig):
    """(reference history, params), (fast history, params) from the same start."""
    data, params, rng = prepare(config)
    fast_params, fast_hist = fast.run(config, data.X, data.y,
                                      [(W.copy(), b.copy()) for W, b in params], prepare(config)[2])
    ref_params = [(W.copy(), b.copy()) for W, b in params]
    ref_hist = run_reference(config, data.X, data.y, ref_params, rng)
    return data, (ref_hist, ref_params), (fast_hist, fast_params)


def _assert_same(data, ref, fst, config, rel=REL):
    (rh, rp), (fh, fp) = ref, fst
    assert [h["iteration"] for h in fh] == [h["iteration"] for h in rh]
    rl = np.array([h["loss"] for h in rh])
    fl = np.array([h["loss"] for h in fh])
    np.testing.assert_allclose(fl, rl, rtol=rel, atol=1e-13)
    assert [h["accuracy"] for h in fh] == [h["accuracy"] for h in rh]
    kw = dict(activation=config.activation, loss=config.loss, reg=config.reg)
    pred_r = MLP(rp, **kw).predict(data.X)
    pred_f = MLP([(W.astype(np.float64), b.astype(np.float64)) for W, b in fp], **kw).predict(data.X)
    np.testing.assert_array_equal(pred_f, pred_r)
    for (Wr, br), (Wf, bf) in zip(rp, fp):
        assert Wf.shape == Wr.shape and bf.shape == br.shape


@pytest.mark.slow
def test_learner_run_3000_iterations_matches_reference():
    config = TrainConfig()  # the learner's run: 3000 iterations, 30 logged losses
    data, ref, fst = _both(config)
    assert len(fst[0]) == 30
    _assert_same(data, ref, fst, config)
    for (Wr, br), (Wf, bf) in zip(ref[1], fst[1]):
        np.testing.assert_allclose(Wf, Wr, rtol=1e-7, atol=1e-10)


def test_learner_network_short_run_matches_reference():
    config = TrainConfig(iterations=300, log_every=10)
    data, ref, fst = _both(config)
    assert len(fst[0]) == 30
    _assert_same(data, ref, fst, config)
    for (Wr, br), (Wf, bf) in zip(ref[1], fst[1]):
        np.testing.assert_allclose(Wf, Wr, rtol=1e-9, atol=1e-13)
        np.testing.assert_allclose(bf, br, rtol=1e-9, atol=1e-13)


def test_generic_kernel_matches_on_the_learner_network():
    config = TrainConfig(iterations=60, log_every=10, extra={"generic": True})
    data, ref, fst = _both(config)
    _assert_same(data, ref, fst, config)


def test_origin_rows_have_exactly_zero_preactivation_and_are_masked():
    config = TrainConfig(iterations=1)
    data, params, rng = prepare(config)
    origin = np.flatnonzero(np.all(data.X == 0, axis=1))
    assert origin.size == 2  # first row of each arm
    Z = data.X[origin] @ params[0][0] + params[0][1]
    assert np.all(Z == 0)  # ReLU mask rule z > 0: these rows add nothing at iteration 0
    data, ref, fst = _both(config)
    for (Wr, br), (Wf, bf) in zip(ref[1], fst[1]):
        np.testing.assert_allclose(Wf, Wr, rtol=1e-12, atol=1e-16)
        np.testing.assert_allclose(bf, br, rtol=1e-12, atol=1e-16)


configs = st.builds(
    TrainConfig,
    dataset=st.sampled_from(["spiral", "moons", "circles", "xor", "gaussian"]),
    points=st.integers(5, 40),
    classes=st.just(2),
    hidden=st.lists(st.integers(1, 12), min_size=1, max_size=3).map(tuple),
    activation=st.sampled_from(["relu", "leaky_relu", "tanh", "sigmoid"]),
    loss=st.sampled_from(["softmax", "hinge"]),
    reg=st.sampled_from([0.0, 1e-3, 0.1]),
    step_size=st.sampled_from([0.05, 0.3, 1.0]),
    iterations=st.integers(1, 25),
    optimizer=st.sampled_from(["gd", "sgd", "momentum"]),
    batch_size=st.sampled_from([None, 3, 8]),
    seed=st.integers(0, 1000),
    log_every=st.integers(1, 7),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=configs, k=st.sampled_from([2, 3, 4]))
def test_random_small_configs_match_reference(config, k):
    if config.dataset in ("spiral", "gaussian", "circles"):
        config = replace(config, classes=k)
    try:
        data, ref, fst = _both(config)
    except DivergenceError:
        return  # covered by the divergence test: both engines must raise
    _assert_same(data, ref, fst, config)


def test_adam_matches_reference():
    config = TrainConfig(points=20, hidden=(8, 6), optimizer="adam", iterations=20, log_every=3)
    data, ref, fst = _both(config)
    _assert_same(data, ref, fst, config)


def test_float32_within_documented_tolerance():
    config = TrainConfig(iterations=300, log_every=10)
    data, ref, _ = _both(config)
    c32 = replace(config, dtype="float32")
    _, params, rng = prepare(c32)
    p32, h32 = fast.run(c32, data.X, data.y, params, rng)
    assert p32[0][0].dtype == np.float32
    rl = np.array([h["loss"] for h in ref[0]])
    fl = np.array([h["loss"] for h in h32])
    assert np.max(np.abs(fl / rl - 1)) < 1e-4  # measured ~1e-6 (see chainrule.fast docs)


def test_divergence_is_reported_at_the_same_iteration():
    config = TrainConfig(points=30, hidden=(50,), step_size=1e6, iterations=50)
    data, params, rng = prepare(config)
    with pytest.raises(DivergenceError) as ref_err:
        run_reference(config, data.X, data.y, [(W.copy(), b.copy()) for W, b in params], rng)
    with pytest.raises(DivergenceError) as fast_err:
        fast.run(config, data.X, data.y, params, prepare(config)[2])
    assert fast_err.value.iteration == ref_err.value.iteration
    assert not np.isfinite(fast_err.value.loss)


def test_progress_is_called_in_chunks_up_to_the_end():
    config = TrainConfig(points=20, hidden=(10,), iterations=250)
    data, params, rng = prepare(config)
    seen: list[int] = []
    fast.run(config, data.X, data.y, params, rng, seen.append)
    assert seen == sorted(seen) and seen[-1] == 250 and len(seen) >= 50


def test_results_do_not_depend_on_the_number_of_threads(monkeypatch):
    import numba

    from chainrule.fast import fused

    monkeypatch.setattr(fused, "PARALLEL_MIN_WORK", 0)  # use the threaded kernel even here
    config = TrainConfig(iterations=20, log_every=1, optimizer="sgd", batch_size=200)
    data, params, _ = prepare(config)
    out = []
    for n in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
        numba.set_num_threads(n)
        p, h = fast.run(config, data.X, data.y, [(W.copy(), b.copy()) for W, b in params],
                        prepare(config)[2])
        out.append((p, h))
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    assert out[0][1] == out[1][1]
    for (W1, b1), (W2, b2) in zip(out[0][0], out[1][0]):
        assert np.array_equal(W1, W2) and np.array_equal(b1, b2)


def test_unsupported_and_train_uses_the_fast_engine():
    assert fast.unsupported(TrainConfig()) is None
    assert fast.unsupported(TrainConfig(optimizer="adam")) is None
    odd = TrainConfig()
    odd.activation = "gelu"  # TrainConfig itself refuses it; the engine must still say no
    assert "activation" in fast.unsupported(odd)
    result = train(TrainConfig(points=20, hidden=(10,), iterations=10))
    assert result.engine == "fast" and not result.notices
