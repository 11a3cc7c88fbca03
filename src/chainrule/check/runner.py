"""Run the script's set-up and one iteration of its loop, statement by statement.

numpy's legacy seed is set, matplotlib uses Agg with ``plt.show`` a no-op,
``print`` output is swallowed, and a SIGALRM timer stops a script that takes
too long before reaching its loop.  Every statement of the analysed iteration
leaves a *copy* of what it wrote (so ``dscores = probs`` followed by in-place
edits cannot rewrite history).
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import inspect
import io
import os
import signal
import threading
import warnings
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

from chainrule.check.dataflow import reads, writes
from chainrule.check.dictkeys import rewrite as rewrite_dict_keys
from chainrule.check.lazyplot import LazyMatplotlib
from chainrule.check.locate import Plan, Stmt
from chainrule.check.translate import translate
from chainrule.errors import ChainruleError


class _Timeout(BaseException):
    pass


@dataclass
class Record:
    stmt: Stmt
    index: int
    before: dict[str, Any]  # copies of what the statement reads, just before it ran
    after: dict[str, Any]  # copies of what it wrote
    error: Optional[str] = None  # translated message when it raised


@dataclass
class Trace:
    ns: dict[str, Any]
    start: dict[str, Any]  # copies of the namespace's arrays/numbers at the start of iteration N
    records: list[Record] = field(default_factory=list)
    output: str = ""
    rng_state: Any = None


def snap(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return v.copy()
    if isinstance(v, (list, tuple)) and len(v) < 50 and all(isinstance(x, np.ndarray) for x in v):
        return type(v)(x.copy() for x in v)
    return v


def _frozen(ns: dict) -> dict:
    return {k: snap(v) for k, v in ns.items() if not k.startswith("__")}


class Runner:
    def __init__(self, plan: Plan, seed: int = 0, timeout: float = 60.0):
        self.plan = plan
        self.seed = seed
        self.timeout = timeout
        self.path = plan.script.path
        self.name = os.path.basename(self.path)
        self.ns: dict[str, Any] = {"__name__": "__main__", "__file__": self.path,
                                   "__builtins__": builtins}
        self.out = io.StringIO()

    # ------------------------------------------------------------------ plumbing
    def _exec(self, stmts: list[ast.stmt]) -> None:
        if not stmts:
            return
        code = compile(ast.fix_missing_locations(ast.Module(body=list(stmts), type_ignores=[])),
                       self.path, "exec")
        exec(code, self.ns)

    def _eval(self, node: ast.expr) -> Any:
        return eval(compile(ast.fix_missing_locations(ast.Expression(body=node)), self.path, "eval"), self.ns)

    def _bind_target(self, target: ast.expr, value: Any) -> None:
        self.ns["__cr_item"] = value
        self._exec([ast.copy_location(ast.Assign(targets=[target], value=ast.Name("__cr_item", ast.Load())), target)])

    @contextlib.contextmanager
    def sandbox(self):
        """Seeded numpy, quiet prints, Agg matplotlib, a timer; restores everything."""
        np.random.seed(self.seed)
        restore = []
        plots = LazyMatplotlib()
        plots.install()
        restore.append((builtins, "input", builtins.input))
        builtins.input = lambda *a, **k: ""
        use_timer = threading.current_thread() is threading.main_thread() and self.timeout > 0
        old = None
        if use_timer:
            def _alarm(signum, frame):
                raise _Timeout()
            old = signal.signal(signal.SIGALRM, _alarm)
        try:
            with contextlib.redirect_stdout(self.out), warnings.catch_warnings(), \
                    np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                yield use_timer
        finally:
            if use_timer:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, old)
            for obj, attr, val in restore:
                setattr(obj, attr, val)
            plots.uninstall()

    def _line_of(self, exc: BaseException) -> int:
        tb = exc.__traceback__
        line = 0
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == self.path:
                line = tb.tb_lineno
            tb = tb.tb_next
        return line

    def _crash(self, exc: BaseException, where: str, node: Optional[ast.AST] = None) -> ChainruleError:
        line = self._line_of(exc)
        text = self.plan.script.lines[line - 1].strip() if 0 < line <= len(self.plan.script.lines) else ""
        msg = translate(exc, node, self.ns, self.plan.display) if node is not None else translate(exc, None, self.ns)
        code = f" (`{text}`)" if text else ""
        return ChainruleError(f"{self.name}, line {line}{code}: the script crashed {where}: {msg}. "
                              f"Fix this line and run the check again.", exit_code=2)

    # ------------------------------------------------------------------ phases
    def _prefix(self, path) -> None:
        for stmts, i in path[:-1]:
            self._exec(stmts[:i])
            s = stmts[i]
            if isinstance(s, ast.For):
                it = iter(self._eval(s.iter))
                self._bind_target(s.target, next(it))
        stmts, i = path[-1]
        self._exec(stmts[:i])

    def _call(self, fdef: ast.FunctionDef, call: ast.Call) -> None:
        func = self.ns.get(fdef.name)
        args = [self._eval(a) for a in call.args]
        kwargs = {k.arg: self._eval(k.value) for k in call.keywords if k.arg}
        try:
            bound = inspect.signature(func).bind(*args, **kwargs)
        except TypeError as exc:
            raise ChainruleError(f"{self.name}, line {call.lineno}: calling `{fdef.name}` fails: {exc}.") from None
        bound.apply_defaults()
        self.ns.update(bound.arguments)

    def run(self, iteration: int = 1) -> Trace:
        plan = self.plan
        with self.sandbox() as timed:
            if timed:
                signal.setitimer(signal.ITIMER_REAL, self.timeout)
            stage = "before reaching its training loop"
            try:
                self._prefix(plan.module_path)
                for fdef, call, path in plan.calls:
                    self._call(fdef, call)
                    self._prefix(path)
                stage = "in an iteration before the analysed one"
                trace = self._iterate(iteration, timed)
            except _Timeout:
                raise ChainruleError(
                    f"{self.name}: the script ran for more than {self.timeout:g} s {stage} "
                    f"(line {plan.loop.lineno}). Make the set-up smaller or raise --timeout.",
                    exit_code=2) from None
            except ChainruleError:
                raise
            except SyntaxError:
                raise
            except (Exception, SystemExit) as exc:
                raise self._crash(exc, stage) from None
        trace.output = self.out.getvalue()
        return trace

    def _iterate(self, n: int, timed: bool) -> Trace:
        loop = self.plan.loop
        if isinstance(loop, ast.For):
            it = iter(self._eval(loop.iter))
        once = ast.For(target=ast.Name("__cr_once", ast.Store()), iter=ast.Tuple([ast.Constant(0)], ast.Load()),
                       body=loop.body, orelse=[])
        ast.copy_location(once, loop)
        for k in range(1, n + 1):
            if isinstance(loop, ast.For):
                try:
                    item = next(it)
                except StopIteration:
                    raise ChainruleError(f"{self.name}: the loop on line {loop.lineno} has only {k - 1} "
                                         f"iterations; choose --iteration {max(1, k - 1)} or less.") from None
                self._bind_target(loop.target, item)
            elif not self._eval(loop.test):
                raise ChainruleError(f"{self.name}: the while loop on line {loop.lineno} stops after "
                                     f"{k - 1} iterations; choose a smaller --iteration.")
            if k < n:
                self._exec([once])
        rewrite_dict_keys(self.plan, self.ns)  # model["W1"] -> model__W1 (no-op without dicts)
        trace = Trace(ns=self.ns, start=_frozen(self.ns), rng_state=np.random.get_state())
        for idx, st in enumerate(self.plan.body):
            before = {r: snap(self.ns[r]) for r in reads(st.node) if r in self.ns}
            rec = Record(st, idx, before, {})
            try:
                self._exec([st.node])
            except (Exception, SystemExit) as exc:
                rec.error = translate(exc, st.node, {**self.ns, **before}, self.plan.display)
                trace.records.append(rec)
                break
            rec.after = {w: snap(self.ns[w]) for w in writes(st.node) if w in self.ns}
            trace.records.append(rec)
        return trace
