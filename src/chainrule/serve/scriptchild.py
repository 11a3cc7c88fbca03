"""The child process that runs a learner's script for the Train panel: ``python -m chainrule.serve.scriptchild``.

It runs the script as ``python script.py`` would (its folder as working directory and first on
``sys.path``, ``__main__``, numpy's legacy seed and Python's ``random`` seeded as the checker
does, matplotlib on Agg, ``input()`` answered, what it prints kept for the page), under a line
tracer that follows only the training loop the checker found (its file and header line) and
the statement that computes the loss.  At each header hit after an iteration it reads the
loss; when the server's budget of iterations is used up it sends the parameters (read by the
checker's names: ``parameters["W1"]``, ``self.weights[0]``) and waits for the next ``go``.
The training loop ending stops the script (nothing after it runs: no plots, no files).

The server (:mod:`.scripttrainer`) kills this process on rewind, on disconnect, at Ctrl-C
and on its time limit; if the server dies, the pipe ends it at its next iteration; it stops at
its own memory (``RLIMIT_DATA``) and CPU (``RLIMIT_CPU``) limits.  The wire is the process's
original stdin and stdout (:mod:`.childwire`); the script's own output never reaches it.
"""

from __future__ import annotations

import builtins
import io
import os
import random
import sys
import types
from typing import Any, BinaryIO, Optional

import numpy as np

from chainrule.serve import childwire as wire
from chainrule.serve.scriptpaths import Unreadable, compile_path, read


class EndTraining(BaseException):
    """Raised into the script when its training loop is over (never caught by ``except Exception``)."""


class Printed(io.TextIOBase):
    """The script's ``print`` output: complete lines, the newest kept, handed on with each frame."""

    def __init__(self) -> None:
        self.part, self.lines = "", []

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        text = self.part + s
        *done, self.part = text.split("\n")
        self.lines.extend(line[:300] for line in done)
        del self.lines[:-40]
        return len(s)

    def take(self) -> list[str]:
        out, self.lines = self.lines[-20:], []
        return out


class Follow:
    """The line tracer (see the module docstring)."""

    def __init__(self, plan: dict[str, Any], start: list[np.ndarray], out: BinaryIO, inp: BinaryIO,
                 printed: Printed) -> None:
        self.plan, self.start, self.out, self.inp, self.printed = plan, start, out, inp, printed
        self.file, self.header, self.end = plan["loop_file"], plan["loop_header"], plan["loop_end"]
        self.span = tuple(plan["loop_span"])  # the outermost loop around it in the same function
        self.paths = [compile_path(p) for p in plan["params"]]
        loss = plan.get("loss") or {}
        self.loss_ref = loss.get("reference")
        self.loss_path = compile_path(loss["name"]) if loss.get("name") else None
        self.loss_file, self.loss_lines = loss.get("file"), tuple(loss.get("lines") or (0, -1))
        self.loss_mode: Optional[str] = None if self.loss_ref is not None else "none"
        self.loss_in: set[int] = set()  # frames inside the loss statement
        self.last_b: Optional[float] = None
        self.frame = None
        self.inside = self.raising = False
        self.count = self.budget = 0
        self.losses: list[Optional[float]] = []
        self.files = {self.file, self.loss_file} - {None}

    # ------------------------------------------------------------------ the wire
    def params(self, frame) -> list[np.ndarray]:
        try:
            return [np.asarray(read(p, frame), dtype=float) for p in self.paths]
        except (Unreadable, TypeError, ValueError) as exc:
            raise Unfollowable(f"chainrule could not read your parameter {exc} at the loop") from None

    def send(self, kind: str, frame=None, **extra: Any) -> None:
        arrays = self.params(frame) if frame is not None else []
        wire.send(self.out, {"type": kind, "iteration": self.count, "losses": self.losses,
                             "printed": self.printed.take(), **extra}, arrays)
        self.losses = []

    def wait(self) -> None:
        while self.count >= self.budget:
            head, _ = wire.receive(self.inp)
            if head.get("type") == "go":
                self.budget += max(0, int(head.get("n", 0)))

    # ------------------------------------------------------------------ tracing
    def global_trace(self, frame, event, arg):
        return self.local if event == "call" and frame.f_code.co_filename in self.files else None

    def local(self, frame, event, arg):
        if frame.f_code.co_filename == self.loss_file and (event == "line" or event == "return"):
            self.loss_probe(frame, event, arg)
        if event == "line" and frame.f_code.co_filename == self.file:
            self.raising = False
            if self.frame is None and frame.f_lineno == self.header:
                self.frame = frame
                self.first(frame)
            elif frame is self.frame:
                self.loop_line(frame, frame.f_lineno)
        elif event == "exception" and frame is self.frame:
            self.raising = True  # the frame returns next while the exception goes on: not the end of training
        elif event == "return" and frame is self.frame and not self.raising:
            self.finish(frame, "your training loop ended" if frame.f_code.co_name == "<module>"
                        else f"{frame.f_code.co_name}(), the function with your training loop, returned")
        return self.local

    def first(self, frame) -> None:
        got = self.params(frame)
        same = len(got) == len(self.start) and all(
            a.shape == b.shape and np.allclose(a, b, rtol=1e-6, atol=1e-12) for a, b in zip(got, self.start))
        self.send("ready", frame, same=bool(same))
        self.wait()

    def loop_line(self, frame, line: int) -> None:
        if line == self.header:
            if self.inside:
                self.inside = False
                self.count += 1
                self.losses.append(self.loss_of(frame))
                if self.count >= self.budget:
                    self.send("frame", frame, loss_mode=self.loss_mode)
                    self.wait()
        elif self.header < line <= self.end:
            self.inside = True
        elif not self.span[0] <= line <= self.span[1]:
            self.finish(frame, "your training loop ended")

    def finish(self, frame, why: str) -> None:
        self.send("end", frame, why=why, loss_mode=self.loss_mode)
        raise EndTraining()

    # ------------------------------------------------------------------ the loss
    def loss_probe(self, frame, event: str, arg: Any) -> None:
        """Probe B: the loss statement's own frame, right after the statement ran."""
        lo, hi = self.loss_lines
        key = id(frame)
        if event == "line" and lo <= frame.f_lineno <= hi:
            self.loss_in.add(key)
            return
        if key not in self.loss_in:
            return
        self.loss_in.discard(key)
        value = None
        if self.loss_path is not None:
            try:
                value = wire.number(read(self.loss_path, frame))
            except Unreadable:
                value = None
        if value is None and event == "return":
            value = wire.number(arg)
        self.last_b = value

    def loss_of(self, frame) -> Optional[float]:
        """The loss of the iteration that just ended: probe A (the name, read at the loop) or B."""
        a = None
        if self.loss_path is not None and self.loss_mode in (None, "A"):
            try:
                a = wire.number(read(self.loss_path, frame))
            except Unreadable:
                a = None
        b, self.last_b = self.last_b, None
        if self.loss_mode is None:  # the first iteration: which probe gives the analysed loss?
            ref = float(self.loss_ref)
            close = [m for m, v in (("A", a), ("B", b)) if v is not None and np.isclose(v, ref, rtol=1e-5, atol=1e-12)]
            self.loss_mode = close[0] if close else "none"
        return a if self.loss_mode == "A" else b if self.loss_mode == "B" else None


