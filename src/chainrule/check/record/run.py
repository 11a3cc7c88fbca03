"""Run the learner's script exactly as ``python script.py`` would, and record the analysed iteration.

The script runs in this process as ``__main__`` (``__file__`` set, its folder first on
``sys.path`` and the working directory, so ``from planar_utils import ...`` and
``np.loadtxt("data.csv")`` work), with numpy's legacy seed (and Python's ``random``) set
first, matplotlib on Agg with ``plt.show`` a no-op (loaded only if used), ``input()``
answered with an empty line, its output swallowed, and a timer.  ``sys.exit()`` and
``os._exit()`` end the script, never chainrule; a forked child process never reaches
chainrule's report.  Everything is restored afterwards, and the learner's own modules are
forgotten again so that a second run imports them afresh.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import os
import random
import signal
import sys
import threading
import time
import traceback
import types
import warnings
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

from chainrule.check.lazyplot import LazyMatplotlib
from chainrule.check.record.create import Patches
from chainrule.check.record.files import UserFiles
from chainrule.check.record.state import REC, Node, StopScript
from chainrule.check.record.tracer import Tracer


class ScriptExit(BaseException):
    """``os._exit()`` called by the script (it must end the script, not chainrule)."""


class TimedOut(BaseException):
    pass


@dataclass
class Run:
    tracer: Tracer
    nodes: list[Node]
    files: UserFiles
    error: Optional[BaseException] = None  # what the script raised (not our StopScript)
    error_where: Optional[tuple[str, int]] = None  # (file, line) of the innermost user frame
    exited: str = ""  # how the script ended early: "sys.exit(0)", "os._exit(0)"
    timed_out: bool = False
    output: str = ""
    window_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


@contextlib.contextmanager
def _sandbox(path: str, seed: int):
    folder = os.path.dirname(os.path.abspath(path))
    saved_cwd = os.getcwd()
    saved_path = list(sys.path)
    saved_argv = list(sys.argv)
    saved_main = sys.modules.get("__main__")
    before = set(sys.modules)
    main = types.ModuleType("__main__")
    main.__file__ = os.path.abspath(path)
    main.__builtins__ = builtins  # type: ignore[attr-defined]
    main.__spec__ = None  # type: ignore[assignment]
    saved_input, saved_exit = builtins.input, os._exit
    saved_rng, saved_random = np.random.get_state(), random.getstate()  # the caller's random streams
    plots = LazyMatplotlib()
    out = io.StringIO()
    try:
        os.chdir(folder)
        sys.path.insert(0, folder)
        sys.argv = [os.path.abspath(path)]
        sys.modules["__main__"] = main
        np.random.seed(seed)
        random.seed(seed)
        plots.install()
        builtins.input = lambda *a, **k: ""

        def _exit(code=0):
            raise ScriptExit(code)
        os._exit = _exit  # type: ignore[assignment]
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()), \
                warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            yield main, out
    finally:
        builtins.input, os._exit = saved_input, saved_exit
        np.random.set_state(saved_rng)
        random.setstate(saved_random)
        plots.uninstall()
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        sys.argv = saved_argv
        if saved_main is not None:
            sys.modules["__main__"] = saved_main
        for name in set(sys.modules) - before:  # the learner's modules: imported afresh next time
            f = getattr(sys.modules.get(name), "__file__", None) or ""
            if f and os.path.abspath(f).startswith(folder + os.sep):
                sys.modules.pop(name, None)


@contextlib.contextmanager
def _timer(seconds: float):
    use = threading.current_thread() is threading.main_thread() and seconds > 0
    old = None
    if use:
        def _alarm(signum, frame):
            raise TimedOut()
        old = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        if use:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)


def _where(exc: BaseException, files: UserFiles) -> Optional[tuple[str, int]]:
    found = None
    for fs in traceback.extract_tb(exc.__traceback__):
        if files.is_user(fs.filename):
            found = (fs.filename, fs.lineno or 0)
    return found


def run_script(path: str, code: Any, files: UserFiles, iteration: int = 1, seed: int = 0,
               timeout: float = 60.0, scalars: frozenset = frozenset(),
               target: Optional[tuple[str, int]] = None) -> Run:
    """Execute compiled ``code`` of the script at ``path``; see the module docstring."""
    tracer = Tracer(files, iteration, scalars, target)
    patches = Patches(files.is_user)
    parent = os.getpid()
    run = Run(tracer, [], files)
    REC.clear()
    t0 = time.perf_counter()
    with _sandbox(path, seed) as (main, out):
        try:
            patches.install()
            REC.active = True
            with _timer(timeout):
                tracer.install()
                try:
                    exec(code, main.__dict__)
                finally:
                    tracer.uninstall()
        except StopScript:
            pass
        except (SystemExit, ScriptExit) as exc:
            how = "os._exit" if isinstance(exc, ScriptExit) else "sys.exit"
            run.exited = f"{how}({exc.args[0] if exc.args else ''})"
            tracer.stop_now(f"the script called {run.exited}")
        except TimedOut:
            run.timed_out = True
        except KeyboardInterrupt as exc:  # Ctrl-C (or the script raised it): where the script was
            exc.chainrule_where = _where(exc, files)  # type: ignore[attr-defined]
            exc.chainrule_iteration = tracer.iteration_of_loop()  # type: ignore[attr-defined]
            raise
        except MemoryError:
            raise
        except BaseException as exc:  # the learner's script raised: analyse what ran, name the line
            run.error, run.error_where = exc, _where(exc, files)
            tracer.stop_now(f"the script raised {type(exc).__name__}")
        finally:
            REC.active = False
            REC.recording = False
            patches.uninstall()
            if os.getpid() != parent:  # a child the script forked: it must never print a report
                os._exit(0)
        run.output = out.getvalue()
    run.nodes = REC.nodes
    run.window_seconds = time.perf_counter() - t0
    REC.clear()
    return run
