"""Read a learner's script — a ``.py`` file or a Jupyter notebook — and refuse, clearly, what cannot run.

* ``.ipynb``: the code cells in order, joined into one program; every line keeps its place, so
  a line is reported as "cell 4, line 7" (:meth:`Script.where`).
* IPython lines (``%matplotlib inline``, ``!pip install``, ``get_ipython().run_line_magic(...)``
  in exported notebooks) are skipped with a note; a cell magic such as ``%%bash`` skips its cell.
* A UTF-8 byte-order mark and Windows line ends are accepted.
* Python 2 ``print`` statements get the Python 3 line to write instead (all of its
  arguments, also when they continue on the next line), indentation lost when the code
  was pasted from a forum is named as such, and other syntax errors show the line and a caret.
"""

from __future__ import annotations

import ast
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from chainrule.cells import cell_of, line_label
from chainrule.errors import ChainruleError

_PY2_PRINT = re.compile(r"^(\s*)print(?:\s+(?![\s(=.,)\]])|(?=[\"']))(.*?)\s*$")
_BLOCK_OPENER = re.compile(r"^\s*(def|for|while|if|elif|else|with|try|except|finally|class)\b.*:\s*(#.*)?$")
_IPYTHON = re.compile(r"^\s*(%|!|\w+\s*=\s*!|get_ipython\(\)|\?|[\w.]+\?\??\s*$)")  # ... and `np.zeros?` help
_SUFFIXES = ("", ".py", ".pyw", ".ipynb")  # a script without a suffix runs with python too
_SKIP_CELL = ("%%bash", "%%sh", "%%writefile", "%%html", "%%javascript", "%%js", "%%latex",
              "%%markdown", "%%script", "%%perl", "%%ruby", "%%svg", "%%file", "%%system")


@dataclass
class Script:
    path: str  # the file the learner gave
    text: str  # the Python program that runs (IPython lines blanked, same line numbers)
    tree: ast.Module
    cells: list[tuple[int, int]] = field(default_factory=list)  # notebook: (cell number, its first line)
    notes: list[str] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    @property
    def is_notebook(self) -> bool:
        return bool(self.cells)

    def where(self, line: int) -> tuple[Optional[int], int]:
        """(cell number or None, line within the cell) of a line of :attr:`text`."""
        return cell_of(line, self.cells)

    def place(self, line: int) -> str:
        """``line 7`` or ``cell 4, line 7``."""
        return line_label(line, self.cells)


def py3_print(args: str) -> str:
    """``"i:", i,`` -> ``print("i:", i, end=" ")``; ``>>f, x`` -> ``print(x, file=f)``."""
    args = args.strip()
    extra = []
    if args.startswith(">>"):
        target, _, rest = args[2:].partition(",")
        args = rest.strip()
        extra.append(f"file={target.strip()}")
    if args.endswith(","):
        args = args[:-1].rstrip()
        extra.append('end=" "')
    inner = ", ".join(p for p in [args] + extra if p)
    return f"print({inner})"


def _open_brackets(s: str) -> int:
    s = re.sub(r"'[^']*'|\"[^\"]*\"", "", s)
    return sum(s.count(c) for c in "([{") - sum(s.count(c) for c in ")]}")


def find_py2_prints(text: str) -> list[tuple[int, str, str]]:
    """(line number, the statement, its Python 3 version) for every Python 2 print statement."""
    found = []
    in_triple = False
    lines = text.splitlines()
    no = 0
    while no < len(lines):
        line = lines[no]
        no += 1
        if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
            in_triple = not in_triple
            continue
        if in_triple:
            continue
        m = _PY2_PRINT.match(re.sub(r"#.*$", "", line))
        if not m:
            continue
        indent, args = m.group(1), m.group(2)
        first, old = no, line.strip()
        while (args.endswith("\\") or _open_brackets(args) > 0) and no < len(lines):
            args = args.rstrip("\\").rstrip() + " " + re.sub(r"#.*$", "", lines[no]).strip()
            old += " " + lines[no].strip()
            no += 1
        found.append((first, old, indent + py3_print(args)))
    return found


