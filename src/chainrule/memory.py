"""How much memory a training run needs, measured against what the machine has, before it starts.

A run that does not fit is refused with one paragraph and a size that does
fit, instead of growing until the kernel's out-of-memory killer ends it
without a word.  The estimate is the sum of the parts below (bytes); the
factors were measured with ``ru_maxrss`` (see the README, "Memory"):

* the data: ``X`` (N, D) float64 and a copy in the run's dtype, ``y`` (N,);
* the parameters ``P = Σ (fan_in + 1) · fan_out`` with their gradients and
  optimizer state (the fast engine packs them once more for its kernels);
* the activations: the reference engine keeps about 5 arrays of
  ``batch × widest layer`` per iteration (Z, H, ∂H, ∂Z and a temporary);
  the fast engine works on row tiles, O(N + h);
* the final evaluation, done in row blocks of at most :data:`EVAL_BLOCK_BYTES`
  (about 4 such arrays alive: the block's Z, H and the cached layer inputs);
* for the fast engine, numba compiling a kernel (once per machine and shape);
* the decision-boundary plot, predicted 256 grid points at a time in the
  helper process, plus matplotlib itself.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Optional

EVAL_BLOCK_BYTES = 64 * 2**20  # final loss/accuracy: rows evaluated per block so a block stays this size
REFERENCE_ARRAYS = 5  # (batch, width) arrays alive at once in one reference iteration (measured 4.2)
PLOT_CHUNK = 256  # grid points per predict call of the boundary plot (chainrule.plots.figure)
BASE_BYTES = 150 * 2**20  # Python, numpy, matplotlib in the plot helper
JIT_BYTES = 600 * 2**20  # numba compiling a kernel the first time (measured up to ~400 MB above a warm run)
HEADROOM = 0.9  # refuse above this share of the available memory


def eval_rows(width: int) -> int:
    """Rows per block of the final evaluation: the block's (rows, width) float64 array ≤ EVAL_BLOCK_BYTES."""
    return max(1, EVAL_BLOCK_BYTES // (8 * max(1, width)))


def estimate(config, n: int, d: int, k: int, plots: bool = True) -> dict[str, int]:
    """The bytes a run of ``config`` on N = ``n`` rows, D = ``d`` features, K = ``k`` classes needs, by part."""
    item = 4 if config.dtype == "float32" else 8
    sizes = [d, *config.hidden, k]
    params = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
    width = max(sizes[1:])
    state = {"gd": 0, "sgd": 0, "momentum": 1, "adam": 2}.get(config.optimizer, 2)
    batch = n if config.batch is None else min(n, config.batch)
    parts = {"data": n * d * (8 + item) + n * 16}
    if config.engine == "reference":
        parts["parameters"] = params * (8 + item * (2 + state))
        parts["activations"] = REFERENCE_ARRAYS * batch * width * item
    else:
        parts["parameters"] = params * (8 + item * 7)
        parts["activations"] = 64 * width * item + 16 * n * 8 + 8 * sum(sizes) * item
        parts["kernel compile"] = JIT_BYTES
    parts["evaluation"] = 4 * min(n, eval_rows(width)) * width * 8
    if plots and d == 2:
        parts["boundary plot"] = 3 * PLOT_CHUNK * width * 8 + BASE_BYTES
    return parts


def available() -> Optional[int]:
    """Bytes this process may still use: MemAvailable, or the cgroup limit if lower; None if unknown."""
    found = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if limit != "max":
            used = int(Path("/sys/fs/cgroup/memory.current").read_text().strip())
            found.append(int(limit) - used)
    except (OSError, ValueError):
        pass
    return min(found) if found else None


def check(config, n: int, d: int, k: int, plots: bool = True, have: Optional[int] = None) -> int:
    """Refuse (ChainruleError, exit 2) a run that needs more memory than is available; the estimate in bytes."""
    parts = estimate(config, n, d, k, plots)
    need = sum(parts.values())
    have = available() if have is None else have
    if have is None or need <= HEADROOM * have:
        return need
    from chainrule.errors import ChainruleError

    biggest = max(parts, key=parts.get)
    raise ChainruleError(
        f"This run needs about {gb(need)} of memory ({biggest} {gb(parts[biggest])}: "
        f"{_why(config, biggest, n, d, k)}), but this machine has {gb(have)} available, so it would be "
        f"stopped by the system partway. {_suggest(config, n, d, k, plots, have)}",
        option=_option_for(config, biggest))


def gb(nbytes: float) -> str:
    """``1.5 GB``, ``320 MB``: memory for people."""
    return f"{nbytes / 1e9:.1f} GB" if nbytes >= 1e9 else f"{max(nbytes, 1e6) / 1e6:.0f} MB"


def _why(config, part: str, n: int, d: int, k: int) -> str:
    width = max([*config.hidden, k])
    if part == "activations" and config.engine == "reference":
        batch = n if config.batch is None else min(n, config.batch)
        return (f"the reference engine keeps about {REFERENCE_ARRAYS} arrays of batch × widest layer = "
                f"{batch} × {width} numbers per iteration")
    if part == "parameters":
        return f"the weights of layers {'→'.join(map(str, [d, *config.hidden, k]))} with gradients and optimizer state"
    if part == "data":
        return f"{n} rows × {d} features"
    return f"{part} for a layer of {width} units"


def _option_for(config, part: str) -> str:
    return "--points" if part == "data" else "--hidden"


def _suggest(config, n: int, d: int, k: int, plots: bool, have: int) -> str:
    """A smaller run that fits: fewer hidden units (same depth), or the fast engine."""
    from dataclasses import replace

    tips = []
    if config.engine == "reference":
        fast = replace(config, engine="fast")
        if sum(estimate(fast, n, d, k, plots).values()) <= HEADROOM * have:
            tips.append("--engine fast (it needs no N × h arrays)")
    lo, hi = 1, max(config.hidden)
    while lo < hi:  # the widest layer that fits, the other layers scaled alike
        mid = (lo + hi + 1) // 2
        if sum(estimate(_scaled(config, mid), n, d, k, plots).values()) <= HEADROOM * have:
            lo = mid
        else:
            hi = mid - 1
    if sum(estimate(_scaled(config, lo), n, d, k, plots).values()) <= HEADROOM * have:
        tips.append(f"--hidden {','.join(map(str, _scaled(config, _round_down(lo)).hidden))}")
    if not tips:
        return "Use a smaller data set (fewer rows) and a smaller --hidden."
    return "Try " + " or ".join(tips) + "."


def _scaled(config, widest: int):
    from dataclasses import replace

    top = max(config.hidden)
    return replace(config, hidden=tuple(max(1, h * widest // top) for h in config.hidden))


def _round_down(x: int) -> int:
    """1234567 → 1000000, 3456 → 3000: a size a person would type."""
    if x < 10:
        return x
    p = 10 ** int(math.log10(x))
    return (x // p) * p
