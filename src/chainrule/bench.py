"""Side-by-side timing of the learner's loop and every engine, in one process.

Each engine runs ``iterations`` iterations from the same data and initial
weights (the learner's, ``prepare(TrainConfig())``); engines take turns
(round robin) for ``blocks`` blocks and the median ms/iteration is kept, so a
machine that changes speed mid-run hurts every row alike.  Rows:

``learner``          the learner's loop exactly as written (``print`` silenced)
``reference``        :func:`chainrule.training.run_reference` (readable numpy)
``fast-float64``     :mod:`chainrule.fast`, the default engine
``fast-float32``     the same kernel in float32
``pytorch-float32``  PyTorch CPU autograd, if importable
``sklearn-mlp``      scikit-learn's MLPClassifier, full-batch SGD, if importable.
                     For K=2 it uses one logistic output instead of two softmax
                     scores: started from the equivalent weights (``W2[:,1]-W2[:,0]``)
                     but its gradient steps differ, so its loss differs too.
"""

from __future__ import annotations

import os
import statistics
import time
import tracemalloc
import warnings
from dataclasses import replace
from typing import Callable, Optional

import numpy as np

from chainrule.config import TrainConfig
from chainrule.errors import ChainruleError
from chainrule.network import MLP
from chainrule.training import prepare, run_reference

Runner = Callable[[int], tuple[list, Optional[tuple[float, float]]]]


def _learner_code(iterations_name: str = "_iterations"):
    """The learner's loop (from ``step_size = ...`` on) compiled once, range(3000) -> range(n)."""
    from chainrule.learner import SOURCE

    start = SOURCE.index("step_size = 1e-0")
    body = SOURCE[start:].replace("range(3000)", f"range({iterations_name})")
    return compile(body, "<learner>", "exec")


def _copy(params):
    return [(W.copy(), b.copy()) for W, b in params]


def make_runners(config: TrainConfig, torch_ok: bool = True, sklearn_ok: bool = True):
    """name -> run(n) returning (final params or None, (loss, accuracy) or None)."""
    data, params0, _ = prepare(config)
    X, y = data.X, data.y
    runners: dict[str, Runner] = {}
    code = _learner_code()

    def learner(n):
        (W, b), (W2, b2) = _copy(params0)
        ns = {"np": np, "X": X, "y": y, "W": W, "b": b, "W2": W2, "b2": b2, "_iterations": n,
              "print": lambda *a, **k: None}
        exec(code, ns)
        return [(ns["W"], ns["b"]), (ns["W2"], ns["b2"])], None

    def reference(n):
        cfg = replace(config, iterations=n, engine="reference")
        p = _copy(params0)
        run_reference(cfg, X, y, p, prepare(cfg)[2])
        return p, None

    def fast_run(dtype):
        from chainrule import fast

        def run(n):
            cfg = replace(config, iterations=n, dtype=dtype)
            p, _ = fast.run(cfg, X, y, _copy(params0), prepare(cfg)[2])
            return [(W.astype(np.float64), b.astype(np.float64)) for W, b in p], None
        return run

    runners["learner"] = learner
    runners["reference"] = reference
    runners["fast-float64"] = fast_run("float64")
    runners["fast-float32"] = fast_run("float32")
    if torch_ok:
        try:
            import torch
        except ImportError:
            torch = None
        if torch is not None:
            def torch_run(n):
                Xt = torch.tensor(X, dtype=torch.float32)
                yt = torch.tensor(y, dtype=torch.int64)
                ps = [torch.tensor(a, dtype=torch.float32, requires_grad=True)
                      for pair in params0 for a in pair]
                W, b, W2, b2 = ps
                for _ in range(n):
                    scores = torch.relu(Xt @ W + b) @ W2 + b2
                    loss = torch.nn.functional.cross_entropy(scores, yt)
                    loss.backward()
                    with torch.no_grad():
                        for p in ps:
                            p -= config.lr * p.grad
                            p.grad = None
                arr = [p.detach().numpy().astype(np.float64) for p in ps]
                return [(arr[0], arr[1]), (arr[2], arr[3])], None
            runners["pytorch-float32"] = torch_run
    if sklearn_ok and len(config.hidden) == 1 and data.classes == 2:
        try:
            from sklearn.neural_network import MLPClassifier
        except ImportError:
            MLPClassifier = None
        if MLPClassifier is not None:
            def sklearn_run(n):
                from sklearn.exceptions import ConvergenceWarning
                from sklearn.metrics import log_loss

                (W, b), (W2, b2) = params0
                clf = MLPClassifier(hidden_layer_sizes=config.hidden, activation="relu",
                                    solver="sgd", batch_size=len(y), learning_rate_init=config.lr,
                                    momentum=0.0, alpha=0.0, max_iter=1, shuffle=False,
                                    tol=0.0, n_iter_no_change=10**9, warm_start=True,
                                    random_state=0)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    clf.fit(X, y)  # one epoch to build the layers; weights replaced below
                    clf.coefs_ = [W.copy(), (W2[:, 1:2] - W2[:, 0:1]).copy()]
                    clf.intercepts_ = [b[0].copy(), (b2[0, 1:2] - b2[0, 0:1]).copy()]
                    clf.max_iter = n
                    clf.fit(X, y)
                loss = float(log_loss(y, clf.predict_proba(X)))
                return None, (loss, float(clf.score(X, y)))
            runners["sklearn-mlp"] = sklearn_run
    return runners, data


