"""``chainrule bench --arch``: many networks, chainrule against PyTorch (and JAX), side by side.

Each row of :data:`ARCH` is a ``chainrule train`` configuration.  For a row,
every engine trains the same network from the same weights on the same data
and mini-batches: chainrule float64 and float32 (:class:`chainrule.fast.Session`),
PyTorch float64 and float32 (eager autograd, the idiomatic loop) and, when
installed, JAX (``jit`` + ``lax.scan``).  Engines take turns block by block
(round robin, a short pause before each block so BLAS threads stop spinning)
and the median ms/iteration of the blocks counts, so a machine that changes
speed mid-run hurts every engine alike.  Ratios are ``other ms / chainrule
ms`` in the same dtype: above 1, chainrule is faster.
"""

from __future__ import annotations

import copy
import statistics
import time
from dataclasses import replace
from typing import Optional

import numpy as np

from chainrule.config import TrainConfig

ARCH: list[tuple[str, dict]] = [
    ("learner", {}),
    ("adam", {"optimizer": "adam"}),
    ("sgd-b32", {"optimizer": "sgd", "batch_size": 32}),
    ("sgd-b1", {"optimizer": "sgd", "batch_size": 1}),
    ("tanh-64x64", {"hidden": (64, 64), "activation": "tanh"}),
    ("moons-256x256", {"dataset": "moons", "hidden": (256, 256)}),
    ("K3-100", {"hidden": (100,), "classes": 3}),
    ("N100-sigmoid-16", {"points": 50, "hidden": (16,), "activation": "sigmoid"}),
    ("N100k-relu-64", {"points": 50_000, "hidden": (64,)}),
    ("N100k-learner", {"points": 50_000}),
    ("deep4-leaky-32", {"hidden": (32, 32, 32, 32), "activation": "leaky_relu", "classes": 4,
                        "step_size": 0.3}),
    ("deep3-adam-256", {"hidden": (256, 256, 256), "optimizer": "adam", "classes": 3}),
    ("wide-1024x1024-b256", {"hidden": (1024, 1024), "optimizer": "sgd", "batch_size": 256,
                             "points": 2000, "step_size": 0.1}),
    ("gauss-K10-1024", {"dataset": "gaussian", "classes": 10, "hidden": (1024,), "points": 100,
                        "step_size": 0.1}),
    ("hinge-K5-64", {"hidden": (64,), "loss": "hinge", "classes": 5}),
    ("hinge-momentum-128x128", {"hidden": (128, 128), "loss": "hinge", "optimizer": "momentum",
                                "classes": 3}),
    ("tanh-512-K3", {"hidden": (512,), "activation": "tanh", "classes": 3, "step_size": 0.1}),
    ("circles-sigmoid-16x16", {"dataset": "circles", "hidden": (16, 16), "activation": "sigmoid"}),
    ("tanh-adam-64x64-b64", {"hidden": (64, 64), "activation": "tanh", "optimizer": "adam",
                             "batch_size": 64}),
    ("tanh-32-b8", {"hidden": (32,), "activation": "tanh", "optimizer": "sgd", "batch_size": 8,
                    "step_size": 0.1}),
    ("leaky-16-b1", {"hidden": (16,), "activation": "leaky_relu", "optimizer": "sgd", "batch_size": 1,
                     "step_size": 0.1}),
    ("sigmoid-momentum-512x512-b256", {"hidden": (512, 512), "activation": "sigmoid",
                                       "optimizer": "momentum", "batch_size": 256, "points": 2500}),
    ("N20k-256x256-b128", {"hidden": (256, 256), "optimizer": "sgd", "batch_size": 128,
                           "points": 10_000, "step_size": 0.1}),
    ("xor-16x16x16", {"dataset": "xor", "hidden": (16, 16, 16)}),
    ("gauss-K10-hinge-128-b16", {"dataset": "gaussian", "classes": 10, "hidden": (128,),
                                 "loss": "hinge", "optimizer": "sgd", "batch_size": 16,
                                 "step_size": 0.1}),
    ("reg-tanh-64-K4", {"hidden": (64,), "activation": "tanh", "classes": 4, "reg": 1e-3}),
]
"""(name, TrainConfig fields) of every row; the defaults are the learner's run."""

BLOCK_SECONDS = 0.15  # chainrule float64's time per block; sets the row's iterations per block
SETTLE = 0.2  # pause before each block (BLAS/OpenMP workers of the previous engine stop spinning)


def args_of(fields: dict) -> str:
    """The ``chainrule train`` options of a row, e.g. ``--hidden 64,64 --activation tanh``."""
    parts = []
    for key, value in fields.items():
        if isinstance(value, tuple):
            value = ",".join(map(str, value))
        parts.append(f"--{key.replace('_', '-')} {value}")
    return " ".join(parts) or "(defaults: the learner's network)"


