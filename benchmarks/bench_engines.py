"""pytest-benchmark timings of one training iteration (not part of the default test run).

Run: ``pytest benchmarks/bench_engines.py --benchmark-only`` (the files here are
outside ``tests/``, so ``pytest`` alone does not collect them).  Each benchmark
times ``ITERS`` iterations of the learner's network from the learner's start.
"""

from __future__ import annotations

import pytest

from chainrule.bench import make_runners, set_threads
from chainrule.config import TrainConfig

ITERS = 20


@pytest.fixture(scope="module")
def runners():
    set_threads(1)
    runs, _ = make_runners(TrainConfig(), torch_ok=True, sklearn_ok=True)
    for run in runs.values():
        run(2)  # compile / warm up
    return runs


@pytest.mark.parametrize("engine", ["learner", "reference", "fast-float64", "fast-float32",
                                    "pytorch-float32", "sklearn-mlp"])
def test_iterations(benchmark, runners, engine):
    if engine not in runners:
        pytest.skip(f"{engine} is not importable here")
    benchmark.extra_info["iterations"] = ITERS
    benchmark.pedantic(runners[engine], args=(ITERS,), rounds=5, iterations=1, warmup_rounds=1)


def test_fast_scaling_cell(benchmark):
    """One cell of the scaling table: N=8000, h=1000, 3 iterations."""
    from chainrule import fast
    from chainrule.training import prepare

    cfg = TrainConfig(points=4000, iterations=3)
    data, params, rng = prepare(cfg)
    fast.run(cfg, data.X, data.y, [(W.copy(), b.copy()) for W, b in params], rng)
    benchmark.pedantic(lambda: fast.run(cfg, data.X, data.y,
                                        [(W.copy(), b.copy()) for W, b in params], rng),
                       rounds=3, iterations=1)


@pytest.mark.parametrize("name", ["tanh-64x64", "sgd-b1", "deep4-leaky-32", "wide-1024x1024-b256"])
def test_arch_row_chainrule(benchmark, name):
    """Rows of ``chainrule bench --arch``, chainrule float64 only: 10 iterations on the path it picks."""
    from dataclasses import replace

    from chainrule.bench_arch import ARCH
    from chainrule.fast import Session

    set_threads(1)
    session = Session(replace(TrainConfig(**dict(ARCH)[name]), log_every=0))
    session.step(2)
    benchmark.extra_info["path"] = session.path
    benchmark.pedantic(lambda: session.step(10), setup=session.reset, rounds=5, iterations=1)
