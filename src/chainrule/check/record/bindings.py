"""Names for values: which node each assignment target received, and what a ``return x`` handed on.

After a statement has run (at the next line event of its frame), each of its targets is read back —
``dW2``, ``self.dweights``, ``grads["dW" + str(l)]``, the arrays of a list or tuple — with recording
paused, and the node it holds is noted as a :class:`Binding`.
"""

from __future__ import annotations

import ast
import copy
from typing import TYPE_CHECKING
from dataclasses import dataclass
from typing import Any

from chainrule.check.record.state import REC, Node
from chainrule.check.record.traced import Traced

if TYPE_CHECKING:
    from chainrule.check.record.tracer import FrameState


@dataclass
class Binding:
    file: str
    line: int  # the statement's first line
    execution: int
    call: int
    targets: list[tuple[str, Node]]
    col: int = 0
    clock: int = 0  # when it happened (a `return` hands its value to what runs after)



class BindingRecorder:
    """Mixin of :class:`~chainrule.check.record.tracer.Tracer`."""

    def bind(self, st: FrameState, frame) -> None:
        stmts, execution = st.pending
        st.pending = None
        if not REC.recording:
            return
        for stmt in stmts:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            out: list[tuple[str, Node]] = []
            REC.paused += 1
            try:
                for t in targets:
                    self._bind(t, st, frame, out)
            finally:
                REC.paused -= 1
            if out:
                self.bindings.append(Binding(st.info.path, stmt.lineno, execution, st.call, out, stmt.col_offset))

    def _bind(self, t: ast.expr, st: FrameState, frame, out: list) -> None:
        if isinstance(t, (ast.Tuple, ast.List)):
            for e in t.elts:
                self._bind(e, st, frame, out)
            return
        if isinstance(t, ast.Starred):
            t = t.value
        text = st.info.source(t)
        try:
            if isinstance(t, ast.Name):
                value = frame.f_locals.get(t.id, frame.f_globals.get(t.id))
            elif isinstance(t, ast.Subscript):
                value = self._eval(t.value, frame)
                if isinstance(value, Traced):
                    text = st.info.source(t.value)
                else:
                    value = self._eval(t, frame)
            elif isinstance(t, ast.Attribute):
                value = self._eval(t, frame)
            else:
                return
        except Exception:
            return
        _add_binding(text, value, out)

    def _eval(self, node: ast.expr, frame) -> Any:
        code = self.compiled.get(id(node))
        if code is None:
            expr = ast.Expression(_as_load(node))
            code = self.compiled[id(node)] = compile(ast.fix_missing_locations(expr), "<chainrule>", "eval")
        return eval(code, frame.f_globals, frame.f_locals)


def _add_binding(text: str, value: Any, out: list) -> None:
    if isinstance(value, Traced):
        n = value._cr_node
        if n is not None and not n.stale:
            out.append((text, n))
    elif isinstance(value, (list, tuple)) and len(value) <= 64:
        for i, v in enumerate(value):
            if isinstance(v, Traced):
                _add_binding(f"{text}[{i}]", v, out)

def _as_load(node: ast.expr) -> ast.expr:
    n = copy.deepcopy(node)
    for m in ast.walk(n):
        if hasattr(m, "ctx"):
            m.ctx = ast.Load()
    return n

