"""The code the Step panel shows: the learner's script, and the files beside it that hold its lines.

Nielsen's ``train.py`` imports ``network.py``, where the training loop and every backward line
are; the page then shows both files, the script first, each line keyed ``n`` (the script) or
``"network.py:n"`` (another file), highlighted by pygments.  A line of the walkthrough is
*located* by its text: at the line the Report names when the text is there, else where the
text is in the script, else in the other files (a Report of a helper in another file may
carry no line at all).

A notebook is shown cell by cell: a header row "cell 4" before each code cell, each line
numbered within its cell (as Jupyter and ``chainrule check`` number it) and shown as the
learner wrote it (``%matplotlib inline`` and ``!pip install`` too, which the analysed
program runs as ``pass``); the keys stay the analysed program's line numbers.
"""

from __future__ import annotations

import json
import os
from typing import Any, Optional, Sequence, Union

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from chainrule.cells import cell_of, line_label

_FMT = HtmlFormatter(nowrap=True)
Key = Union[int, str]


class CodeFiles:
    """The files shown, the script first: ``[(name, lines)]``."""

    def __init__(self, main: str, others: Optional[list[str]] = None,
                 cells: Sequence[tuple[int, int]] = (), notebook: Optional[str] = None) -> None:
        self.files: list[tuple[str, list[str]]] = [("", main.splitlines())]
        self.cells = list(cells)
        written = notebook_lines(notebook) if notebook and cells else None
        self.written = written if written is not None and len(written) == len(self.files[0][1]) else None
        for path in others or []:
            try:
                with open(path, encoding="utf-8-sig") as f:
                    self.files.append((os.path.basename(path), f.read().splitlines()))
            except OSError:
                continue

    @staticmethod
    def key(fi: int, name: str, n: int) -> Key:
        return n if fi == 0 else f"{name}:{n}"

    def lines(self, first: int = 1) -> list[dict[str, Any]]:
        """Every line to show (the script's from ``first`` on), with a header row before another file."""
        out: list[dict[str, Any]] = []
        starts = dict((f, c) for c, f in self.cells)
        for fi, (name, lines) in enumerate(self.files):
            if fi:
                out.append({"n": 0, "key": f"{name}:0", "header": name, "text": "", "html": ""})
            cell, top = None, 1
            for n, text in enumerate(lines, start=1):
                if fi == 0 and n in starts:
                    cell, top = starts[n], n
                    if n >= first:
                        out.append({"n": 0, "key": f"cell {cell}:0", "header": f"cell {cell}", "text": "",
                                    "html": ""})
                if fi == 0 and n < first:
                    continue
                if fi == 0 and self.written is not None:
                    text = self.written[n - 1]
                out.append({"n": n - top + 1 if cell is not None else n, "key": self.key(fi, name, n),
                            "text": text, "html": highlight(text, PythonLexer(), _FMT).rstrip("\n")})
        return out

    def _run(self, fi: int, code: str, start: int) -> list[Key]:
        """The lines of ``code`` (several when it continues) in file ``fi``, its first line at ``start``."""
        name, lines = self.files[fi]
        found, n = [], start
        for part in code.splitlines():
            while n <= len(lines) and not _same(lines[n - 1], part) and n < start + 40:
                n += 1
            if n <= len(lines):
                found.append(self.key(fi, name, n))
                n += 1
        return found

    def where(self, keys: list[Key]) -> Optional[tuple[str, str]]:
        """A notebook stop's place, ``("cell 5, line 3", "cell 5, lines 3–4")``; None outside a notebook."""
        if not self.cells or not keys or not all(isinstance(k, int) for k in keys):
            return None
        (c0, a), (c1, b) = cell_of(keys[0], self.cells), cell_of(keys[-1], self.cells)
        first = line_label(keys[0], self.cells)
        if len(keys) == 1 or (c0, a) == (c1, b):
            return first, first
        return first, (f"cell {c0}, lines {a}–{b}" if c0 == c1 else f"{first} – cell {c1}, line {b}")

    def locate(self, code: str, line: Optional[int]) -> list[Key]:
        """Where ``code`` is shown (see the module docstring); [] when it is in none of the files."""
        first = code.strip().splitlines()[0].strip() if code.strip() else ""
        hits = [(fi, n) for fi, (_, lines) in enumerate(self.files)
                for n, text in enumerate(lines, start=1) if first and _same(text, first)]
        if line is not None:
            exact = [h for h in hits if h[1] == line]
            if exact:
                return self._run(exact[0][0], code, line)
        if not hits:
            return [line] if line is not None and line <= len(self.files[0][1]) else []
        if line is not None:
            hits.sort(key=lambda h: (h[0], abs(h[1] - line)))
        fi, n = hits[0]
        return self._run(fi, code, n)


def _same(text: str, code: str) -> bool:
    """Is the file's line ``text`` the statement ``code``, perhaps with a comment after it?"""
    text, code = text.strip(), code.strip()
    return text == code or (text.startswith(code) and text[len(code):].lstrip().startswith("#"))


def notebook_lines(path: str) -> Optional[list[str]]:
    """A notebook's code cells as written, joined as ``chainrule.check.source`` joins them."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            cells = json.load(f)["cells"]
        lines: list[str] = []
        for cell in cells:
            if cell.get("cell_type") == "code":
                src = cell.get("source", "")
                src = "".join(src) if isinstance(src, list) else str(src)
                lines.extend(src.replace("\r\n", "\n").replace("\r", "\n").splitlines() or [""])
        return lines
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
