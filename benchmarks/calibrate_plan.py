"""Refit the cost model that picks the rows or the BLAS path (:mod:`chainrule.fast.plan`).

Run ``python benchmarks/calibrate_plan.py float64 90`` (and ``float32``): it
times both paths, alternating, on random networks (depth 1-4, widths
16-1024, every activation, K 2-10, batches 1 to full), one thread, then fits
the model's coefficients by non-negative least squares on relative error
(needs scipy) and prints them in the form of ``plan.ROWS`` / ``plan.BLAS``,
with how often the model's pick is within 10% of the faster path.  Paste the
numbers into ``plan.py`` when the machine changes.
"""

from __future__ import annotations

import json
import random
import sys
import time

import numpy as np

from chainrule.bench import set_threads
from chainrule.config import TrainConfig
from chainrule.fast import Session

ACTS = ("relu", "leaky_relu", "tanh", "sigmoid")


def measure(dtype: str, count: int, seed: int = 1) -> list[dict]:
    random.seed(seed)
    set_threads(1)
    out = []
    for _ in range(count):
        depth = random.choice([1, 1, 2, 2, 3, 4])
        w = random.choice([16, 32, 64, 128, 256, 512, 1024] if depth < 3 else [16, 32, 64, 128, 256])
        act, K = random.choice(ACTS), random.choice([2, 3, 5, 10])
        B = random.choice([1, 4, 16, 32, 64, 128, 256, 512, None])
        fields = dict(hidden=(w,) * depth, activation=act, classes=K, dataset="gaussian",
                      points=random.choice([100, 400, 1000] if K <= 5 else [80, 200]),
                      optimizer="sgd" if B else "gd", batch_size=B, step_size=0.01, dtype=dtype)
        sessions = {p: Session(TrainConfig(**fields, extra={"path": p})) for p in ("rows", "blas")}
        for s in sessions.values():
            s.step(2)
        t0 = time.process_time()
        sessions["blas"].step(3)
        n = int(max(3, min(3000, 0.03 / max((time.process_time() - t0) / 3, 1e-7))))
        times: dict[str, list[float]] = {p: [] for p in sessions}
        for _ in range(5):
            for p, s in sessions.items():
                s.reset()
                t0 = time.process_time()
                s.step(n)
                times[p].append((time.process_time() - t0) / n * 1e6)
        out.append(dict(depth=depth, w=w, act=act, K=K, B=sessions["rows"].batch,
                        us_rows=min(times["rows"]), us_blas=min(times["blas"])))
        print(out[-1], flush=True)
    return out


def features(r: dict) -> tuple[list[float], list[float]]:
    sizes = [2] + [r["w"]] * r["depth"] + [r["K"]]
    pairs = list(zip(sizes[:-1], sizes[1:]))
    B, K = r["B"], r["K"]
    macs = 3 * sum(a * c for a, c in pairs)
    hidden, params = sum(sizes[1:-1]), sum(a * c + c for a, c in pairs)
    relu = r["act"] == "relu"
    units = [B * hidden * (r["act"] == a) for a in ACTS]
    rows = [1, B * macs * relu, B * macs * (not relu), *units, B * K, B, params]
    thin = 3 * B * sum(max(a, c) for a, c in pairs)
    blas = [1, len(pairs), B * macs, thin, *units, B * K, params]
    return rows, blas


def fit(data: list[dict]) -> None:
    from scipy.optimize import nnls

    FR = np.array([features(r)[0] for r in data], float)
    FB = np.array([features(r)[1] for r in data], float)
    tr = np.array([r["us_rows"] for r in data])
    tb = np.array([r["us_blas"] for r in data])
    cr = nnls(FR / tr[:, None], np.ones(len(tr)))[0]
    cb = nnls(FB / tb[:, None], np.ones(len(tb)))[0]
    names_r = ["r0", "mac_relu", "mac", "unit relu", "leaky", "tanh", "sigmoid", "out", "row", "param"]
    names_b = ["e0", "layer", "g", "thin", "unit relu", "leaky", "tanh", "sigmoid", "out", "param"]
    print("ROWS", dict(zip(names_r, np.round(cr, 5).tolist())))
    print("BLAS", dict(zip(names_b, np.round(cb, 5).tolist())))
    best = np.minimum(tr, tb)
    chosen = np.where(FR @ cr <= FB @ cb, tr, tb) / best
    print(f"{len(data)} networks; pick within 10% of the faster path: {np.mean(chosen <= 1.1):.0%}, "
          f"worst {chosen.max():.2f}x")


if __name__ == "__main__":
    dtype, count = sys.argv[1], int(sys.argv[2])
    rows = measure(dtype, count)
    json.dump(rows, open(f"calibration_{dtype}.json", "w"))
    fit(rows)
