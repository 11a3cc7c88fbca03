"""Read a learner's script and refuse, clearly, what cannot be analysed.

Checks run before anything executes: Python 2 ``print`` statements (with the
Python 3 line to write instead), indentation lost when the code was pasted from
a forum, and ordinary syntax errors (line, caret, what to do).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from chainrule.errors import ChainruleError

_PY2_PRINT = re.compile(r"^(\s*)print(?:\s+(?![\s(=.,)\]])|(?=[\"']))(.*?)\s*$")
_BLOCK_OPENER = re.compile(r"^\s*(def|for|while|if|elif|else|with|try|except|finally|class)\b.*:\s*(#.*)?$")


@dataclass
class Script:
    path: str
    text: str
    tree: ast.Module

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()


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


def _strip_comment_and_strings(line: str) -> str:
    return re.sub(r"#.*$", "", line)


def find_py2_prints(text: str) -> list[tuple[int, str, str]]:
    """(line number, the line, its Python 3 version) for every Python 2 print statement."""
    found = []
    in_triple = False
    for no, line in enumerate(text.splitlines(), 1):
        if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
            in_triple = not in_triple
            continue
        if in_triple:
            continue
        m = _PY2_PRINT.match(_strip_comment_and_strings(line))
        if m:
            indent, args = m.group(1), m.group(2)
            found.append((no, line.strip(), indent + py3_print(args)))
    return found


def lost_indentation(text: str) -> bool:
    """True when block openers are followed by unindented lines everywhere."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    openers = [i for i, ln in enumerate(lines[:-1]) if _BLOCK_OPENER.match(ln)]
    if not openers:
        return False
    indented_after = sum(1 for i in openers if lines[i + 1][:1] in (" ", "\t"))
    return indented_after == 0


def _caret(text: str, lineno: int | None, col: int | None) -> str:
    if not lineno:
        return ""
    lines = text.splitlines()
    if not 1 <= lineno <= len(lines):
        return ""
    line = lines[lineno - 1]
    pad = " " * max(0, (col or 1) - 1 - (len(line) - len(line.lstrip())))
    return f"    {line.strip()}\n    {pad}^"


def load_script(path: str | Path) -> Script:
    """Read and parse ``path``; raise :class:`ChainruleError` (exit 2) for anything unreadable."""
    p = Path(path)
    if not p.exists():
        raise ChainruleError(f"{path}: no such file. Give the path of your training script, "
                             f"e.g. chainrule check my_net.py.")
    if p.is_dir():
        raise ChainruleError(f"{path} is a directory; give the path of one .py script.")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        text = p.read_text(encoding="latin-1")
    text = text.replace("\r\n", "\n")
    if not text.strip():
        raise ChainruleError(f"{path} is empty: there is no training script to check.")
    name = p.name
    prints = find_py2_prints(text)
    flat = lost_indentation(text)
    if prints:
        no, old, new = prints[0]
        more = f" ({len(prints)} print statements in all; change each the same way)" if len(prints) > 1 else ""
        msg = (f"{name}, line {no}: `{old}` is a Python 2 print statement; Python 3 needs "
               f"parentheses. Write: `{new.strip()}`{more}.")
        if flat:
            msg += (" Also, the script has lost its indentation (as happens when code is pasted "
                    "from a forum): indent the bodies of its def/for/if blocks again.")
        raise ChainruleError(msg)
    try:
        tree = ast.parse(text, filename=str(p))
    except IndentationError as exc:
        lineno = exc.lineno or 0
        detail = exc.msg or ""
        if flat or "expected an indented block" in detail:
            opener = re.search(r"on line (\d+)", detail)
            where = f" (the block opened on line {opener.group(1)})" if opener else ""
            raise ChainruleError(
                f"{name}, line {lineno}: expected an indented block{where}. The script seems to "
                f"have lost its indentation, as happens when code is pasted from a forum: indent "
                f"line {lineno} and the rest of that block by 4 spaces, then every other "
                f"def/for/if body the same way.") from None
        raise ChainruleError(f"{name}, line {lineno}: {detail}. Make the indentation of this line "
                             f"match the block it belongs to.\n{_caret(text, lineno, exc.offset)}") from None
    except SyntaxError as exc:
        lineno = exc.lineno or 0
        raise ChainruleError(
            f"{name}, line {lineno}: syntax error ({exc.msg}). Fix this line and run again.\n"
            f"{_caret(text, lineno, exc.offset)}") from None
    return Script(path=str(p), text=text, tree=tree)
