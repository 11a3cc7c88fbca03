"""Which kernel runs a config, and why.

Four paths, all giving the reference engine's numbers (float64: to a few
ulps, the BLAS path bit for bit up to :data:`chainrule.fast.blas.CHUNK` rows):

``tiled``  the learner's shape (D=2 -> h ReLU -> K=2), full batch: rows sorted
           into spatial tiles, units decided on/off per tile (ahead of time).
``fused``  the learner's shape with mini-batches: four rows at a time over
           all units, one pass forward and one backward.
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

AOT_PATHS = ("tiled", "rows")  # paths with an ahead-of-time compiled module
PATHS = ("tiled", "fused", "rows", "blas")

# rows kernel, per row: ns per multiply-add (forward, ∂W and ∂input each count),
# ns per hidden unit for the activation (relu, leaky, tanh, sigmoid); per parameter per iteration
ROWS_NS_PER_MAC = {"float64": 0.13, "float32": 0.09}
ROWS_NS_PER_UNIT = (1.0, 1.5, 6.0, 7.0)
ROWS_NS_PER_PARAM = 1.0
# BLAS path: per-iteration Python and call overhead (µs) per layer, ns per element pass, GFLOP/s
BLAS_US_PER_LAYER = 14.0
BLAS_US_FIXED = 12.0
BLAS_NS_PER_ELEMENT = (2.0, 3.5, 3.0, 6.0)  # activation forward + backward, per hidden unit and row
BLAS_GFLOPS = {"float64": 45.0, "float32": 90.0}
BLAS_THIN = 8  # a product with an inner or outer size this small runs at memory speed
BLAS_NS_PER_THIN_MAC = {"float64": 0.35, "float32": 0.25}
BLAS_NS_PER_PARAM = 1.5


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
    params = sum(a * c + c for a, c in pairs)
    hidden = sum(sizes[1:-1])
    macs = sum(a * c for a, c in pairs)
    rows = batch * (3 * macs * ROWS_NS_PER_MAC[dtype] + hidden * ROWS_NS_PER_UNIT[act])
    rows = (rows + params * ROWS_NS_PER_PARAM) / 1e3
    gemm = 0.0
    for a, c in pairs:
        if min(a, c) <= BLAS_THIN:
            gemm += 3 * batch * a * c * BLAS_NS_PER_THIN_MAC[dtype]
        else:
            gemm += 6 * batch * a * c / BLAS_GFLOPS[dtype]
    blas = gemm + batch * hidden * BLAS_NS_PER_ELEMENT[act] + params * BLAS_NS_PER_PARAM
    blas = blas / 1e3 + BLAS_US_FIXED + BLAS_US_PER_LAYER * len(pairs)
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
        return Plan("fused", "the learner's shape, mini-batches")
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
