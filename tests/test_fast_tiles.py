"""The tiled kernel: its tiling plan, its on/off/mixed decisions, and its compiled forms."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import chainrule
from chainrule import fast
from chainrule.config import TrainConfig
from chainrule.errors import DivergenceError
from chainrule.fast import aot, engine, tiles
from chainrule.network import MLP
from chainrule.training import prepare, run_reference, train

points = st.integers(1, 300).flatmap(
    lambda n: arrays(np.float64, (n, 2), elements=st.floats(-5, 5, allow_nan=False, width=32)))


@settings(max_examples=60, deadline=None)
@given(X=points, T=st.sampled_from([4, 8, 12, 28]))
def test_plan_covers_every_row_once_and_boxes_bound_their_rows(X, T):
    src, valid, starts, box = tiles.plan(X, T)
    assert sorted(src[valid].tolist()) == list(range(len(X)))  # every row exactly once
    sizes = np.diff(starts)
    assert np.all(sizes % 4 == 0) and np.all(sizes > 0) and starts[-1] == len(src)
    for t in range(len(sizes)):
        rows = src[starts[t]:starts[t + 1]]
        assert set(rows[~valid[starts[t]:starts[t + 1]]]) <= set(rows[valid[starts[t]:starts[t + 1]]])
        c, half = box[t, :2], box[t, 2:]
        assert np.all(np.abs(X[rows] - c) <= half)  # the box bounds every row, padding included


def test_tile_rows_grows_with_n_and_stays_a_multiple_of_four():
    sizes = [tiles.tile_rows(n) for n in (1, 100, 800, 8000, 80_000, 10**7)]
    assert sizes == sorted(sizes) and all(s % 4 == 0 for s in sizes)
    assert sizes[0] == 8 and sizes[-1] == 128


def _one_step(config, params, X, y):
    """Gradient step of the fast engine and of the reference from the same weights."""
    ref = [(W.copy(), b.copy()) for W, b in params]
    run_reference(config, X, y, ref, None)
    fst, _ = fast.run(config, X, y, [(W.copy(), b.copy()) for W, b in params], None)
    return ref, fst


@pytest.mark.parametrize("iterations", [0, 100, 3000])
def test_one_step_from_trained_weights_matches_reference(iterations):
    """At the trained weights ~80% of (tile, unit) pairs are decided by the boxes alone."""
    trained = train(TrainConfig(iterations=iterations, log_every=0))
    X, y = trained.data.X, trained.data.y
    config = TrainConfig(iterations=1, log_every=0)
    ref, fst = _one_step(config, trained.params, X, y)
    for (Wr, br), (Wf, bf) in zip(ref, fst):
        np.testing.assert_allclose(Wf, Wr, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(bf, br, rtol=1e-12, atol=1e-15)


def test_rows_a_hair_off_a_units_line_are_masked_like_the_reference():
    """Rows 1e-13 to either side of a unit's line (1000 ulps: no rounding can flip them).

    Whole tiles lie on one side within far less than their own size, so a box
    test without its safety margin, or with the wrong sign, would switch the
    unit on or off for rows on the other side.  (Rows *exactly* on the line
    are not tested: there ``z`` is a few ulps either way and numpy's BLAS and
    the kernel round differently; the learner's own z = 0 rows, the origin with
    b = 0, are exact in both and tested in test_fast.py.)
    """
    rng = np.random.default_rng(3)
    W = rng.normal(size=(2, 40))
    b = rng.normal(size=(1, 40)) * 0.1
    W[:, 7], b[0, 7] = (1.0, 0.0), 0.3  # unit 7 is on exactly where x0 > -0.3
    up, down = np.linspace(0.05, 1, 40), np.linspace(-1, -0.05, 40)
    X = np.vstack([np.c_[np.full(40, -0.3 + 1e-13), up],  # on, in tiles of their own
                   np.c_[np.full(40, -0.3 - 1e-13), down],  # off, in tiles of their own
                   rng.normal(size=(60, 2))])
    y = (np.arange(len(X)) % 2).astype(np.int64)
    W2 = rng.normal(size=(40, 2))
    params = [(W, b), (W2, np.zeros((1, 2)))]
    config = TrainConfig(iterations=1, log_every=0, hidden=(40,))
    ref, fst = _one_step(config, params, X, y)
    for (Wr, br), (Wf, bf) in zip(ref, fst):
        np.testing.assert_allclose(Wf, Wr, rtol=1e-11, atol=1e-14)
        np.testing.assert_allclose(bf, br, rtol=1e-11, atol=1e-14)


def test_nan_weights_reach_the_loss_instead_of_being_skipped():
    config = TrainConfig(points=50, iterations=3, log_every=1)
    data, params, _ = prepare(config)
    params[0][0][:, 5] = np.nan  # one unit: the boxes can neither switch it on nor off
    with pytest.raises(DivergenceError) as err:
        fast.run(config, data.X, data.y, params, None)
    assert err.value.iteration == 0 and np.isnan(err.value.loss)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_ahead_of_time_module_gives_the_jit_kernels_numbers_bit_for_bit(dtype):
    assert aot.kernel("tiled", dtype) is not None, aot.failed("tiled", dtype)
    config = TrainConfig(iterations=120, log_every=10, dtype=dtype)
    data, params, _ = prepare(config)
    runs = []
    for extra in ({}, {"jit": True}):
        cfg = TrainConfig(iterations=120, log_every=10, dtype=dtype, extra=extra)
        runs.append(fast.run(cfg, data.X, data.y, [(W.copy(), b.copy()) for W, b in params], None))
    (pa, ha), (pj, hj) = runs
    assert ha == hj
    for (Wa, ba), (Wj, bj) in zip(pa, pj):
        assert np.array_equal(Wa, Wj) and np.array_equal(ba, bj)


def test_failed_build_is_remembered_and_the_jit_kernel_is_used(tmp_path, monkeypatch):
    monkeypatch.setattr(aot, "_dirs", lambda: [tmp_path / "pkg", tmp_path / "user"])
    monkeypatch.setattr(aot, "_loaded", {})

    def no_compiler(out, kind, dtype):
        raise RuntimeError("no C compiler found")

    monkeypatch.setattr(aot, "_build_into", no_compiler)
    assert aot.needs_build("tiled", "float64")
    assert aot.kernel("tiled", "float64") is None
    assert "no C compiler" in aot.failed("tiled", "float64") and not aot.needs_build("tiled", "float64")
    config = TrainConfig(points=30, hidden=(20,), iterations=5, log_every=1)
    data, params, _ = prepare(config)
    _, hist = fast.run(config, data.X, data.y, params, None)
    assert len(hist) == 5 and all(np.isfinite(h["loss"]) for h in hist)


@pytest.mark.parametrize("config", ["TrainConfig(iterations=20)",
                                    "TrainConfig(hidden=(8, 8), activation='tanh', optimizer='sgd', batch_size=4, iterations=20)",
                                    "TrainConfig(hidden=(64, 64), iterations=5)"], ids=["tiled", "rows", "blas"])
def test_a_warm_run_does_not_import_numba(config, request):
    from chainrule.fast import plan

    cfg = eval(config)
    path = plan.guess(cfg)
    assert path == request.node.callspec.id
    if path in plan.AOT_PATHS:
        aot.kernel(path, "float64")  # built (or loaded) by now
    code = ("import sys; from chainrule.training import train; from chainrule.config import TrainConfig;"
            f"r = train({config}); print(r.engine, 'numba' in sys.modules)")
    src = str(Path(chainrule.__file__).resolve().parents[1])  # this chainrule, not another install
    env = dict(os.environ, PYTHONPATH=src + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=env)
    assert out.stdout.split() == ["fast", "False"]



def test_mlp_prediction_of_the_fast_result_matches_reference_predictions():
    config = TrainConfig(iterations=500, log_every=100)
    data, params, rng = prepare(config)
    fp, fh = fast.run(config, data.X, data.y, [(W.copy(), b.copy()) for W, b in params], None)
    rp = [(W.copy(), b.copy()) for W, b in params]
    rh = run_reference(config, data.X, data.y, rp, rng)
    np.testing.assert_allclose([h["loss"] for h in fh], [h["loss"] for h in rh], rtol=1e-12)
    assert np.array_equal(MLP(fp).predict(data.X), MLP(rp).predict(data.X))
    assert engine.Model(fp, np.dtype("float64")).sizes == [2, 1000, 2]


def test_threaded_serial_and_ahead_of_time_kernels_agree_bit_for_bit(monkeypatch):
    import numba

    from chainrule.fast import kernels as eng

    config = TrainConfig(iterations=40, log_every=5)
    data, params, _ = prepare(config)
    runs = []
    for threads, extra in ((1, {}), (1, {"jit": True}), (min(2, numba.config.NUMBA_NUM_THREADS), {})):
        numba.set_num_threads(threads)
        monkeypatch.setattr(eng, "LONG_RUN", 0)  # threads whenever more than one is available
        monkeypatch.setattr(eng, "PARALLEL_MIN_WORK", 0)
        cfg = TrainConfig(iterations=40, log_every=5, extra=extra)
        runs.append(fast.run(cfg, data.X, data.y, [(W.copy(), b.copy()) for W, b in params], None))
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    (p0, h0) = runs[0]
    for p, h in runs[1:]:
        assert h == h0
        for (Wa, ba), (Wb, bb) in zip(p, p0):
            assert np.array_equal(Wa, Wb) and np.array_equal(ba, bb)


def test_threads_only_when_they_pay(monkeypatch):
    import numba

    from chainrule.fast import kernels as eng

    numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
    assert not eng._threaded(800 * 1000, 10**6)  # too little work per iteration
    if numba.get_num_threads() > 1:
        assert eng._threaded(80_000 * 1000, 100)  # numba is loaded here already
    numba.set_num_threads(1)
    assert not eng._threaded(80_000 * 1000, 10**6)  # one thread: the ahead-of-time kernel
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    monkeypatch.delitem(sys.modules, "numba")  # as in a fresh `chainrule train`
    assert not eng._threaded(80_000 * 1000, 100)  # 8 s of work: not worth loading numba


def test_learner_shape_guess_matches_the_kernel_the_engine_picks():
    cases = [TrainConfig(), TrainConfig(hidden=(64, 64)), TrainConfig(classes=3),
             TrainConfig(optimizer="sgd"), TrainConfig(activation="tanh"), TrainConfig(points=20, hidden=(30,))]
    assert [tiles.learner_shape(c) for c in cases] == [True, False, False, False, False, True]
    for c in cases:
        data, params, _ = prepare(c)
        sizes = [data.dim, *c.hidden, data.classes]
        assert tiles.learner_shape(c) == (tiles.covers(c, sizes) and c.batch is None)