class _Chainrule:
    def __init__(self, config, dtype, X, y, params0, rng) -> None:
        from chainrule.fast import Session

        self.session = Session(replace(config, dtype=dtype), X=X, y=y, params=params0, rng=rng)

    def reset(self) -> None:
        self.session.reset()

    def run(self, n: int) -> None:
        self.session.step(n)

    def params(self):
        return [(W.astype(np.float64), b.astype(np.float64)) for W, b in self.session.params()]


class _Reference:
    """chainrule's readable numpy engine (only on rows with small batches, where it is quick)."""

    def __init__(self, config, X, y, params0, rng) -> None:
        self.config, self.X, self.y, self.params0, self.rng0 = config, X, y, params0, rng

    def reset(self) -> None:
        self.p = [(W.copy(), b.copy()) for W, b in self.params0]
        self.rng = copy.deepcopy(self.rng0)

    def run(self, n: int) -> None:
        from chainrule.training import run_reference

        run_reference(replace(self.config, iterations=n, log_every=0), self.X, self.y, self.p, self.rng)

    def params(self):
        return self.p


REFERENCE_MAX_BATCH = 64  # the reference engine joins rows with batches up to this size


def make_engines(config: TrainConfig, libs: tuple[str, ...] = ("torch", "jax")) -> tuple[dict, object]:
    """name -> runner for one row: chainrule, then PyTorch and JAX, in float64 and float32.

    The mini-batches other libraries use are drawn from chainrule's stream for
    as many iterations as one block needs (measured on chainrule float64 first).
    """
    from chainrule import bench_libs
    from chainrule.training import _batches, prepare

    data, params0, rng = prepare(config)
    engines: dict = {f"chainrule-{dt}": _Chainrule(config, dt, data.X, data.y, params0, rng)
                     for dt in ("float64", "float32")}
    engines["chainrule-float64"].run(2)  # load the kernel before timing it
    n = _block_iterations(engines["chainrule-float64"])
    N = len(data.y)
    full = config.batch is None or config.batch >= N
    if not full and config.batch <= REFERENCE_MAX_BATCH:
        engines["reference-float64"] = _Reference(config, data.X, data.y, params0, rng)
    stream = _batches(N, None if full else config.batch, copy.deepcopy(rng))
    batches = None if full else [next(stream).astype(np.int64) for _ in range(n)]
    kinds = {"torch": (bench_libs.torch_available, bench_libs.TorchRunner),
             "jax": (bench_libs.jax_available, bench_libs.JaxRunner)}
    for lib in libs:
        available, runner = kinds[lib]
        if available():
            for dt in ("float64", "float32"):
                engines[f"{lib}-{dt}"] = runner(config, dt, data.X, data.y, params0, batches)
    return engines, data, n


def _block_iterations(engine, target: float = BLOCK_SECONDS) -> int:
    """Iterations that take chainrule float64 about ``target`` seconds (at least 3, at most 5000)."""
    n, spent = 2, 0.0
    while spent < target / 8 and n < 5000:
        n *= 2
        engine.reset()
        t0 = time.perf_counter()
        engine.run(n)
        spent = time.perf_counter() - t0
    return int(min(5000, max(3, n * target / max(spent, 1e-9))))


def run_row(name: str, fields: dict, blocks: int = 5, libs: tuple[str, ...] = ("torch", "jax"),
            clock: str = "cpu") -> dict:
    """Time one row: every engine, ``blocks`` blocks in alternation; medians, ratios and final losses.

    ``clock``: ``cpu`` ranks by the process's CPU time (with one thread the
    time the engine itself ran: robust when other programs share the cores),
    ``wall`` by elapsed time; both medians are in the result.
    """
    from chainrule.network import MLP

    config = replace(TrainConfig(**fields), log_every=0)
    engines, data, n = make_engines(config, libs)
    for engine in engines.values():  # compile (JAX: for this block length), load, first-touch
        engine.reset()
        engine.run(n if getattr(engine, "compiles_per_length", False) else min(n, 3))
    wall: dict[str, list[float]] = {k: [] for k in engines}
    cpu: dict[str, list[float]] = {k: [] for k in engines}
    for _ in range(blocks):
        for key, engine in engines.items():
            engine.reset()
            time.sleep(SETTLE)
            t0, c0 = time.perf_counter(), time.process_time()
            engine.run(n)
            wall[key].append((time.perf_counter() - t0) / n * 1e3)
            cpu[key].append((time.process_time() - c0) / n * 1e3)
    times = cpu if clock == "cpu" else wall
    net = dict(activation=config.activation, loss=config.loss, reg=config.reg)
    N = len(data.y)
    row = {"name": name, "args": args_of(fields), "path": engines["chainrule-float64"].session.path,
           "N": N, "batch": config.batch if config.batch and config.batch < N else N,
           "iterations": n, "clock": clock,
           "ms_per_iter": {k: statistics.median(v) for k, v in times.items()},
           "wall_ms_per_iter": {k: statistics.median(v) for k, v in wall.items()},
           "cpu_ms_per_iter": {k: statistics.median(v) for k, v in cpu.items()},
           "final_loss": {k: MLP(e.params(), **net).loss(data.X, data.y) for k, e in engines.items()}}
    ms = row["ms_per_iter"]
    row["ratio"] = {k: ms[k] / ms[f"chainrule-{k.split('-')[1]}"] for k in ms if not k.startswith("chainrule")}
    f64 = row["final_loss"]["chainrule-float64"]
    row["loss_rel_diff_f64"] = {k: abs(v / f64 - 1) for k, v in row["final_loss"].items()
                                if k.endswith("float64") and k != "chainrule-float64"}
    return row


