"""Keep numba's on-disk cache of the kernels consistent across edits.

numba invalidates a cached function when *its own* source file changes, but
not when a function it calls from another file does (``generic.run_chunk``
inlines ``fused`` and ``common``).  A stale entry can then crash.  So the
kernels' cache is tied to a hash of every source file of this package: when
the hash changes, the package's ``.nbi``/``.nbc`` files are removed once and
everything is recompiled (first run only).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent


def source_hash() -> str:
    h = hashlib.sha256()
    for path in sorted(HERE.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
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
    """True when the next run of ``config`` (default: the learner's) compiles first (tens of seconds).

    The learner's shape loads the ahead-of-time module (:mod:`chainrule.fast.aot`);
    it is cold until that module is built (after a failed build, the JIT kernel
    is used instead).  Other configurations use JIT kernels cached where
    :func:`ensure_fresh` manages them; a read-only install, where numba
    caches elsewhere, counts as warm.
    """
    from chainrule.fast import aot
    from chainrule.fast.tiles import learner_shape

    tiled = config is None or learner_shape(config)
    if tiled and aot.failed() is None:
        return aot.load() is None
    pattern = "tiled.*.nbi" if tiled else "*.nbi"
    for d in _cache_dirs():
        if d.is_dir() and any(d.glob(pattern)):
            return False
    return os.access(HERE, os.W_OK)
