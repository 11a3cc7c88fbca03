"""Reading the learner's script: the loop body, statement by statement.

The walkthrough never paraphrases the learner's code: it parses
:data:`chainrule.learner.SOURCE` with :mod:`ast`, keeps each statement of the
training loop's body exactly as written (``ast.get_source_segment``) and
executes those statements one at a time.  This module finds them, runs them
and measures the shapes of every array a statement touches.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

from chainrule.learner import SOURCE

#: The first statement of the backward pass in the learner's loop body.
BACKWARD_START = "dscores = probs"


@dataclass(frozen=True)
class Statement:
    """One statement of the loop body: its text as written, line, and compiled code."""

    code: str  # exactly as in the source (first line for compound statements)
    line: int  # 1-based line number in the source
    node: ast.stmt
    compiled: Any

    @property
    def is_print_block(self) -> bool:
        """The ``if i % 100 == 0: print ...`` block (logging only, not maths)."""
        return isinstance(self.node, ast.If)

    @property
    def writes(self) -> Optional[str]:
        """The variable the statement assigns (or updates in place), if any."""
        node = self.node
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AugAssign) else [])
        for t in targets:
            while isinstance(t, ast.Subscript):
                t = t.value
            if isinstance(t, ast.Name):
                return t.id
        return None


@functools.lru_cache(maxsize=8)
def _lines(source: str) -> tuple[bytes, ...]:
    return tuple(line.encode("utf-8") for line in source.splitlines(keepends=True))


def segment(source: str, node: ast.AST) -> str:
    """The source text of ``node`` (a fast ``ast.get_source_segment``)."""
    lines = _lines(source)
    first, last = node.lineno - 1, node.end_lineno - 1  # type: ignore[attr-defined]
    if first == last:
        return lines[first][node.col_offset:node.end_col_offset].decode("utf-8")  # type: ignore[attr-defined]
    parts = [lines[first][node.col_offset:]] + list(lines[first + 1:last]) + [
        lines[last][:node.end_col_offset]]  # type: ignore[attr-defined]
    return b"".join(parts).decode("utf-8")


def _loop(source: str) -> ast.For:
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.For):
            return node
    raise ValueError("the script has no top-level for loop")


@functools.lru_cache(maxsize=8)
def _loop_statements(source: str) -> tuple[Statement, ...]:
    out = []
    for node in _loop(source).body:
        text = segment(source, node)
        mod = ast.Module(body=[node], type_ignores=[])
        out.append(Statement(text.splitlines()[0] if isinstance(node, ast.If) else text,
                             node.lineno, node, compile(mod, f"<line {node.lineno}>", "exec")))
    return tuple(out)


def loop_statements(source: str = SOURCE) -> list[Statement]:
    """Every statement of the training loop's body, in order (parsed once per source)."""
    return list(_loop_statements(source))


def setup_statements(source: str = SOURCE) -> list[Statement]:
    """The top-level statements before the loop (imports, data, weights), in order."""
    tree = ast.parse(source)
    out = []
    for node in tree.body:
        if isinstance(node, ast.For):
            break
        text = segment(source, node)
        mod = ast.Module(body=[node], type_ignores=[])
        out.append(Statement(text, node.lineno, node, compile(mod, f"<line {node.lineno}>", "exec")))
    return out


def split_loop(source: str = SOURCE) -> tuple[list[Statement], list[Statement]]:
    """(forward statements, backward statements) of the loop body; the print block is dropped."""
    stmts = [s for s in loop_statements(source) if not s.is_print_block]
    for k, s in enumerate(stmts):
        if s.code == BACKWARD_START:
            return stmts[:k], stmts[k:]
    raise ValueError(f"no {BACKWARD_START!r} line in the loop")


def run(statements: list[Statement], ns: dict[str, Any]) -> dict[str, Any]:
    """Execute ``statements`` in ``ns`` (the learner's code, as written) and return ``ns``."""
    for s in statements:
        exec(s.compiled, ns)  # noqa: S102 - the learner's own, fixed code
    return ns


# --------------------------------------------------------------------------- shapes

def _segment(node: ast.AST, source: str) -> str:
    return segment(source, node)


def operands(stmt: Statement, source: str = SOURCE) -> list[str]:
    """Array expressions a statement reads, as written, in order of appearance.

    ``x.T`` and comparisons (``hidden_layer <= 0``) count as one operand, and so
    does an indexed target (``dscores[range(num_examples),y]``).
    """
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.Attribute, ast.Compare, ast.Subscript)) and not (
                isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id == "np"):
            found.append(_segment(node, source))
            return
        if isinstance(node, ast.Name):
            found.append(node.id)
            return
        if isinstance(node, ast.Call):  # np.dot(a, b): the arguments, not np.dot
            for a in node.args:
                visit(a)
            return
        for child in ast.iter_child_nodes(node):
            visit(child)

    node = stmt.node
    if isinstance(node, ast.AugAssign):
        if isinstance(node.target, ast.Subscript):
            visit(node.target)
        visit(node.value)
    elif isinstance(node, ast.Assign):
        for t in node.targets:
            if isinstance(t, ast.Subscript):
                visit(t.slice)
        visit(node.value)
    seen: list[str] = []
    for f in found:
        if f not in seen:
            seen.append(f)
    return seen


def statement_shapes(stmt: Statement, ns: dict[str, Any], source: str = SOURCE) -> dict[str, list[int]]:
    """Shapes of the arrays a statement reads (evaluated in ``ns`` before it runs).

    Scalars and non-arrays are left out.  Call :func:`written_shape` after
    running the statement for the shape of what it writes.
    """
    out: dict[str, list[int]] = {}
    for expr in operands(stmt, source):
        try:
            val = eval(expr, ns)  # noqa: S307 - sub-expressions of the learner's code
        except Exception:  # pragma: no cover - an operand that needs the statement first
            continue
        if isinstance(val, np.ndarray) and val.ndim >= 1:
            out[expr] = list(val.shape)
    return out


def written_shape(stmt: Statement, ns: dict[str, Any]) -> Optional[list[int]]:
    name = stmt.writes
    val = ns.get(name) if name else None
    return list(val.shape) if isinstance(val, np.ndarray) else None
