"""Keep numba's on-disk cache of the kernels consistent across edits.

numba invalidates a cached function when *its own* source file changes, but
not when a function it calls from another file does (``generic.run_chunk``
inlines ``common``).  A stale entry can then crash.  So the kernels' cache is
tied to a hash of every source file numba compiles (:data:`NUMBA_SOURCES`):
when the hash changes, the package's ``.nbi``/``.nbc`` files are removed once
and everything is recompiled (first run only).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent


NUMBA_SOURCES = ("codes.py", "common.py", "fused.py", "generic.py", "tiled.py", "tiles.py")
"""The files numba compiles from (the driver, the BLAS path and the planner are plain Python)."""


def source_hash(names: tuple[str, ...] = NUMBA_SOURCES) -> str:
    """A short hash of these source files of the package (default: every file numba compiles)."""
    h = hashlib.sha256()
    for name in sorted(names):
        h.update(name.encode())
        h.update((HERE / name).read_bytes())
    return h.hexdigest()[:16]


def _cache_dirs() -> list[Path]:
    dirs = [HERE / "__pycache__"]
    base = os.environ.get("NUMBA_CACHE_DIR")
    if base:  # numba mirrors the source directory below NUMBA_CACHE_DIR
        dirs.append(Path(base) / str(HERE).lstrip(os.sep))
    return dirs


def ensure_fresh() -> None:
    """Drop cached kernels compiled from other versions of these sources."""
    stamp = source_hash()
    for d in _cache_dirs():
        marker = d / "chainrule-fast.hash"
        try:
            if marker.exists() and marker.read_text() == stamp:
                continue
            if d.is_dir():
                for f in list(d.glob("*.nbi")) + list(d.glob("*.nbc")):
                    f.unlink(missing_ok=True)
            d.mkdir(parents=True, exist_ok=True)
            marker.write_text(stamp)
        except OSError:  # read-only install: numba falls back to its own cache dir
            pass


def is_cold(config=None) -> bool:
    """True when the next run of ``config`` (default: the learner's) compiles first (seconds).

    The learner's shape and the rows kernel load ahead-of-time modules
    (:mod:`chainrule.fast.aot`); they are cold until their module is built
    (after a failed build, the JIT kernel is used instead).  The fused
    mini-batch kernel is JIT-compiled and cached where :func:`ensure_fresh`
    manages it; a read-only install, where numba caches elsewhere, counts as
    warm.  The BLAS path compiles nothing.
    """
    from chainrule.fast import aot, plan

    path = "tiled" if config is None else plan.guess(config)
    dtype = "float64" if config is None else config.dtype
    if path == "blas":
        return False
    if path in plan.AOT_PATHS and aot.failed(path, dtype) is None:
        return aot.load(path, dtype) is None
    pattern = {"tiled": "tiled.*.nbi", "rows": "generic.*.nbi"}.get(path, "fused.*.nbi")
    for d in _cache_dirs():
        if d.is_dir() and any(d.glob(pattern)):
            return False
    return os.access(HERE, os.W_OK)
