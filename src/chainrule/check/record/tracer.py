"""Follow the script line by line: loops, iterations, parameter updates, names, and when to stop.

A line tracer (``sys.settrace``, the learner's files only) counts the header hits of every
``for``/``while`` loop in their code (comprehensions are not loops).  The *training loop* is
found by behaviour: the innermost loop one of whose iterations **updates parameters** —
an array that existed before the iteration is moved along an array the iteration computed
*from it* (``W -= lr * dW`` in place, or its slot — a variable, an attribute, a list item, a
dict entry, even ``parameters["W" + str(l)]`` — rebound to ``W - lr * dW``).  Nielsen's
per-example loop accumulates ``nabla_w`` but updates nothing (``nabla_w`` is not read by
the computation of ``delta_nabla_w``); an epoch loop is not innermost.

Modes: ``search`` (training loop unknown: record every loop iteration, dropping the record
whenever an outermost loop starts a new one), ``skip`` (known, before the analysed
iteration: nothing is recorded), ``analyse`` (the analysed iteration) and ``done`` (the
script is stopped with :class:`~chainrule.check.record.state.StopScript`).

While recording it also keeps, for every assignment that ran, which node each target got
(:class:`Binding`: names for values) and the statements that ran.
"""

from __future__ import annotations

import ast
import sys
import types
from dataclasses import dataclass, field
from typing import Any, Optional

from chainrule.check.record.files import FileInfo, Loop, UserFiles
from chainrule.check.record.frames import Scan, scan
from chainrule.check.record.state import ANALYSE, DONE, REC, SEARCH, SKIP, Site, StopScript
from chainrule.check.record.traced import Traced
from chainrule.check.record.bindings import Binding, BindingRecorder, _add_binding
from chainrule.check.record.updates import Update, UpdateDetector, _derived

_NOT_LOOPS = ("<listcomp>", "<genexpr>", "<dictcomp>", "<setcomp>", "<lambda>")


@dataclass(eq=False)
class FrameState:
    frame: types.FrameType
    info: FileInfo
    call: int
    loops_here: bool
    open: list["LoopState"] = field(default_factory=list)
    last_line: int = 0
    stmt: Optional[ast.stmt] = None
    execution: int = 0
    pending: Optional[tuple] = None  # (statements, execution) whose targets to read at the next event


@dataclass(eq=False)
class LoopState:
    loop: Loop
    frame: FrameState
    count: int = 0
    start: int = 0
    scan: Optional[Scan] = None
    candidates: list["Update"] = field(default_factory=list)