class Unfollowable(Exception):
    pass


def _limits(plan: dict[str, Any]) -> None:
    """Bound memory and CPU time (Linux).  The child needs no signal to die with the server: its
    wire is a pipe, and the next read (end of file) or write (broken pipe) after the server is gone
    ends it.  (``PR_SET_PDEATHSIG`` would fire when the server *thread* that started it ends.)"""
    if os.getppid() != plan["parent"]:
        os._exit(0)
    try:
        import resource

        from chainrule.check.limits import _status_kb

        data = _status_kb("VmData") or 0
        limit = int((data / 1024 + plan["memory_mb"]) * 1024 * 1024)
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
        cpu = int(plan["cpu_seconds"])
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    except (ImportError, ValueError, OSError):
        pass


def run(plan: dict[str, Any], start: list[np.ndarray], out: BinaryIO, inp: BinaryIO) -> None:
    from chainrule.check.source import load_script

    script = load_script(plan["path"])
    code = compile(script.tree, script.path, "exec")
    folder = os.path.dirname(os.path.abspath(plan["path"]))
    os.chdir(folder)
    sys.path.insert(0, folder)
    sys.argv = [os.path.abspath(plan["path"])]
    main = types.ModuleType("__main__")
    main.__file__ = os.path.abspath(plan["path"])
    main.__builtins__ = builtins  # type: ignore[attr-defined]
    sys.modules["__main__"] = main
    builtins.input = lambda *a, **k: ""
    printed = Printed()
    sys.stdout = sys.stderr = printed  # type: ignore[assignment]
    np.random.seed(plan["seed"])
    random.seed(plan["seed"])
    follow = Follow(plan, start, out, inp, printed)
    sys.settrace(follow.global_trace)
    try:
        exec(code, main.__dict__)
    except EndTraining:
        return
    except wire.WireClosed:
        os._exit(0)
    except Unfollowable as exc:
        wire.send(out, {"type": "error", "message": str(exc), "iteration": follow.count})
        return
    except MemoryError:
        wire.send(out, {"type": "error", "iteration": follow.count, "message":
                        f"your script needed more than the {plan['memory_mb']:.0f} MB the page allows it"})
        return
    except SystemExit:
        pass
    except BaseException as exc:  # the learner's script raised: say where, as python would
        import traceback

        tb = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename in follow.files or
              f.filename == script.path]
        where = f" (line {tb[-1].lineno})" if tb else ""
        wire.send(out, {"type": "error", "iteration": follow.count, "losses": follow.losses,
                        "message": f"your script raised {type(exc).__name__}: {exc}{where}"})
        return
    finally:
        sys.settrace(None)
    why = "your script finished" if follow.frame is not None else "your script never reached its training loop"
    wire.send(out, {"type": "end", "iteration": follow.count, "losses": follow.losses, "why": why,
                    "printed": printed.take(), "loss_mode": follow.loss_mode})


def main() -> None:
    inp = os.fdopen(os.dup(0), "rb", buffering=0)
    out = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):
        os.dup2(null, fd)  # C code of the script writing to stdout cannot reach the wire
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        head, start = wire.receive(inp)
        _limits(head)
        run(head, start, out, inp)
        out.flush()
    except BaseException:  # the server went away (end of file, broken pipe): nothing left to tell
        pass
    os._exit(0)


if __name__ == "__main__":
    main()
