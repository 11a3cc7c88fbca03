"""The learner's own files: which files count as theirs, and what each line of them is.

*User code* is the script itself and every Python file in its folder (or below it, outside
virtual environments): a helper module next to the script (``from planar_utils import ...``)
is followed like the script, so that a wrong line inside it is named, not its call site.

For each user file, :class:`FileInfo` knows its loops (header line -> last line of the body;
comprehensions are not loops here), and for every line the statement it belongs to
(:meth:`FileInfo.statement`), from the file's syntax tree.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field
from typing import Optional

_SKIP_DIRS = ("site-packages", "dist-packages", f"{os.sep}.venv", f"{os.sep}venv", f"{os.sep}env{os.sep}",
              f"{os.sep}.tox", f"{os.sep}__pycache__")


@dataclass
class Loop:
    file: str
    header: int  # the line of `for ...:` / `while ...:`
    end: int  # last line of its body (and else-block)
    node: ast.stmt


@dataclass
class FileInfo:
    path: str
    text: str
    tree: Optional[ast.Module]
    loops: dict[int, Loop] = field(default_factory=dict)
    _stmt_of_line: dict[int, ast.stmt] = field(default_factory=dict)
    _on_line: dict[int, list] = field(default_factory=dict)  # simple statements sharing a line (a; b)

    @classmethod
    def parse(cls, path: str, text: str, tree: Optional[ast.Module] = None) -> "FileInfo":
        if tree is None:
            try:
                tree = ast.parse(text)
            except SyntaxError:
                tree = None
        info = cls(path, text, tree)
        if tree is not None:
            info._index(tree.body)
        return info

    def _index(self, body: list) -> None:
        for st in body:
            inner = _bodies(st)
            if inner:
                first = min(b[0].lineno for b in inner if b)
                for ln in range(st.lineno, max(st.lineno, first - 1) + 1):
                    self._stmt_of_line[ln] = st  # the header; the bodies' lines are set below
                if isinstance(st, (ast.For, ast.While, ast.AsyncFor)):
                    end = max(b.end_lineno or b.lineno for b in st.body)  # the else-block is not an iteration
                    self.loops[st.lineno] = Loop(self.path, st.lineno, end, st)
                for b in inner:
                    self._index(b)
            else:
                if st.lineno in self._stmt_of_line and self._stmt_of_line[st.lineno].lineno == st.lineno \
                        and not _bodies(self._stmt_of_line[st.lineno]):
                    self._on_line.setdefault(st.lineno, [self._stmt_of_line[st.lineno]]).append(st)
                for ln in range(st.lineno, (st.end_lineno or st.lineno) + 1):
                    self._stmt_of_line[ln] = st

    def statement(self, line: int, col: Optional[int] = None) -> Optional[ast.stmt]:
        """The (innermost) statement that line ``line`` (at byte column ``col``) belongs to."""
        many = self._on_line.get(line)
        if many and col is not None:
            for st in many:
                if st.col_offset <= col and (st.end_lineno > line or col <= (st.end_col_offset or 0)):
                    return st
        return self._stmt_of_line.get(line)

    def statements_on(self, line: int) -> list:
        """All simple statements that start on ``line`` (``W1 += ...; b1 += ...``)."""
        return self._on_line.get(line) or ([self._stmt_of_line[line]] if line in self._stmt_of_line else [])

    def source(self, node: ast.AST) -> str:
        seg = ast.get_source_segment(self.text, node)
        return " ".join((seg or ast.unparse(node)).split())

    def span(self, line: int, col: int, end_line: int, end_col: int) -> str:
        """The source text of a span (from ``co_positions``), on one line."""
        lines = self.text.splitlines()
        if not (1 <= line <= len(lines)) or end_line < line:
            return ""
        if line == end_line:
            seg = lines[line - 1].encode()[col:end_col].decode(errors="replace")
        else:
            parts = [lines[line - 1].encode()[col:].decode(errors="replace")]
            parts += lines[line:end_line - 1]
            parts.append(lines[end_line - 1].encode()[:end_col].decode(errors="replace"))
            seg = "\n".join(parts)
        return " ".join(seg.split())

    def line_text(self, line: int) -> str:
        lines = self.text.splitlines()
        return lines[line - 1].strip() if 1 <= line <= len(lines) else ""

    def statement_text(self, line: int) -> str:
        st = self.statement(line)
        if st is None:
            return self.line_text(line)
        if _bodies(st):
            return self.line_text(st.lineno)
        return self.source(st)


def _bodies(st: ast.stmt) -> list[list]:
    out = []
    for name in ("body", "orelse", "finalbody"):
        b = getattr(st, name, None)
        if isinstance(b, list) and b and isinstance(b[0], ast.stmt):
            out.append(b)
    for h in getattr(st, "handlers", []) or []:
        out.append(h.body)
    for c in getattr(st, "cases", []) or []:
        out.append(c.body)
    return out


class UserFiles:
    """Which files are the learner's, with their :class:`FileInfo` (parsed once, on first use)."""

    def __init__(self, folder: str, main: FileInfo):
        self.folder = os.path.realpath(folder) + os.sep
        self.main = main
        self._is: dict[str, bool] = {main.path: True}
        self._info: dict[str, FileInfo] = {main.path: main}

    def is_user(self, filename: str) -> bool:
        hit = self._is.get(filename)
        if hit is None:
            real = os.path.realpath(filename) if filename and not filename.startswith("<") else ""
            hit = bool(real) and real.startswith(self.folder) and real.endswith(".py") \
                and not any(s in real[len(self.folder) - 1:] for s in _SKIP_DIRS)
            self._is[filename] = hit
        return hit

    def info(self, filename: str) -> FileInfo:
        info = self._info.get(filename)
        if info is None:
            try:
                with open(filename, encoding="utf-8-sig") as f:
                    text = f.read()
            except OSError:
                text = ""
            info = FileInfo.parse(filename, text)
            self._info[filename] = info
        return info
