"""Write a one-line mutant of a corpus script into a folder, and say where its culprit is.

The mutant is the base script plus the files beside it that it needs (``Case.files``), with
exactly one line of one of them replaced. In a notebook the line is replaced inside its cell.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from scriptrun import notebook_cells
from spec import Case, Mutant


def _replace(lines: list[str], old: str, new: str, where: str) -> list[str]:
    hits = [i for i, line in enumerate(lines) if line.strip() == old.strip()]
    if len(hits) != 1:
        raise LookupError(f"{where}: {old.strip()!r} found {len(hits)} times, expected once")
    line = lines[hits[0]]
    indent = line[: len(line) - len(line.lstrip())]
    return lines[: hits[0]] + [indent + new.strip()] + lines[hits[0] + 1 :]


def _replace_in_notebook(path: Path, old: str, new: str) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    found = 0
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = cell["source"]
        text = "".join(source) if isinstance(source, list) else source
        lines = text.split("\n")
        if any(line.strip() == old.strip() for line in lines):
            found += 1
            text = "\n".join(_replace(lines, old, new, path.name))
            cell["source"] = text.splitlines(keepends=True)
    if found != 1:
        raise LookupError(f"{path.name}: {old.strip()!r} found in {found} cells, expected one")
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def write_mutant(case: Case, mutant: Mutant, folder: Path) -> Path:
    """Copy the case's files into ``folder``, apply the mutant, return the mutant script's path."""
    source = case.path.parent
    for name in case.files:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / name, folder / name)
    target = folder / (mutant.file or case.path.name)
    if target.suffix == ".ipynb":
        _replace_in_notebook(target, mutant.old, mutant.new)
    else:
        raw = target.read_bytes()
        bom = raw.startswith(b"\xef\xbb\xbf")
        lines = raw.decode("utf-8-sig").split("\n")
        text = "\n".join(_replace(lines, mutant.old, mutant.new, target.name))
        target.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return folder / case.path.name


def culprit(case: Case, mutant: Mutant, folder: Path) -> dict:
    """``{"file", "line", "cell"}`` of the mutant's new line in its copy in ``folder``.

    ``file`` is relative to the script's folder; in a notebook ``cell`` counts all cells from 1
    and ``line`` is the line within that cell; for a ``.py`` file ``cell`` is None.
    """
    name = mutant.file or case.path.name
    path = folder / name
    want = mutant.new.strip()
    if path.suffix == ".ipynb":
        hits = [
            (cell, no)
            for cell, lines in notebook_cells(path)
            for no, line in enumerate(lines, 1)
            if line.strip() == want
        ]
    else:
        lines = path.read_text(encoding="utf-8-sig").split("\n")
        hits = [(None, no) for no, line in enumerate(lines, 1) if line.strip() == want]
    if len(hits) != 1:
        raise LookupError(f"{name}: the mutant's line {want!r} occurs {len(hits)} times")
    cell, line = hits[0]
    return {"file": name, "line": line, "cell": cell}
