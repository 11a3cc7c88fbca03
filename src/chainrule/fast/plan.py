"""Which kernel runs a config, and why.

Four paths, all giving the reference engine's numbers (float64: to a few ulps):

``tiled``  the learner's shape (D=2 -> h ReLU -> K=2), full batch: rows sorted
           into spatial tiles, units decided on/off per tile (ahead of time).
``fused``  the learner's shape with mini-batches of 4 rows or more: four rows
           at a time over all units, one pass forward and one backward.
``rows``   any network, four rows at a time, every iteration of a chunk in one
           compiled call (:mod:`chainrule.fast.generic`): no Python per
           iteration, nothing of size batch x width in memory.  Wins when the
           per-iteration work is small: small batches, narrow layers, thin
           first/last layers (D=2, small K).
``blas``   layer by layer through numpy's BLAS into preallocated buffers
           (:mod:`chainrule.fast.blas`): wins when wide hidden-to-hidden
           products dominate, and for tanh/sigmoid on big batches (numpy's
           SIMD ``tanh``/``exp``).  Needs no compiler.

Between ``rows`` and ``blas`` the choice is a cost model (:func:`costs`),
microseconds per iteration, fitted to measurements on the 2-core AMD EPYC
(Zen 4, AVX-512) this was developed on; it only has to rank the two paths,
and where they are within ~20% of each other either is fine.  The choice
depends only on the config and the data's shape, never on timings taken at
run time, so the same command always takes the same path (and gives the
same numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

AOT_PATHS = ("tiled", "rows")
FUSED_MIN_BATCH = 4  # fused pads to groups of four rows: a batch of 1 took 13.6 µs there, 8.9 µs on rows  # paths with an ahead-of-time compiled module
PATHS = ("tiled", "fused", "rows", "blas")

# The cost model's coefficients (µs), fitted by non-negative least squares on relative error to
# alternating measurements (CPU time, one thread) of both paths on 100 random networks per dtype
# (depth 1-4, widths 16-1024, every activation, K 2-10, batches 1 to 5000) with
# benchmarks/calibrate_plan.py: its pick was within 10% of the faster path for 96 of them, at
# worst 1.44x (float64) / 1.73x (float32) slower.
# Features, per iteration: rows = r0 + B·(mac·3Σ fan_in·fan_out + unit[act]·Σ hidden + out·K + row)
# + param·P; blas = e0 + layer·L + g·3BΣ a·c + thin·3BΣ max(a, c) + B·(unit[act]·Σ hidden + out·K) + param·P.
ROWS = {
    "float64": dict(r0=1.686, mac_relu=0.0001, mac=0.00013, unit=(0.0, 0.0, 0.00812, 0.00682),
                    out=0.00697, row=0.2248, param=0.00199),
    "float32": dict(r0=1.490, mac_relu=0.00006, mac=0.00006, unit=(0.0, 0.00024, 0.00672, 0.00565),
                    out=0.00539, row=0.3474, param=0.00164),
}
BLAS = {
    "float64": dict(e0=20.80, layer=10.58, g=0.00004, thin=0.0, unit=(0.00229, 0.00333, 0.00396, 0.00529),
                    out=0.00803, param=0.00199),
    "float32": dict(e0=33.85, layer=4.94, g=0.00002, thin=0.0, unit=(0.00122, 0.0027, 0.00112, 0.00313),
                    out=0.01725, param=0.00175),
}


@dataclass(frozen=True)
class Plan:
    path: str  # tiled | fused | rows | blas
    reason: str  # one line for --json and the docs
    rows_us: float = 0.0  # the cost model's estimates (0 when not compared)
    blas_us: float = 0.0


def _numba_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("numba") is not None


def costs(sizes: list[int], batch: int, act: int, dtype: str) -> tuple[float, float]:
    """Estimated µs per iteration of the rows and the BLAS path for layer sizes ``sizes``."""
    pairs = list(zip(sizes[:-1], sizes[1:]))
    B, K = batch, sizes[-1]
    macs = 3 * sum(a * c for a, c in pairs)
    hidden = sum(sizes[1:-1])
    params = sum(a * c + c for a, c in pairs)
    r, e = ROWS[dtype], BLAS[dtype]
    rows = (r["r0"] + B * ((r["mac_relu"] if act == 0 else r["mac"]) * macs + r["unit"][act] * hidden
                           + r["out"] * K + r["row"]) + r["param"] * params)
    blas = (e["e0"] + e["layer"] * len(pairs) + e["g"] * B * macs
            + e["thin"] * 3 * B * sum(max(a, c) for a, c in pairs)
            + B * (e["unit"][act] * hidden + e["out"] * K) + e["param"] * params)
    return rows, blas


def choose(config, sizes: list[int], n_rows: int, batch: int) -> Plan:
    """The path for ``config`` on data of ``n_rows`` rows, ``batch`` rows per iteration."""
    from chainrule.fast import tiles
    from chainrule.fast.codes import ACTIVATION_CODES
    from chainrule.fast.engine import _key

    extra = config.extra or {}
    forced = extra.get("path") or ("rows" if extra.get("generic") else None)
    if forced is not None:
        if forced not in PATHS:
            raise ValueError(f"unknown fast path {forced!r}; choose one of {', '.join(PATHS)}")
        if forced in ("tiled", "fused") and not tiles.covers(config, sizes):
            raise ValueError(f"the {forced} kernel only runs D=2 -> h ReLU -> K=2 networks")
        return Plan(forced, "asked for in config.extra")
    if not _numba_available():
        return Plan("blas", "numba is not installed: the BLAS path needs no compiler")
    full = batch >= n_rows
    if tiles.covers(config, sizes):
        if full:
            return Plan("tiled", "the learner's shape, full batch")
        if batch >= FUSED_MIN_BATCH:
            return Plan("fused", "the learner's shape, mini-batches")
        return Plan("rows", f"the learner's shape, batches under {FUSED_MIN_BATCH} rows")
    from chainrule.fast.codes import MAX_LAYERS

    if len(sizes) - 1 > MAX_LAYERS:
        return Plan("blas", f"deeper than the rows kernel's {MAX_LAYERS} layers")
    rows, blas = costs(sizes, batch, ACTIVATION_CODES[_key(config.activation)], config.dtype)
    path = "rows" if rows <= blas else "blas"
    return Plan(path, f"cost model: rows {rows:.0f} µs, blas {blas:.0f} µs per iteration", rows, blas)


def guess(config) -> str:
    """The path ``config`` will most likely take, before its data is loaded (CSV: D and K unknown)."""
    from chainrule.fast import tiles

    if tiles.learner_shape(config):
        return "tiled"
    if config.dataset.startswith("csv:"):
        return "rows"
    N = config.points * config.classes
    batch = config.batch if config.batch is not None and config.batch < N else N
    return choose(config, [2, *config.hidden, config.classes], N, batch).path
