"""The plots of ``chainrule train``, drawn beside the training in a forked helper process.

Importing matplotlib costs ~0.7 s and the first figure another ~0.5 s
(fonts, glyph and path caches), while the training runs the compiled kernel
on one core and leaves the other idle.  :class:`PlotWorker` forks a helper
just before the training starts; the helper imports matplotlib and draws a
throw-away figure while the parent trains, then draws the real plots from
the :class:`PlotSpec` the parent sends, the two PNGs side by side (the
helper forks a copy of itself, already warm, for the second one).  The parent
never imports matplotlib and writes the files itself.

Same bytes either way: the helper runs :func:`render_png`, exactly what the
parent would run (tested).  Where ``fork`` is not available (Windows,
``CHAINRULE_PLOTS_IN_PROCESS=1``) or the helper fails in any way, the parent
draws the plots itself, so an error in a plot still surfaces as usual.
"""

from __future__ import annotations

import os
import pickle
import signal
import warnings
from dataclasses import dataclass
from typing import Optional

import numpy as np

LOSS_PNG, BOUNDARY_PNG = "loss.png", "boundary.png"
PLOT_FILES = (LOSS_PNG, BOUNDARY_PNG)
TIMEOUT_S = 120.0  # after this the parent stops waiting and draws the plots itself


@dataclass
class PlotSpec:
    """Everything the two plots need, small enough to send through a pipe (picklable).

    ``params`` ``[(W, b), ...]`` with ``W`` (fan_in, fan_out); ``X`` (N, D), ``y`` (N,).
    """

    iterations: list[int]
    losses: list[float]
    accuracies: list[float]
    params: list[tuple[np.ndarray, np.ndarray]]
    activation: str
    loss: str
    reg: float
    X: np.ndarray
    y: np.ndarray

    @classmethod
    def of(cls, result) -> "PlotSpec":
        """The spec of a :class:`chainrule.training.TrainResult`."""
        h, c = result.history, result.config
        return cls([r["iteration"] for r in h], [r["loss"] for r in h], [r["accuracy"] for r in h],
                   result.params, c.activation, c.loss, c.reg, result.data.X, result.data.y)

    def names(self) -> list[str]:
        """The files this spec draws: the loss curve if anything was logged, the boundary if D = 2."""
        return ([LOSS_PNG] if self.iterations else []) + ([BOUNDARY_PNG] if self.X.shape[1] == 2 else [])


def render_png(spec: PlotSpec, name: str) -> bytes:
    """Draw plot ``name`` (``loss.png`` or ``boundary.png``) of ``spec`` as PNG bytes."""
    from chainrule.plots import decision_boundary_png, loss_curve_png

    if name == LOSS_PNG:
        return loss_curve_png(spec.iterations, spec.losses, spec.accuracies)
    if name == BOUNDARY_PNG:
        from chainrule.network import MLP

        net = MLP(spec.params, activation=spec.activation, loss=spec.loss, reg=spec.reg)
        return decision_boundary_png(net.predict, spec.X, spec.y)
    raise ValueError(f"unknown plot {name!r}; expected one of {PLOT_FILES}")


def render_pngs(spec: PlotSpec) -> dict[str, bytes]:
    """Every plot of ``spec``, drawn in this process: ``{file name: PNG bytes}``."""
    return {name: render_png(spec, name) for name in spec.names()}


