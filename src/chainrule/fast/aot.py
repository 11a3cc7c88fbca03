"""The tiled kernel compiled ahead of time, so a warm run never loads numba.

Loading a JIT-compiled function from numba's disk cache still costs about
1.2 s per process here (importing numba, refreshing its typing registries,
which import scipy).  The learner's default run trains in about the same
time, so that start-up doubled every ``chainrule train``.  The first run
therefore builds :func:`chainrule.fast.tiled._run_chunk_tiled` into a plain
CPython extension module with ``numba.pycc`` (float64 and float32 entry
points, code generated for this machine's CPU), and later runs import that
module in milliseconds.

The module sits next to these sources (``__aot__/``) or, on a read-only
install, under ``$XDG_CACHE_HOME/chainrule`` (``$CHAINRULE_CACHE_DIR`` if
set); its name carries a hash of the
kernel sources, numba's version, the Python ABI and the CPU model, so an
edit or an upgrade builds a new one.  If the build is impossible (no C
compiler, numba without ``pycc``), a marker records why and the JIT kernel
is used from then on: same numbers, slower start.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import os
import platform
import sys
import sysconfig
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Callable, Optional

from chainrule.fast.cache import HERE, source_hash

ENTRY = {"float64": "tiled_f64", "float32": "tiled_f32"}
_loaded: dict[str, Optional[ModuleType]] = {}


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("model name", "flags")):
                return line
    except OSError:
        pass
    return platform.processor() or platform.machine()


def tag() -> str:
    """What the compiled module depends on: sources, numba, Python ABI, CPU."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        numba_version = version("numba")
    except PackageNotFoundError:
        numba_version = "none"
    key = "|".join([source_hash(), numba_version, sys.implementation.cache_tag, _cpu()])
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def _dirs() -> list[Path]:
    """Where the module is looked for and built, in order (``CHAINRULE_CACHE_DIR`` overrides)."""
    if os.environ.get("CHAINRULE_CACHE_DIR"):
        return [Path(os.environ["CHAINRULE_CACHE_DIR"])]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "chainrule"
    return [HERE / "__aot__", cache]


def _name() -> str:
    return f"_chainrule_tiled_{tag()}"


def _file(d: Path) -> Path:
    return d / (_name() + sysconfig.get_config_var("EXT_SUFFIX"))


def _import(path: Path) -> ModuleType:
    loader = importlib.machinery.ExtensionFileLoader(_name(), str(path))
    spec = importlib.util.spec_from_file_location(_name(), path, loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def load() -> Optional[ModuleType]:
    """The compiled module if it has been built for these sources, else None."""
    if "module" not in _loaded:
        _loaded["module"] = None
        for d in _dirs():
            if _file(d).exists():
                try:
                    _loaded["module"] = _import(_file(d))
                    break
                except ImportError:
                    continue
    return _loaded["module"]


def failed() -> Optional[str]:
    """Why an earlier build for these sources failed (then the JIT kernel is used), or None."""
    for d in _dirs():
        marker = d / (_name() + ".failed")
        if marker.exists():
            return marker.read_text(errors="replace").strip() or "unknown reason"
    return None


def needs_build() -> bool:
    """True when the next fast run will compile (no module built and no failed attempt)."""
    return load() is None and failed() is None


def kernel(dtype: str, build: bool = True) -> Optional[Callable]:
    """The compiled entry point for ``dtype``; builds the module first when needed and allowed."""
    module = load()
    if module is None and build and failed() is None:
        module = compile_module()
    return getattr(module, ENTRY[dtype]) if module is not None else None


def compile_module() -> Optional[ModuleType]:
    """Build the extension module (tens of seconds); None, with a marker saying why, on failure."""
    reasons = []
    for d in _dirs():
        try:
            d.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=d) as tmp:
                built = _build_into(Path(tmp))
                for old in d.glob("_chainrule_tiled_*"):  # modules of earlier sources
                    old.unlink(missing_ok=True)
                os.replace(built, _file(d))
            _loaded.pop("module", None)
            return load()
        except OSError as exc:  # read-only directory: try the next one
            reasons.append(f"{d}: {exc}")
        except Exception as exc:  # no C compiler, pycc missing or broken: JIT from now on
            reasons.append(f"{type(exc).__name__}: {exc}")
            break
    for d in _dirs():
        try:
            (d / (_name() + ".failed")).write_text("; ".join(reasons)[:2000])
            break
        except OSError:
            continue
    return None


def _build_into(out: Path) -> Path:
    """Compile into ``out``; numba.pycc's own scratch folders go inside ``out`` too (and go with it).

    pycc makes temporary folders in the system temp directory to test the C
    compiler (``temp.c``, ``temp.o``) and forgets to remove them; pointing
    :data:`tempfile.tempdir` at ``out`` for the build keeps them in the
    folder :func:`compile_module` deletes.
    """
    scratch = out / "scratch"
    scratch.mkdir()
    saved = tempfile.tempdir
    tempfile.tempdir = str(scratch)
    try:
        return _compile(out)
    finally:
        tempfile.tempdir = saved


def _compile(out: Path) -> Path:
    import contextlib
    import io
    import warnings

    import llvmlite.binding as llvm

    from chainrule.fast import tiled

    with warnings.catch_warnings():  # pycc is "pending deprecation"; if it goes, the JIT kernel stays
        warnings.simplefilter("ignore")
        from numba.pycc import CC
    cc = CC(_name())
    cc.output_dir = str(out)
    cc.target_cpu = llvm.get_host_cpu_name()
    cc.verbose = False
    for dtype, entry in ENTRY.items():
        cc.export(entry, signature(dtype))(tiled._run_chunk_tiled)
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        cc.compile()
    return out / (_name() + sysconfig.get_config_var("EXT_SUFFIX"))


def signature(dtype: str):
    """The numba signature of :func:`chainrule.fast.tiled._run_chunk_tiled` for ``dtype``.

    Every array is C-contiguous, as :mod:`chainrule.fast.engine` and
    :class:`chainrule.fast.tiles.Layout` allocate them.
    """
    from numba import types as T

    f = T.float64 if dtype == "float64" else T.float32
    a1, a2, a3 = (T.Array(f, n, "C") for n in (1, 2, 3))
    i1, i2 = T.Array(T.int64, 1, "C"), T.Array(T.int64, 2, "C")
    b1 = T.Array(T.boolean, 1, "C")
    d1, d2 = T.Array(T.float64, 1, "C"), T.Array(T.float64, 2, "C")
    W2, b2 = T.UniTuple(a2, 2), T.UniTuple(a1, 2)
    F = T.float64
    args = (T.int64, T.int64,  # n_iters, t_start
            a1, a1, i1, b1, i1, a2, f, F,  # xs0, xs1, ys, valid, starts, box, tol, n_real
            W2, W2, b2, W2, W2, b2, b1,  # Ws, WTs, bs, gWs, gWTs, gbs, use_t
            a1, a1, a1, a1,  # theta, grad, m, v
            T.int64, F, T.int64, F, F, F, F, F,  # loss_kind, reg, opt, lr, mu, b1, b2, eps
            d1, d1, a2, a2,  # losses, corrects, S, D
            a2, a2, i2, a3, a3, a2, a3, a3, a2, d2,  # IN, MIX, P, Q, CB, A, TT, G, Gb2, outs
            f, f)  # zero, one
    return T.int64(*args)