def lost_indentation(text: str) -> bool:
    """True when block openers are followed by unindented lines everywhere."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    openers = [i for i, ln in enumerate(lines[:-1]) if _BLOCK_OPENER.match(ln)]
    if not openers:
        return False
    indented_after = sum(1 for i in openers if lines[i + 1][:1] in (" ", "\t"))
    return indented_after == 0


def _caret(text: str, lineno: Optional[int], col: Optional[int]) -> str:
    lines = text.splitlines()
    if not lineno or not 1 <= lineno <= len(lines):
        return ""
    line = lines[lineno - 1]
    pad = " " * max(0, (col or 1) - 1 - (len(line) - len(line.lstrip())))
    return f"    {line.strip()}\n    {pad}^"


def _blank_ipython(lines: list[str], place) -> tuple[list[str], list[str]]:
    """IPython-only lines replaced by ``pass`` (same indentation, same line numbers)."""
    out, skipped = [], []
    cont = False
    for i, ln in enumerate(lines, 1):
        if cont or _IPYTHON.match(ln):
            skipped.append(f"`{ln.strip()}` ({place(i)})")
            indent = ln[:len(ln) - len(ln.lstrip())]
            out.append(indent + "pass" if not cont else "")
            cont = ln.rstrip().endswith("\\")
        else:
            out.append(ln)
    return out, skipped


def _notebook(p: Path) -> tuple[str, list[tuple[int, int]], list[str]]:
    try:
        nb = json.loads(p.read_text(encoding="utf-8-sig"))
        cells = nb["cells"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ChainruleError(f"{p.name} is not a readable Jupyter notebook ({exc}); save it again from "
                             f"Jupyter, or export it as a .py script.", file=str(p)) from None
    lines: list[str] = []
    starts: list[tuple[int, int]] = []
    notes = []
    for number, cell in enumerate(cells, 1):
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
        body = src.splitlines() or [""]
        if body[0].strip().split(" ")[0] in _SKIP_CELL:
            notes.append(f"cell {number} is a `{body[0].strip().split(' ')[0]}` cell, not Python: skipped")
            body = ["" for _ in body]
        starts.append((number, len(lines) + 1))
        lines.extend(body)
    if not starts:
        raise ChainruleError(f"{p.name} has no code cells: there is no training script to check.", file=str(p))
    return "\n".join(lines) + "\n", starts, notes


def load_script(path) -> Script:
    """Read and parse ``path``; raise :class:`ChainruleError` (exit 2) for anything unreadable."""
    p = Path(path)
    if not p.exists():
        raise ChainruleError(f"{path}: no such file. Give the path of your training script, "
                             f"e.g. chainrule check my_net.py.", file=str(path))
    if p.is_dir():
        raise ChainruleError(f"{path} is a directory; give the path of one .py script or .ipynb notebook.",
                             file=str(path))
    if p.suffix.lower() not in _SUFFIXES:
        raise ChainruleError(f"{path} is not a Python script (.py) or a Jupyter notebook (.ipynb). If it holds "
                             f"your Python code, rename it to {p.stem}.py and run the command again.", file=str(path))
    cells: list[tuple[int, int]] = []
    notes: list[str] = []
    if p.suffix.lower() == ".ipynb":
        text, cells, notes = _notebook(p)
    else:
        raw = p.read_bytes()
        if b"\x00" in raw:
            raise ChainruleError(f"{path} is not a text file (it holds binary data: a NUL byte at byte "
                                 f"{raw.index(0)}). Give the .py file of your training script, saved as plain "
                                 f"text.", file=str(path))
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ChainruleError(f"{path} is empty: there is no training script to check.", file=str(path))
    proto = Script(str(p), text, ast.Module([], []), cells)
    blanked, skipped = _blank_ipython(text.splitlines(), proto.place)
    if skipped:
        shown = ", ".join(skipped[:3]) + (f" and {len(skipped) - 3} more" if len(skipped) > 3 else "")
        notes.append(f"IPython-only line{'s' if len(skipped) > 1 else ''} skipped (plain Python "
                     f"cannot run {'them' if len(skipped) > 1 else 'it'}): {shown}")
        text = "\n".join(blanked) + "\n"
    _refuse_python2(p, text, proto)
    try:
        tree = ast.parse(text, filename=str(p))
    except SyntaxError as exc:
        raise _syntax(p, text, exc, proto) from None
    return Script(path=os.path.abspath(str(p)), text=text, tree=tree, cells=cells, notes=notes)


def _refuse_python2(p: Path, text: str, proto: Script) -> None:
    prints = find_py2_prints(text)
    if not prints:
        return
    no, old, new = prints[0]
    more = f" ({len(prints)} print statements in all; change each the same way)" if len(prints) > 1 else ""
    msg = (f"{p.name}, {proto.place(no)}: `{old}` is a Python 2 print statement; Python 3 needs "
           f"parentheses. Write: `{new.strip()}`{more}.")
    if lost_indentation(text):
        msg += (" Also, the script has lost its indentation (as happens when code is pasted "
                "from a forum): indent the bodies of its def/for/if blocks again.")
    raise ChainruleError(msg, file=str(p), line=no)


def _syntax(p: Path, text: str, exc: SyntaxError, proto: Script) -> ChainruleError:
    lineno = exc.lineno or 0
    where = proto.place(lineno)
    if isinstance(exc, IndentationError):
        detail = exc.msg or ""
        if lost_indentation(text) or "expected an indented block" in detail:
            opener = re.search(r"on line (\d+)", detail)
            block = f" (the block opened on {proto.place(int(opener.group(1)))})" if opener else ""
            return ChainruleError(
                f"{p.name}, {where}: expected an indented block{block}. The script seems to "
                f"have lost its indentation, as happens when code is pasted from a forum: indent "
                f"{where} and the rest of that block by 4 spaces, then every other "
                f"def/for/if body the same way.", file=str(p), line=lineno)
        return ChainruleError(f"{p.name}, {where}: {detail}. Make the indentation of this line "
                              f"match the block it belongs to.\n{_caret(text, lineno, exc.offset)}",
                              file=str(p), line=lineno)
    return ChainruleError(f"{p.name}, {where}: syntax error ({exc.msg}). Fix this line and run again.\n"
                          f"{_caret(text, lineno, exc.offset)}", file=str(p), line=lineno)