def _final(config, data, params, extra):
    if extra is not None:
        return extra
    net = MLP(params, activation=config.activation, loss=config.loss, reg=config.reg)
    return float(net.loss(data.X, data.y)), float(np.mean(net.predict(data.X) == data.y))


def set_threads(n: int) -> None:
    """Threads for numba, BLAS (threadpoolctl) and torch."""
    import numba

    numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(n)
    except ImportError:  # pragma: no cover
        pass
    try:
        import torch

        torch.set_num_threads(n)
    except ImportError:
        pass


SETTLE = 0.3
"""Seconds of pause before each timed block.  OpenBLAS and OpenMP worker threads
busy-wait for a while after a BLAS call; without the pause, the row that follows
the learner's loop or PyTorch shares its two cores with those spinning threads,
which no real run of that row alone would do."""


def run_bench(iterations: int = 100, blocks: int = 5, threads: int = 2,
              config: Optional[TrainConfig] = None, engines: Optional[list[str]] = None,
              torch_ok: bool = True, sklearn_ok: bool = True) -> dict:
    """Time every engine in alternation; returns ``{"rows": [...], "threads": n, ...}``."""
    config = config or TrainConfig()
    set_threads(threads)
    runners, data = make_runners(config, torch_ok, sklearn_ok)
    if engines:
        runners = {k: v for k, v in runners.items() if k in engines or k == "learner"}
    for run in runners.values():  # warm-up: compile, first-touch allocations
        run(2)
    times: dict[str, list[float]] = {k: [] for k in runners}
    finals: dict[str, tuple[float, float]] = {}
    for _ in range(blocks):
        for name, run in runners.items():
            time.sleep(SETTLE)  # let the previous row's BLAS/OpenMP workers stop spinning
            t0 = time.perf_counter()
            params, extra = run(iterations)
            times[name].append((time.perf_counter() - t0) / iterations * 1e3)
            finals[name] = _final(config, data, params, extra)
    base = statistics.median(times["learner"])
    rows = []
    for name in runners:
        ms = statistics.median(times[name])
        rows.append({"name": name, "ms_per_iter": ms, "ratio_vs_learner": base / ms,
                     "final_loss": finals[name][0], "accuracy": finals[name][1]})
    return {"rows": rows, "threads": threads, "iterations": iterations, "blocks": blocks,
            "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", "(unset)")}


