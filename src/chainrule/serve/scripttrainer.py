"""Train a learner's own script for the page: the script runs in a child process, the server streams it.

:class:`ScriptTrainer` has the :class:`~chainrule.serve.trainer.Trainer` interface the session
uses (``step(n)``, ``weights()``, ``rewind()``, ``iteration``, ``data``, ``sizes``), so frames,
back-pressure, the run record and the export work as for chainrule's own engine.  Each
``step(n)`` lets the child (:mod:`.scriptchild`) run ``n`` more iterations of the script's
own training loop and returns their losses (as the script computes them; the loss the checker
inferred when the script computes none, at the start of each step) and the accuracy at the
start of each step (the script's forward pass replayed on its data by
:class:`~chainrule.serve.scriptmodel.ScriptModel`).  Pause is not asking for more; rewind
starts a new child with the same seed, so the same losses come again.

The child is killed by :meth:`close` (the page left, a new run), when it sends nothing for
:data:`SILENCE` seconds, and when the server exits; it limits its own memory and CPU time.
"""

from __future__ import annotations

import atexit
import os
import select
import subprocess
import sys
import threading
import time
import weakref
from typing import Any, Optional

import numpy as np

from chainrule.errors import ChainruleError
from chainrule.serve import childwire as wire
from chainrule.serve.scriptplan import ScriptPlan

SILENCE = 120.0  # seconds without a message from the child: it is stuck (or the script is very slow)
MEMORY_MB = 4096.0  # what the script may allocate on top of the child's start
CPU_SECONDS = 3600.0
GRID = 48  # cells per side of a replayed boundary
CHEAP = 2e7  # multiply-adds of one replayed forward pass on the data, at most

_children: "weakref.WeakSet[ScriptTrainer]" = weakref.WeakSet()


@atexit.register
def _kill_all() -> None:
    for t in list(_children):
        t.close()


def boundary_info(trainer: Any, settings: dict[str, Any]) -> dict[str, Any]:
    """How the page draws a run's boundary: from the weights (with which activation) or the server's grid."""
    if getattr(trainer, "engine", "") != "script":
        return {"mode": "weights", "activation": settings.get("activation"), "note": ""}
    plan = trainer.plan
    act = plan.model.mlp[0] if plan.boundary == "weights" else None
    return {"mode": plan.boundary, "activation": act, "script": plan.name, "note": plan.boundary_note,
            "loss_note": plan.loss_note}


def box_of(X: np.ndarray) -> tuple[float, float, float, float]:
    """The region the page draws for data ``X`` (as ``trainview.js`` computes it): x0, x1, y0, y1."""
    if len(X) == 0:
        return (-1.0, 1.0, -1.0, 1.0)
    X = np.asarray(X, dtype=np.float32).astype(float)
    lo, hi = X.min(axis=0), X.max(axis=0)
    c, half = (lo + hi) / 2, max(float((hi - lo).max()), 1e-6) * 0.6
    return (c[0] - half, c[0] + half, c[1] - half, c[1] + half)


