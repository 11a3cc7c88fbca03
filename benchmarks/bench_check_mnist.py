"""Cost of ``chainrule check`` on an MNIST-size script, against the script's own cost.

The script (written to a temporary folder) is a column-major (deeplearning.ai / Kaggle style)
two-layer network on 60 000 synthetic 28×28 "images": X is (784, 60000), a ReLU hidden layer,
a softmax over 10 classes, cross-entropy, full-batch gradient descent.  Measured side by side,
alternating, median of ``--repeat`` runs, each in a fresh process:

* the script alone with 4 iterations, timed from inside (its set-up ``t_setup`` until the loop starts,
  ``t_iter`` the median of its iterations) and its peak memory (max RSS, with one iteration);
* ``chainrule check SCRIPT --json``: wall time and peak memory.

Targets (issue 11): peak memory of check ≤ 2 × the script's + 300 MB; time of check (a whole
``chainrule check`` process: interpreter start, imports, the script's set-up and its iteration, the
analysis) minus the script's own set-up ≤ 3 × t_iter + 3 s.  Usage::

    python benchmarks/bench_check_mnist.py [--hidden 128] [--examples 60000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

SCRIPT = '''
import time
import numpy as np
_t0 = time.perf_counter()
_marks = []

np.random.seed(0)
m = {examples}
X = np.random.rand(784, m)                      # (784, m): one example per column
labels = np.random.randint(0, 10, size=m)
Y = np.zeros((10, m))
Y[labels, np.arange(m)] = 1.0
W1 = np.random.randn({hidden}, 784) * 0.01
b1 = np.zeros(({hidden}, 1))
W2 = np.random.randn(10, {hidden}) * 0.01
b2 = np.zeros((10, 1))
alpha = 0.1
for i in range({iterations}):
    _marks.append(time.perf_counter())
    Z1 = W1.dot(X) + b1
    A1 = np.maximum(Z1, 0)
    Z2 = W2.dot(A1) + b2
    E = np.exp(Z2 - Z2.max(axis=0, keepdims=True))
    A2 = E / E.sum(axis=0, keepdims=True)
    cost = -np.sum(Y * np.log(A2 + 1e-12)) / m
    dZ2 = A2 - Y
    dW2 = dZ2.dot(A1.T) / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = W2.T.dot(dZ2) * (Z1 > 0)
    dW1 = dZ1.dot(X.T) / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    W1 = W1 - alpha * dW1
    b1 = b1 - alpha * db1
    W2 = W2 - alpha * dW2
    b2 = b2 - alpha * db2
_marks.append(time.perf_counter())
print("TIMES", _marks[0] - _t0, *[b - a for a, b in zip(_marks, _marks[1:])])
'''

MEASURE = '''
import resource, runpy, sys, time
t0 = time.perf_counter()
sys.argv = [sys.argv[1]]
runpy.run_path(sys.argv[0], run_name="__main__")
print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
'''


def script_alone(path: str, env: dict) -> tuple[float, float, list[float]]:
    """(wall seconds, peak RSS in MB, [set-up, iteration 1, iteration 2, ...] as the script timed them)."""
    out = subprocess.run([sys.executable, "-c", MEASURE, path], capture_output=True, text=True, env=env)
    lines = out.stdout.strip().splitlines()
    secs, rss_kb = lines[-1].split()
    times = [float(x) for x in next(ln for ln in lines if ln.startswith("TIMES")).split()[1:]]
    return float(secs), int(rss_kb) / 1024, times


def check(path: str, env: dict) -> tuple[float, float, dict]:
    code = ("import resource, subprocess, sys, time, json\n"
            "t0 = time.perf_counter()\n"
            "p = subprocess.run([sys.executable, '-m', 'chainrule', 'check', sys.argv[1], '--json'], "
            "capture_output=True, text=True)\n"
            "t = time.perf_counter() - t0\n"
            "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
            "print(json.dumps({'t': t, 'rss': rss, 'rc': p.returncode, 'out': p.stdout[-2000:], "
            "'err': p.stderr[-2000:]}))\n")
    out = subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True, env=env)
    d = json.loads(out.stdout.strip().splitlines()[-1])
    return d["t"], d["rss"] / 1024, d


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--examples", type=int, default=60000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    env = dict(os.environ)
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
    env["PYTHONPATH"] = os.path.abspath(src) + os.pathsep + env.get("PYTHONPATH", "")
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for it in (1, 4):
            p = os.path.join(tmp, f"mnist_{it}.py")
            with open(p, "w") as f:
                f.write(SCRIPT.format(examples=args.examples, hidden=args.hidden, iterations=it))
            paths[it] = p
        setups, iters, mems, tcs, mcs = [], [], [], [], []
        verdict = None
        for _ in range(args.repeat):  # alternating, so that machine noise hits all alike
            _, m1, _ = script_alone(paths[1], env)
            tc, mc, d = check(paths[1], env)
            _, _, times = script_alone(paths[4], env)
            setups.append(times[0]), iters.extend(times[1:]), mems.append(m1), tcs.append(tc), mcs.append(mc)
            verdict = d
        t_setup, t_iter, mem, tc, mc = (statistics.median(x) for x in (setups, iters, mems, tcs, mcs))
        result = {
            "machine": f"{os.cpu_count()} cores, {os.uname().machine}",
            "examples": args.examples, "hidden": args.hidden, "repeat": args.repeat,
            "script_peak_mb": round(mem, 1), "check_peak_mb": round(mc, 1),
            "memory_ratio": round(mc / mem, 2), "memory_budget_mb": round(2 * mem + 300, 1),
            "memory_ok": mc <= 2 * mem + 300,
            "script_setup_s": round(t_setup, 2), "script_iteration_s": round(t_iter, 2),
            "check_s": round(tc, 2), "check_minus_setup_s": round(tc - t_setup, 2),
            "time_ratio": round((tc - t_setup) / t_iter, 2), "time_budget_s": round(3 * t_iter + 3, 2),
            "time_ok": tc - t_setup <= 3 * t_iter + 3,
            "check_exit_code": verdict["rc"] if verdict else None,
        }
        print(json.dumps(result, indent=2))
        if verdict and verdict["rc"] != 0:
            print(verdict["err"] or verdict["out"], file=sys.stderr)


if __name__ == "__main__":
    main()
