"""Kernels compiled ahead of time, so a warm run never loads numba.

Loading a JIT-compiled function from numba's disk cache still costs about
1.2 s per process (importing numba, refreshing its typing registries, which
import scipy) — longer than the learner's whole training.  So the first run
that needs a kernel builds it with ``numba.pycc`` into a plain CPython
extension module (code generated for this machine's CPU), and later runs
import that module in milliseconds.  One module per kernel and dtype:

``tiled``  :func:`chainrule.fast.tiled._run_chunk_tiled`, the learner's network;
``rows``   :func:`chainrule.fast.generic.run_chunk`, any other network.

A first ``chainrule train`` with the defaults therefore compiles only the
float64 tiled kernel (about 8 s here, where both dtypes of it took 18 s).
The modules sit next to these sources (``__aot__/``) or, on a read-only
install, under ``$XDG_CACHE_HOME/chainrule`` (``$CHAINRULE_CACHE_DIR`` if
set); a module's name carries a hash of its kernel's sources, numba's
version, the Python ABI and the CPU model, so an edit or an upgrade builds a
new one.  If a build is impossible (no C compiler, numba without ``pycc``),
a marker records why and the JIT kernel is used from then on: same numbers,
slower start.  The compiler's temporary folders are made inside a temporary
directory of the destination, which is removed afterwards.
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

KINDS = {"tiled": ("tiled.py",), "rows": ("generic.py",)}  # kernel -> its own source files
SHARED = ("common.py", "codes.py")  # sources every kernel compiles in
_loaded: dict[tuple[str, str], Optional[ModuleType]] = {}


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("model name", "flags")):
                return line
    except OSError:
        pass
    return platform.processor() or platform.machine()


def tag(kind: str) -> str:
    """What the compiled module depends on: its sources, numba, Python ABI, CPU."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        numba_version = version("numba")
    except PackageNotFoundError:
        numba_version = "none"
    sources = source_hash(KINDS[kind] + SHARED)
    key = "|".join([sources, numba_version, sys.implementation.cache_tag, _cpu()])
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def _dirs() -> list[Path]:
    """Where the modules are looked for and built, in order (``CHAINRULE_CACHE_DIR`` overrides)."""
    if os.environ.get("CHAINRULE_CACHE_DIR"):
        return [Path(os.environ["CHAINRULE_CACHE_DIR"])]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "chainrule"
    return [HERE / "__aot__", cache]


def _prefix(kind: str, dtype: str) -> str:
    return f"_chainrule_{kind}_{dtype[5:]}_"  # _chainrule_tiled_64_


def _name(kind: str, dtype: str) -> str:
    return _prefix(kind, dtype) + tag(kind)


def _file(d: Path, kind: str, dtype: str) -> Path:
    return d / (_name(kind, dtype) + sysconfig.get_config_var("EXT_SUFFIX"))


def _import(path: Path, name: str) -> ModuleType:
    loader = importlib.machinery.ExtensionFileLoader(name, str(path))
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def load(kind: str = "tiled", dtype: str = "float64") -> Optional[ModuleType]:
    """The compiled module if it has been built for these sources, else None."""
    key = (kind, dtype)
    if key not in _loaded:
        _loaded[key] = None
        for d in _dirs():
            if _file(d, kind, dtype).exists():
                try:
                    _loaded[key] = _import(_file(d, kind, dtype), _name(kind, dtype))
                    break
                except ImportError:
                    continue
    return _loaded[key]


def failed(kind: str = "tiled", dtype: str = "float64") -> Optional[str]:
    """Why an earlier build for these sources failed (then the JIT kernel is used), or None."""
    for d in _dirs():
        marker = d / (_name(kind, dtype) + ".failed")
        if marker.exists():
            return marker.read_text(errors="replace").strip() or "unknown reason"
    return None


def needs_build(kind: str = "tiled", dtype: str = "float64") -> bool:
    """True when the next run of this kernel will compile (no module built and no failed attempt)."""
    return load(kind, dtype) is None and failed(kind, dtype) is None


def kernel(kind: str, dtype: str, build: bool = True) -> Optional[Callable]:
    """The compiled entry point; builds the module first when needed and allowed (None: use the JIT)."""
    module = load(kind, dtype)
    if module is None and build and failed(kind, dtype) is None:
        module = compile_module(kind, dtype)
    return getattr(module, kind) if module is not None else None