class Tracer(UpdateDetector, BindingRecorder):
    """See the module docstring.  ``target`` = (file, header line) of a training loop found by an earlier run."""

    def __init__(self, files: UserFiles, iteration: int = 1, scalars: frozenset = frozenset(),
                 target: Optional[tuple[str, int]] = None):
        self.files = files
        self.N = iteration
        self.scalars = scalars
        self.target = target
        self.mode = SKIP if target else SEARCH
        self.states: dict[int, FrameState] = {}
        self.calls = 0
        self.executions = 0
        self.open_count = 0
        self.train: Optional[LoopState] = None
        self.train_loop: Optional[Loop] = None
        self.window: tuple[int, int] = (0, 0)
        self.start_scan: Optional[Scan] = None
        self.end_scan: Optional[Scan] = None
        self.updates: list[Update] = []
        self.bindings: list[Binding] = []
        self.executed: list[tuple[str, int, int, int]] = []  # (file, statement line, execution, call)
        self.end_reason = ""
        self.raised: Optional[tuple] = None
        self.first_update_iteration: Optional[int] = None
        self.positions: dict[types.CodeType, list] = {}
        self.compiled: dict[int, Any] = {}

    # ------------------------------------------------------------------ install
    def install(self) -> None:
        REC.site_of = self.site
        REC.on_op = self.on_op
        sys.settrace(self.global_trace)

    def uninstall(self) -> None:
        sys.settrace(None)
        REC.site_of = None
        REC.on_op = None

    @property
    def finished(self) -> bool:
        return self.mode == DONE

    def iteration_of_loop(self) -> Optional[int]:
        """The training loop's current iteration (1 = the first), once the loop is known."""
        return self.train.count if self.train is not None else None

    # ------------------------------------------------------------------ events
    def global_trace(self, frame, event, arg):
        if event != "call" or not self.files.is_user(frame.f_code.co_filename):
            return None
        self.calls += 1
        info = self.files.info(frame.f_code.co_filename)
        self.states[id(frame)] = FrameState(frame, info, self.calls, frame.f_code.co_name not in _NOT_LOOPS)
        return self.local_trace

    def local_trace(self, frame, event, arg):
        st = self.states.get(id(frame))
        if st is None:
            return None
        if event == "line":
            self.on_line(st, frame)
        elif event == "return":
            self.on_return(st, frame, arg)
        elif event == "exception" and not isinstance(arg[1], StopScript):
            self.raised = (arg[1], frame.f_code.co_filename, frame.f_lineno)  # may end the window on its way out
        return self.local_trace

    def on_line(self, st: FrameState, frame) -> None:
        self.raised = None  # a line ran: any earlier exception was handled
        line = frame.f_lineno
        stmt = st.info.statement(line)
        new_stmt = stmt is not st.stmt
        if new_stmt and st.pending is not None:
            self.bind(st, frame)  # the previous statement has run: read what its targets hold
        while st.open and not (st.open[-1].loop.header <= line <= st.open[-1].loop.end):
            self.close(st.open.pop(), frame, "the loop ended")
        loop = st.info.loops.get(line) if st.loops_here else None
        if loop is not None and stmt is loop.node:
            ls = st.open[-1] if st.open and st.open[-1].loop is loop else None
            if ls is not None and loop.header < st.last_line <= loop.end:
                self.iteration_end(ls, frame, "the next iteration started")
                self.iteration_start(ls, frame)
            else:
                if ls is not None:
                    self.close(st.open.pop(), frame, "the loop ended")
                ls = LoopState(loop, st)
                st.open.append(ls)
                self.open_count += 1
                if self.target and self.train is None and (loop.file, loop.header) == self.target:
                    self.train, self.train_loop = ls, loop
                self.iteration_start(ls, frame)
        if new_stmt:
            self.executions += 1
            st.stmt, st.execution = stmt, self.executions
            if REC.recording and stmt is not None:
                self.executed.append((st.info.path, stmt.lineno, st.execution, st.call))
                sts = [x for x in st.info.statements_on(stmt.lineno) if isinstance(
                    x, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For))] if stmt.lineno == line else \
                    ([stmt] if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For)) else [])
                if sts:
                    st.pending = (sts, st.execution)
        st.last_line = line

    def on_return(self, st: FrameState, frame, value=None) -> None:
        if st.pending is not None:
            self.bind(st, frame)
        if REC.recording and isinstance(st.stmt, ast.Return) and isinstance(st.stmt.value, ast.Name):
            out: list = []
            _add_binding(st.info.source(st.stmt.value), value, out)  # `return grad`: passes an array on
            if out:
                self.bindings.append(Binding(st.info.path, st.stmt.lineno, st.execution, st.call, out,
                                             st.stmt.col_offset, REC.clock))
        while st.open:
            self.close(st.open.pop(), frame, "its function returned")
        self.states.pop(id(frame), None)

    # ------------------------------------------------------------------ iterations
    def iteration_start(self, ls: LoopState, frame) -> None:
        ls.count += 1
        ls.start = REC.tick()
        ls.candidates = []
        if self.mode == SEARCH:
            if self.open_count == 1:
                REC.reset()
                self.bindings, self.executed = [], []
            REC.recording = True
            ls.scan = scan(frame, self.files.is_user, later=self._loop_vars(ls))
        elif self.mode == SKIP and ls is self.train and ls.count == self.N:
            REC.reset()
            self.bindings, self.executed = [], []
            REC.recording = True
            self.mode = ANALYSE
            ls.scan = scan(frame, self.files.is_user, scalars=self.scalars, later=self._loop_vars(ls))
            ls.start = REC.tick()  # after the arrays wrapped just now: they are from before the iteration
            self.start_scan, self.window = ls.scan, (ls.start, 0)

    def iteration_end(self, ls: LoopState, frame, reason: str) -> None:
        if self.mode == SEARCH:
            if not self.confirm(ls, frame):
                return
            self.first_update_iteration = ls.count
            self.train, self.train_loop = ls, ls.loop
            if ls.count == self.N:
                self.start_scan, self.window = ls.scan, (ls.start, REC.clock)
                self.finish(ls, reason)
            elif ls.count < self.N:
                self.mode = SKIP
                REC.reset()
                REC.recording = False
            else:
                self.start_scan, self.window = ls.scan, (ls.start, REC.clock)
                self.finish(ls, reason)  # the analysis says: no update before iteration `count`
        elif self.mode == ANALYSE and ls is self.train:
            self.confirm(ls, frame)
            self.window = (self.window[0], REC.clock)
            self.finish(ls, reason)

    def close(self, ls: LoopState, frame, reason: str) -> None:
        self.open_count -= 1
        if self.mode in (SEARCH, ANALYSE):
            self.iteration_end(ls, frame, reason)
        if self.mode == SEARCH and self.open_count == 0:
            REC.recording = False

    def finish(self, ls: LoopState, reason: str) -> None:
        self.updates = [u for u in ls.candidates if u.confirmed]
        self.end_reason = reason
        self.mode = DONE
        REC.recording = False
        REC.stopped = True
        raise StopScript()

    def stop_now(self, reason: str) -> None:
        """The script is ending in the analysed iteration (sys.exit, an error): close the window here."""
        if self.mode == ANALYSE and self.train is not None:
            self.confirm(self.train, self.train.frame.frame)
            self.window = (self.window[0], REC.clock)
            self.updates = [u for u in self.train.candidates if u.confirmed]
            self.end_reason, self.mode = reason, DONE
        elif self.mode == SEARCH:
            loops = self._open_loops()
            for ls in loops:
                if self.confirm(ls, ls.frame.frame):
                    self.train, self.train_loop = ls, ls.loop
                    self.first_update_iteration = ls.count
                    if ls.count == self.N:
                        self.start_scan, self.window = ls.scan, (ls.start, REC.clock)
                        self.updates = [u for u in ls.candidates if u.confirmed]
                        self.end_reason, self.mode = reason, DONE
                    break
        REC.recording = False

    def confirm(self, ls: LoopState, frame) -> bool:
        """Keep the in-place updates; keep a rebinding if the slot that held the parameter holds its update now."""
        if not ls.candidates:
            return False
        end = scan(frame, self.files.is_user, wrap=False, later=self._loop_vars(ls))
        start_paths = ls.scan.oid_paths() if ls.scan else {}
        by_path_start = {p: a._cr_oid for p, a in (ls.scan.arrays.items() if ls.scan else ()) if isinstance(a, Traced)}
        ok = False
        for u in ls.candidates:
            if u.in_place:
                u.confirmed, u.path, u.final = True, start_paths.get(u.param.obj, ""), u.op
                ok = True
                continue
            for p, oid in by_path_start.items():
                if oid != u.param.obj:
                    continue
                now = end.arrays.get(p)
                n = now._cr_node if isinstance(now, Traced) else None
                if n is not None and not n.stale and (n is u.op or _derived(n, u.op, ls.start)):
                    u.confirmed, u.path, u.final = True, p, n
                    ok = True
                    break
        if ok:
            self.end_scan = end  # the training loop's: names and slots at the end of its iteration
        return ok

    def _open_loops(self) -> list[LoopState]:
        return [ls for st in self.states.values() for ls in reversed(st.open)]

    def _loop_vars(self, ls: LoopState) -> frozenset:
        """Names bound by the for-loops of the loop's file (``for layer in self.layers``)."""
        hit = getattr(ls.frame, "_loop_vars", None)
        if hit is None:
            names = set()
            for loop in ls.frame.info.loops.values():
                t = getattr(loop.node, "target", None)
                if t is not None:
                    names |= {n.id for n in ast.walk(t) if isinstance(n, ast.Name)}
            hit = frozenset(names)
            ls.frame._loop_vars = hit  # type: ignore[attr-defined]
        return hit

    # ------------------------------------------------------------------ updates
    def active(self) -> list[LoopState]:
        """Open loop iterations on the current call stack, innermost first."""
        out: list[LoopState] = []
        f = sys._getframe(1)
        while f is not None:
            st = self.states.get(id(f))
            if st is not None and st.frame is f:
                out.extend(reversed(st.open))
            f = f.f_back
        return out


    # ------------------------------------------------------------------ names and places
    def site(self) -> Optional[Site]:
        f = sys._getframe(1)
        is_user = self.files.is_user
        while f is not None and not is_user(f.f_code.co_filename):
            f = f.f_back
        if f is None:
            return None
        code = f.f_code
        pos = self.positions.get(code)
        if pos is None:
            pos = self.positions[code] = list(code.co_positions())
        i = f.f_lasti // 2
        p = pos[i] if 0 <= i < len(pos) else (f.f_lineno, f.f_lineno, 0, 0)
        st = self.states.get(id(f))
        line = p[0] or f.f_lineno
        return Site(code.co_filename, line, p[2] or 0, p[1] or line, p[3] or 0,
                    st.execution if st else 0, st.call if st else 0)