def run_scaling(Ns=(800, 8000, 80000), hs=(100, 1000, 4000), budget: float = 4e8,
                dtype: str = "float64") -> list[dict]:
    """Fast engine on spiral data of N points and one hidden layer of h units.

    ms/iteration is the marginal cost: (time of 1 + n iterations − time of 1
    iteration) / n, with n about ``budget / (N*h)`` (at least 3), so the
    one-off set-up (the tile plan) is not spread over a handful of
    iterations; a first untimed run loads the kernel.  Peak extra memory is what numpy allocates during a
    1-iteration run beyond its inputs (tracemalloc, timed separately).
    """
    from chainrule import fast

    out = []
    for N in Ns:
        for h in hs:
            cfg = TrainConfig(points=N // 2, hidden=(h,), iterations=1, dtype=dtype, log_every=0)
            data, params, rng = prepare(cfg)
            n = max(3, int(budget / (N * h)))
            fast.run(cfg, data.X, data.y, _copy(params), rng)  # load this size's kernel first
            seconds = []
            for iters in (1, 1 + n):
                run = replace(cfg, iterations=iters)
                t0 = time.perf_counter()
                fast.run(run, data.X, data.y, _copy(params), rng)
                seconds.append(time.perf_counter() - t0)
            tracemalloc.start()
            fast.run(cfg, data.X, data.y, _copy(params), rng)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            ms = max(seconds[1] - seconds[0], 0.0) / n * 1e3
            out.append({"N": N, "h": h, "iterations": n, "ms_per_iter": ms,
                        "ns_per_N_h": ms * 1e6 / (N * h), "peak_extra_mb": peak / 2**20,
                        "setup_ms": seconds[0] * 1e3,
                        "N_h_array_mb": N * h * np.dtype(dtype).itemsize / 2**20})
    return out


def compile_costs(runs: int = 3) -> dict:
    """Cold and warm start of the commands a learner runs first, in fresh processes.

    *Cold* is the first run after installing: empty caches (a new
    ``CHAINRULE_CACHE_DIR`` and ``NUMBA_CACHE_DIR``), so the default
    network's ahead-of-time kernel is compiled first.  *Warm* reruns the same
    command with those caches (median of ``runs``).  Timed: ``chainrule train``
    with its defaults (3000 iterations and both plots, into a temporary
    folder) and ``chainrule explain`` (the default report, on stdout sent to
    /dev/null).  Also ``first_run_s`` / ``warm_run_s``: building and then
    loading every compiled kernel (``chainrule.fast.warmup``).  Seconds.
    """
    import subprocess
    import sys
    import tempfile

    warm = ("import time; t=time.perf_counter(); from chainrule import fast; "
            "fast.warmup(); print(time.perf_counter()-t)")
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        commands = {"train": [sys.executable, "-m", "chainrule", "train", "--out", tmp + "/run",
                              "--force"],
                    "explain": [sys.executable, "-m", "chainrule", "explain"]}
        for name, command in commands.items():
            cache = tempfile.mkdtemp(dir=tmp)
            env = dict(os.environ, NUMBA_CACHE_DIR=cache, CHAINRULE_CACHE_DIR=cache)
            times = [_wall(command, env) for _ in range(1 + max(1, runs))]
            out[f"{name}_cold_s"], out[f"{name}_warm_s"] = times[0], statistics.median(times[1:])
        cache = tempfile.mkdtemp(dir=tmp)
        env = dict(os.environ, NUMBA_CACHE_DIR=cache, CHAINRULE_CACHE_DIR=cache)
        for key in ("first_run_s", "warm_run_s"):
            result = subprocess.run([sys.executable, "-c", warm], env=env, capture_output=True,
                                    text=True, check=True)
            out[key] = float(result.stdout.split()[-1])
    return out


def _wall(command: list[str], env: dict) -> float:
    """Seconds one command takes, output discarded; a failure is reported in one paragraph."""
    import subprocess

    t0 = time.perf_counter()
    done = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        said = " ".join(done.stderr.split()[-60:])
        raise ChainruleError(f"--compile-cost: `{' '.join(command[2:])}` failed (exit code "
                             f"{done.returncode}) and was not timed. It said: {said or 'nothing'}.",
                             exit_code=1)
    return seconds


def train_wall(runs: int = 5, args: tuple[str, ...] = ()) -> dict:
    """Wall time of the whole ``chainrule train`` command, as a learner runs it, on a warm cache.

    Each run is a fresh ``python -m chainrule train`` on a pseudo-terminal
    (so the progress bar is drawn), writing its plots into a temporary
    folder; ``--no-plots`` runs alternate with the default ones.  Returns the
    median and every run, in seconds: ``{"plots_s", "no_plots_s", "runs"}``.
    """
    import pty
    import subprocess
    import sys
    import tempfile
    import threading

    def once(extra: tuple[str, ...], out: str) -> float:
        command = [sys.executable, "-m", "chainrule", "train", "--out", out, "--force", *args, *extra]
        master, slave = pty.openpty()
        output: list[bytes] = []
        drain = threading.Thread(target=_drain, args=(master, output), daemon=True)
        drain.start()
        t0 = time.perf_counter()
        code = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave).returncode
        seconds = time.perf_counter() - t0
        os.close(slave)
        drain.join(timeout=5)
        os.close(master)
        if code != 0:
            said = " ".join(b"".join(output).decode(errors="replace").split()[-60:]).rstrip(".")
            raise ChainruleError(f"--train-wall: `chainrule train {' '.join(command[4:])}` failed (exit code "
                                 f"{code}) and was not timed. It said: {said or 'nothing'}. Run that "
                                 f"command by itself to see why, then time again.", exit_code=1)
        return seconds

    runs_out: dict[str, list[float]] = {"plots": [], "no_plots": []}
    with tempfile.TemporaryDirectory() as tmp:
        once((), tmp)  # warm the caches (and build the kernel on a first run)
        for _ in range(max(1, runs)):
            runs_out["plots"].append(once((), tmp))
            runs_out["no_plots"].append(once(("--no-plots",), tmp))
    return {"plots_s": statistics.median(runs_out["plots"]),
            "no_plots_s": statistics.median(runs_out["no_plots"]), "runs": runs_out}


def _drain(fd: int, output: list[bytes]) -> None:
    """Read a pseudo-terminal into ``output`` until it closes, so the child never blocks on a full buffer."""
    try:
        while chunk := os.read(fd, 65536):
            output.append(chunk)
    except OSError:
        pass
