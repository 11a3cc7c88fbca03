"""The code the Step panel shows: the learner's script, and the files beside it that hold its lines.

Nielsen's ``train.py`` imports ``network.py``, where the training loop and every backward line
are; the page then shows both files, the script first, each line keyed ``n`` (the script) or
``"network.py:n"`` (another file), highlighted by pygments.  A line of the walkthrough is
*located* by its text: at the line the Report names when the text is there, else where the
text is in the script, else in the other files (a Report of a helper in another file may
carry no line at all).
"""

from __future__ import annotations

import os
from typing import Any, Optional, Union

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

_FMT = HtmlFormatter(nowrap=True)
Key = Union[int, str]


class CodeFiles:
    """The files shown, the script first: ``[(name, lines)]``."""

    def __init__(self, main: str, others: Optional[list[str]] = None) -> None:
        self.files: list[tuple[str, list[str]]] = [("", main.splitlines())]
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
        for fi, (name, lines) in enumerate(self.files):
            if fi:
                out.append({"n": 0, "key": f"{name}:0", "header": name, "text": "", "html": ""})
            for n, text in enumerate(lines, start=1):
                if fi == 0 and n < first:
                    continue
                out.append({"n": n, "key": self.key(fi, name, n), "text": text,
                            "html": highlight(text, PythonLexer(), _FMT).rstrip("\n")})
        return out

    def _run(self, fi: int, code: str, start: int) -> list[Key]:
        """The lines of ``code`` (several when it continues) in file ``fi``, its first line at ``start``."""
        name, lines = self.files[fi]
        found, n = [], start
        for part in code.splitlines():
            while n <= len(lines) and lines[n - 1].strip() != part.strip() and n < start + 40:
                n += 1
            if n <= len(lines):
                found.append(self.key(fi, name, n))
                n += 1
        return found

    def locate(self, code: str, line: Optional[int]) -> list[Key]:
        """Where ``code`` is shown (see the module docstring); [] when it is in none of the files."""
        first = code.strip().splitlines()[0].strip() if code.strip() else ""
        hits = [(fi, n) for fi, (_, lines) in enumerate(self.files)
                for n, text in enumerate(lines, start=1) if first and text.strip() == first]
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