def run_arch(blocks: int = 5, threads: int = 1, names: Optional[list[str]] = None,
             libs: tuple[str, ...] = ("torch", "jax"), progress=None, clock: Optional[str] = None) -> dict:
    """The whole table (or the rows named in ``names``); ``{"rows": [...], "threads", "blocks", "machine"}``.

    ``clock`` defaults to ``cpu`` on one thread and ``wall`` on two (CPU time
    would add up both threads).
    """
    clock = clock or ("cpu" if threads == 1 else "wall")
    from chainrule.bench import set_threads

    _limit_jax_threads(threads)
    set_threads(threads)
    rows = []
    for name, fields in ARCH:
        if names and name not in names:
            continue
        rows.append(run_row(name, fields, blocks, libs, clock))
        if progress is not None:
            progress(rows[-1])
    return {"rows": rows, "threads": threads, "blocks": blocks, "clock": clock, "machine": machine()}


def _limit_jax_threads(threads: int) -> None:
    """XLA reads its thread settings once, when jax is first imported: set them before that."""
    import os
    import sys

    if threads == 1 and "jax" not in sys.modules:
        flags = os.environ.get("XLA_FLAGS", "")
        if "multi_thread_eigen" not in flags:
            os.environ["XLA_FLAGS"] = (flags + " --xla_cpu_multi_thread_eigen=false "
                                       "intra_op_parallelism_threads=1").strip()


def machine() -> str:
    """CPU model, cores and vector extensions, e.g. ``AMD EPYC, 2 cores, AVX-512``."""
    import os
    from pathlib import Path

    model, flags = "unknown CPU", ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and model == "unknown CPU":
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags") and not flags:
                flags = line
    except OSError:
        import platform

        model = platform.processor() or platform.machine()
    vec = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "no AVX2"
    return f"{model}, {os.cpu_count()} cores, {vec}"


def gemm_gflops(dtype: str = "float64", n: int = 1000, seconds: float = 0.5) -> float:
    """Single-thread (as set by the caller) matrix-product speed of numpy's BLAS, GFLOP/s (median of 5)."""
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((n, n)).astype(dtype) for _ in range(2))
    c = np.empty((n, n), dtype)
    np.matmul(a, b, out=c)
    reps = max(1, int(seconds / 5 * 1e9 / (2 * n ** 3)))
    rates = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(reps):
            np.matmul(a, b, out=c)
        rates.append(2 * n ** 3 * reps / (time.perf_counter() - t0) / 1e9)
    return statistics.median(rates)


def learner_flops(N: int = 800, D: int = 2, h: int = 1000, K: int = 2) -> float:
    """Dense FLOPs of one iteration of the learner's network: five products, bias add and its sum."""
    products = 2 * N * D * h * 2 + 2 * N * h * K * 3  # X·W, ∂W; H·W2, ∂W2, ∂H
    return float(products + 2 * N * h)


def floor(rows: list[dict]) -> dict:
    """The learner network's dense floor in both dtypes, and the fraction of it the ``learner`` row reached."""
    mflop = learner_flops() / 1e6
    out: dict = {"mflop": mflop}
    learner = next((r for r in rows if r["name"] == "learner"), None)
    for dt in ("float64", "float32"):
        gflops = gemm_gflops(dt)
        floor_ms = mflop / gflops  # MFLOP / (GFLOP/s) = ms
        ms = learner["ms_per_iter"][f"chainrule-{dt}"] if learner else None
        out[dt] = {"gflops": gflops, "floor_ms": floor_ms, "ms": ms,
                   "fraction": floor_ms / ms if ms else None}
    return out