def compile_module(kind: str, dtype: str) -> Optional[ModuleType]:
    """Build one extension module (seconds); None, with a marker saying why, on failure."""
    reasons = []
    for d in _dirs():
        try:
            d.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=d) as tmp:
                built = _build_into(Path(tmp), kind, dtype)
                _remove_stale(d, kind, dtype)
                os.replace(built, _file(d, kind, dtype))
            _loaded.pop((kind, dtype), None)
            return load(kind, dtype)
        except OSError as exc:  # read-only directory: try the next one
            reasons.append(f"{d}: {exc}")
        except Exception as exc:  # no C compiler, pycc missing or broken: JIT from now on
            reasons.append(f"{type(exc).__name__}: {exc}")
            break
    for d in _dirs():
        try:
            (d / (_name(kind, dtype) + ".failed")).write_text("; ".join(reasons)[:2000])
            break
        except OSError:
            continue
    return None


def _remove_stale(d: Path, kind: str, dtype: str) -> None:
    """Delete this kernel's modules built from earlier sources (and any of the old one-module layout)."""
    other = _prefix(kind, "float32" if dtype == "float64" else "float64")
    for old in d.glob(f"_chainrule_{kind}_*"):
        if not old.name.startswith(other):
            old.unlink(missing_ok=True)


def _build_into(out: Path, kind: str, dtype: str) -> Path:
    import warnings

    import llvmlite.binding as llvm

    with warnings.catch_warnings():  # pycc is "pending deprecation"; if it goes, the JIT kernel stays
        warnings.simplefilter("ignore")
        from numba.pycc import CC
    name = _name(kind, dtype)
    cc = CC(name)
    cc.output_dir = str(out)
    cc.target_cpu = llvm.get_host_cpu_name()
    cc.verbose = False
    fn, sig = _entry(kind, dtype)
    cc.export(kind, sig)(fn)
    saved = tempfile.tempdir
    tempfile.tempdir = str(out)  # the compiler's scratch folders go where they are cleaned up
    try:
        _compile(cc)
    finally:
        tempfile.tempdir = saved
    return out / (name + sysconfig.get_config_var("EXT_SUFFIX"))


def _compile(cc) -> None:
    """Run numba.pycc's C build quietly (it prints the compiler's lines and warns of its deprecation)."""
    import contextlib
    import io
    import warnings

    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        cc.compile()


def _entry(kind: str, dtype: str):
    """The Python function a module exports and its numba signature (every array C-contiguous)."""
    from numba import types as T

    f = T.float64 if dtype == "float64" else T.float32
    a1, a2, a3 = (T.Array(f, n, "C") for n in (1, 2, 3))
    i1, i2 = T.Array(T.int64, 1, "C"), T.Array(T.int64, 2, "C")
    d1 = T.Array(T.float64, 1, "C")
    I, F = T.int64, T.float64
    b1 = T.Array(T.boolean, 1, "C")
    if kind == "rows":
        from chainrule.fast import generic
        from chainrule.fast.codes import MAX_LAYERS

        M2, M1 = T.UniTuple(a2, MAX_LAYERS), T.UniTuple(a1, MAX_LAYERS)
        args = (I, I, a2, i1, i1, i2, I,  # n_iters, t_start, X, y, all_rows, idx, L
                M2, M2, M1, M2, M2, M1, b1,  # Ws, WTs, bs, gWs, gWTs, gbs, use_t
                M2, a2, M1,  # bufs, xbuf, dAs
                a1, a1, a1, a1,  # theta, grad, m, v
                I, F, I, F, I, F, F, F, F, F,  # act, alpha, loss_kind, reg, opt, lr, mu, b1, b2, eps
                d1, d1)  # losses, corrects
        return generic.run_chunk.py_func, I(*args)
    from chainrule.fast import tiled

    d2 = T.Array(T.float64, 2, "C")
    W2, b2 = T.UniTuple(a2, 2), T.UniTuple(a1, 2)
    args = (I, I,  # n_iters, t_start
            a1, a1, i1, b1, i1, a2, f, F,  # xs0, xs1, ys, valid, starts, box, tol, n_real
            W2, W2, b2, W2, W2, b2, b1,  # Ws, WTs, bs, gWs, gWTs, gbs, use_t
            a1, a1, a1, a1,  # theta, grad, m, v
            I, F, I, F, F, F, F, F,  # loss_kind, reg, opt, lr, mu, b1, b2, eps
            d1, d1, a2, a2,  # losses, corrects, S, D
            a2, a2, i2, a3, a3, a2, a3, a3, a2, d2,  # IN, MIX, P, Q, CB, A, TT, G, Gb2, outs
            f, f)  # zero, one
    return tiled._run_chunk_tiled, I(*args)