class ScriptTrainer:
    """One run of the learner's script (see the module docstring)."""

    engine = "script"

    def __init__(self, plan: ScriptPlan, seed: int = 0, memory_mb: float = MEMORY_MB) -> None:
        self.plan, self.seed, self.memory_mb = plan, int(seed), memory_mb
        self.model = plan.model
        self.data = plan.dataset()
        self.sizes = plan.sizes()
        self.box = box_of(self.data.X)
        self.proc: Optional[subprocess.Popen] = None
        self.lock = threading.Lock()
        self.notes: list[str] = []
        self.printed: list[str] = []
        self.grid: Optional[tuple[np.ndarray, np.ndarray]] = None
        self.took: dict[str, tuple[float, float]] = {}  # replay -> (when it started, how long it took)
        _children.add(self)
        self.rewind()

    # ------------------------------------------------------------------ the child
    def _start(self) -> None:
        self.close()
        env = {**os.environ, "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
        self.proc = subprocess.Popen([sys.executable, "-m", "chainrule.serve.scriptchild"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0, env=env,
                                     cwd=os.path.dirname(os.path.abspath(self.plan.path)), start_new_session=True)
        plan = self.plan.child_plan(self.seed, self.memory_mb, CPU_SECONDS)
        try:
            wire.send(self.proc.stdin, plan, self.plan.start)
        except OSError:
            raise self._gone() from None

    def _gone(self) -> ChainruleError:
        code = self.proc.poll() if self.proc is not None else None
        self.close()
        why = "ran out of CPU time" if code == -24 else "was stopped" if code and code < 0 else "ended"
        return ChainruleError(f"The process running {self.plan.name} {why} before it answered; rewind to "
                              "start it again.", option="train")

    def _receive(self) -> tuple[dict[str, Any], list[np.ndarray]]:
        proc, timeout = self.proc, SILENCE
        if proc is None:
            raise ChainruleError(f"{self.plan.name} is not running; rewind to start it again.", option="train")
        ready, _, _ = select.select([proc.stdout], [], [], timeout)
        if not ready:
            self.close()
            raise ChainruleError(f"{self.plan.name} sent nothing for {timeout:.0f} s, so chainrule stopped it. "
                                 "Train fewer iterations per frame, or make the script's iterations faster.",
                                 option="train")
        try:
            head, arrays = wire.receive(proc.stdout)
        except (wire.WireClosed, ValueError, OSError):
            raise self._gone() from None
        self.printed = (self.printed + list(head.get("printed") or []))[-20:]
        if head.get("type") == "error":
            self.finished = head.get("message", "the script failed")
            self.close()
            raise ChainruleError(f"{self.plan.name}: {self.finished}.", option="train")
        return head, arrays

    def close(self) -> None:
        """Kill the child (if any) and wait for it."""
        proc, self.proc = getattr(self, "proc", None), None
        if proc is not None and proc.poll() is None:
            proc.kill()
        if proc is not None:
            for f in (proc.stdin, proc.stdout):
                try:
                    f.close()
                except OSError:
                    pass
            proc.wait()

    # ------------------------------------------------------------------ the trainer interface
    def rewind(self) -> None:
        """Start again: a new child with the same seed, stopped before the first iteration."""
        with self.lock:
            self._start()
            head, arrays = self._receive()
            if head.get("type") != "ready":
                self.close()
                raise ChainruleError(f"{self.plan.name} did not reach its training loop ({head.get('why', '')}).",
                                     option="train")
            self.params = arrays
            self.iteration, self.finished = 0, ""
            self.warned, self.warning = False, ""
            self.notes = [] if head.get("same") else [
                f"{self.plan.name} started with other weights than in the analysed run (a random draw that "
                "depends on something else than the seed?); the losses may differ from `chainrule check`'s."]
            self._draw(force=True)

    def step(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Run ``n`` iterations of the script; their losses and accuracies (NaN where not measured)."""
        with self.lock:
            if self.finished:
                return np.zeros(0), np.zeros(0)
            before = self.params
            try:
                wire.send(self.proc.stdin, {"type": "go", "n": int(n)})
            except (OSError, AttributeError):
                raise self._gone() from None
            head, arrays = self._receive()
            got = [np.nan if v is None else float(v) for v in head.get("losses", [])]
            losses, accs = np.array(got, dtype=float), np.full(len(got), np.nan)
            if len(got):
                self._measure(before, losses, accs)
            if arrays:
                self.params = arrays
            self.iteration = int(head.get("iteration", self.iteration + len(got)))
            if head.get("loss_mode") == "none" and self.plan.loss.get("reference") is not None and not self.warned:
                self.warned = True
                self.warning = (f"chainrule could not read the loss of {self.plan.name} while it runs "
                                f"(`{self.plan.loss['name']}` did not give the analysed value), so there is no loss curve.")
            if head.get("type") == "end":
                self.finished = head.get("why") or "your training loop ended"
                self.close()
            self._draw(force=bool(self.finished))
            return losses, accs

    def _measure(self, params: list[np.ndarray], losses: np.ndarray, accs: np.ndarray) -> None:
        """Accuracy (and an inferred loss) at the start of the step: from the plain MLP when the network
        is one, else by replaying the forward pass, then at most every :data:`EVERY` seconds when that
        replay takes more than a third of the time (:meth:`_due`)."""
        m = self.model
        if m is None or not m.ok:
            return
        if m.mlp and m.inferred_loss is None:
            accs[0] = m.mlp_accuracy(params)
            return
        if m.cost > CHEAP or not self._due("replay"):
            return
        t0 = time.monotonic()
        try:
            outs = m.outputs(params)
        except Exception:
            return
        finally:
            self.took["replay"] = (t0, time.monotonic() - t0)
        accs[0] = m.accuracy(outs)
        if m.inferred_loss is not None and np.isnan(losses[0]):
            losses[0] = m.inferred_loss(outs, params)

    def _due(self, what: str) -> bool:
        """Is a costly replay due? Yes unless the last one ended less than twice its duration ago."""
        start, took = self.took.get(what, (0.0, 0.0))
        return time.monotonic() - start - took >= 2 * took

    def _draw(self, force: bool = False) -> None:
        if self.plan.boundary == "grid" and (force or self._due("grid")):
            t0 = time.monotonic()
            try:
                self.grid = self.model.grid(self.params, self.box, GRID)
            except Exception:
                self.grid = None
            self.took["grid"] = (t0, time.monotonic() - t0)

    def take_warning(self) -> str:
        """A sentence for the page, once (e.g. the loss could not be read)."""
        w, self.warning = self.warning, ""
        return w

    def weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The layers the page draws the boundary from (none when the server sends the grid)."""
        if self.plan.boundary != "weights":
            return []
        return self.model.page_layers(self.params)

    def boundary(self) -> Optional[tuple[np.ndarray, np.ndarray]]:
        """(class, probability) per cell of a GRID × GRID grid over :attr:`box`, when the server draws it."""
        return self.grid