class PlotWorker:
    """A forked helper that loads matplotlib now and draws a :class:`PlotSpec` later.

    ``start()`` → train → ``submit(spec)`` → (print) → ``pngs()``; ``close()`` in any case.
    """

    def __init__(self, process, conn) -> None:
        self._process = process
        self._conn = conn
        self._replied = False

    @classmethod
    def start(cls) -> Optional["PlotWorker"]:
        """Fork the helper; None where fork is unavailable or disabled (draw in process then)."""
        if os.environ.get("CHAINRULE_PLOTS_IN_PROCESS"):
            return None
        try:
            import multiprocessing

            ctx = multiprocessing.get_context("fork")
            conn, child_conn = ctx.Pipe()
            process = ctx.Process(target=_serve, args=(child_conn, conn), name="chainrule-plots", daemon=True)
            with warnings.catch_warnings():  # Python >= 3.12 warns about fork with (BLAS) threads
                warnings.simplefilter("ignore", DeprecationWarning)
                process.start()
            child_conn.close()
        except (ValueError, OSError):
            return None
        return cls(process, conn)

    @classmethod
    def start_early(cls) -> None:
        """Fork the helper now (before the command line is parsed) for :meth:`claim` to pick up."""
        global _EARLY
        if _EARLY is None:
            _EARLY = cls.start()

    @classmethod
    def claim(cls) -> Optional["PlotWorker"]:
        """The helper :meth:`start_early` forked, or a new one."""
        global _EARLY
        worker, _EARLY = _EARLY, None
        return worker or cls.start()

    @staticmethod
    def discard_early() -> None:
        """Stop an early helper nobody claimed (a bad option, ``--help``)."""
        global _EARLY
        if _EARLY is not None:
            _EARLY.close()
            _EARLY = None

    def submit(self, spec: PlotSpec) -> bool:
        """Send the plots to draw; False if the helper is gone (draw in process then)."""
        try:
            self._conn.send(spec)
            return True
        except (OSError, ValueError, pickle.PicklingError):
            return False

    def pngs(self, timeout: float = TIMEOUT_S) -> Optional[dict[str, bytes]]:
        """The drawn PNGs, or None if the helper failed or took longer than ``timeout`` seconds."""
        try:
            if not self._conn.poll(timeout):
                return None
            status, payload = self._conn.recv()
            self._replied = True
        except (OSError, EOFError, pickle.UnpicklingError):
            return None
        finally:
            self.close()
        return payload if status == "ok" else None

    def close(self) -> None:
        """End the helper: it exits by itself after replying; otherwise (an error, Ctrl-C) stop it now."""
        self._conn.close()
        self._process.join(timeout=1.0 if self._replied else 0.0)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


_EARLY: Optional[PlotWorker] = None  # forked by start_early(), waiting for claim()


def _serve(conn, parent_end) -> None:
    """The helper: import matplotlib, warm it up, draw what the parent sends, send the bytes back."""
    parent_end.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which then closes the pipe
    try:
        import chainrule.plots  # noqa: F401  (the slow import, while the parent trains)

        if not conn.poll(0):
            _warm_up()
        spec = conn.recv()
    except EOFError:  # the parent is done without plots (an error, Ctrl-C)
        return
    except Exception:  # noqa: BLE001  (a broken matplotlib: the parent finds out by itself)
        return
    try:
        reply = ("ok", _render_side_by_side(spec))
    except Exception as exc:  # noqa: BLE001  (the parent redraws in process and reports it)
        reply = ("error", f"{type(exc).__name__}: {exc}")
    try:
        conn.send(reply)
    except OSError:
        pass


def _warm_up() -> None:
    """Draw tiny versions of both plots: loads fonts, caches and lazy imports (~0.5 s the first time)."""
    from chainrule.plots import decision_boundary_png, loss_curve_png

    loss_curve_png([0, 1, 2], [1.0, 0.5, 0.01], [0.5, 0.7, 0.9])
    X = np.array([[-1.0, -1.0], [1.0, 1.0], [1.0, -1.0]])  # (3, 2)
    decision_boundary_png(lambda p: (p[:, 0] > 0).astype(np.int64), X, np.array([0, 1, 1]), resolution=16)


def _render_side_by_side(spec: PlotSpec) -> dict[str, bytes]:
    """All plots of ``spec``: the last one by a forked copy of this (warm) process, the others here."""
    names = spec.names()
    if len(names) < 2:
        return {name: render_png(spec, name) for name in names}
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the copy: draw the last plot, send it, exit without any clean-up of the parent's
        os.close(read)
        try:
            try:
                reply = ("ok", render_png(spec, names[-1]))
            except Exception as exc:  # noqa: BLE001
                reply = ("error", f"{type(exc).__name__}: {exc}")
            with os.fdopen(write, "wb") as pipe:
                pipe.write(pickle.dumps(reply))
        finally:
            os._exit(0)
    os.close(write)
    try:
        pngs = {name: render_png(spec, name) for name in names[:-1]}
    except BaseException:
        os.close(read)  # the copy's write fails now, instead of blocking on a full pipe
        os.waitpid(pid, 0)
        raise
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    status, png = pickle.loads(data) if data else ("error", "the plot process died")
    if status != "ok":
        raise RuntimeError(png)
    pngs[names[-1]] = png
    return pngs
