"""The check's verdict: JSON (the public schema) and the terminal report (rich).

JSON: ``{"ok", "culprit": null | {"file", "line", "cell", "code"}, "culprit_line", "loss": {"name",
"line", "file", "inferred", "kind", "formula"}, "lines": [{"file", "line", "cell", "code", "writes",
"verdict", "gradient_of", "factor", "rel_error", "message"}], "kinks", "notes"}``.  Files are
relative to the script's folder; in a notebook ``line`` counts within ``cell``.  A line that ran
several times in the iteration (a helper called for every layer) has one entry per call, in order.
"""

from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

@dataclass
class CheckResult:
    ok: bool
    loss_name: Optional[str]
    loss_line: Optional[int]
    culprit_line: Optional[int]
    lines: list[dict[str, Any]]
    kinks: list[dict[str, Any]]
    # (file, line in the program, code, role, (cell, line in the cell)); cell is None outside a notebook
    source_lines: list[tuple] = field(default_factory=list)
    keys: list[tuple[str, int]] = field(default_factory=list)  # (file, line in the program) of each entry
    notes: list[str] = field(default_factory=list)
    script: str = ""
    culprit: Optional[dict[str, Any]] = None
    loss: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def line(self, number: int, file: Optional[str] = None) -> dict[str, Any]:
        """The entry for line ``number`` (of the script, or of ``file`` relative to its folder)."""
        found = [d for d in self.lines if d["line"] == number and (file is None or d["file"] == file)]
        if file is None:
            main = [d for d in found if d["file"] == os.path.basename(self.script)]
            found = main or found
        if not found:
            raise KeyError(number)
        return found[-1]

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "culprit": self.culprit, "culprit_line": self.culprit_line,
                "loss": dict(self.loss), "lines": [dict(d) for d in self.lines],
                "kinks": [dict(k) for k in self.kinks], "notes": list(self.notes)}


def _rel(a, file: str) -> str:
    return os.path.relpath(file, os.path.dirname(a.script.path))


def _loc(a, file: str, line: int) -> tuple[str, int, Optional[int]]:
    rel = _rel(a, file)
    if file == a.script.path and a.script.is_notebook:
        cell, ln = a.script.where(line)
        return rel, ln, cell
    return rel, line, None


def _num(x) -> Optional[float]:
    return None if x is None else float(x)


def _entries(a, keys: list) -> list[dict[str, Any]]:
    """One entry per statement execution (a helper called for two layers gives two entries)."""
    out = []
    for L in a.lines:
        rel, ln, cell = _loc(a, L.file, L.line)
        keys.append((rel, L.line))
        out.append({"file": rel, "line": ln, "cell": cell, "code": L.code, "writes": L.writes,
                    "verdict": L.verdict, "gradient_of": L.gradient_of, "factor": _num(L.factor),
                    "rel_error": _num(L.rel_error), "message": L.message})
    return out


def _kinks(a) -> list[dict[str, Any]]:
    if a.truth is None:
        return []
    out = []
    side = next((L.match.kink_side for L in a.lines if L.match is not None and L.match.kink_side), None)
    for k in a.truth.kinks:
        n = a.graph.by_id.get(k["node"])
        if n is None or n.site is None:
            continue
        mask = np.asarray(k["mask"])
        ex_axis = 0 if a.graph.layout == "rows" or mask.ndim < 2 else 1
        rows = np.unique(np.nonzero(mask)[ex_axis]) if mask.ndim >= 1 else np.array([], int)
        info = a.run.files.info(n.site.file)
        st = info.statement(n.site.line)
        rel, ln, cell = _loc(a, n.site.file, st.lineno if st is not None else n.site.line)
        out.append({"file": rel, "line": ln, "cell": cell, "code": info.statement_text(ln if cell is None else
                                                                                     st.lineno),
                    "rows": [int(r) for r in rows[:50]], "n_rows": int(len(rows)), "entries": int(mask.sum()),
                    "subgradient": {"0": 0, "1": 1}.get(side, "mixed") if side else None})
    return out


def _source(a) -> list[tuple[str, int, str, str]]:
    judged = {(L.file, L.line) for L in a.lines}
    fwd = set()
    for n in a.graph.nodes:
        if n.id in a.graph.forward and n.site is not None:
            st = a.run.files.info(n.site.file).statement(n.site.line)
            if st is not None:
                fwd.add((n.site.file, st.lineno))
    out, seen = [], set()
    for file, line, execution, call in a.run.tracer.executed:
        if (file, line) in seen:
            continue
        seen.add((file, line))
        role = "backward" if (file, line) in judged else "forward" if (file, line) in fwd else "other"
        rel, shown, cell = _loc(a, file, line)
        out.append((rel, line, a.run.files.info(file).statement_text(line), role, (cell, shown)))
    return out


def from_analysis(a) -> CheckResult:
    keys: list = []
    lines = _entries(a, keys)
    c = a.culprit
    culprit = None
    if c is not None:
        rel, ln, cell = _loc(a, c.file, c.line)
        culprit = {"file": rel, "line": ln, "cell": cell, "code": c.code}
    loss = a.loss.to_json()
    if loss.get("file"):
        rel, ln, cell = _loc(a, loss["file"], loss["line"])
        loss.update(file=rel, line=ln, cell=cell)
    return CheckResult(ok=a.ok, loss_name=a.loss.name, loss_line=loss.get("line"),
                       culprit_line=culprit["line"] if culprit else None, lines=lines, kinks=_kinks(a),
                       source_lines=_source(a), keys=keys, notes=list(a.notes), script=a.script.path,
                       culprit=culprit, loss=loss)


MARK = {"gradient": ("✓", "green"), "scaled": ("✓", "green"), "intermediate": ("·", "cyan"),
        "update": ("✓", "green"), "wrong": ("✗", "red"), "error": ("✗", "red")}


def render(result: CheckResult, console=None) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.text import Text

    console = console or Console(highlight=False)
    by_line: dict[tuple, list] = {}
    for k, d in zip(result.keys, result.lines):
        by_line.setdefault(k, []).append(d)
    console.print(f"[bold]chainrule check[/bold] {escape(os.path.basename(result.script))}")
    ls = result.loss
    if ls.get("inferred") and ls.get("formula"):
        console.print(f"loss: [bold]{escape(ls['formula'])}[/bold] (inferred: the script does not compute it)")
    elif result.loss_name:
        where = f"cell {ls['cell']}, line {ls['line']}" if ls.get("cell") else f"line {ls.get('line')}"
        console.print(f"loss: [bold]{escape(result.loss_name)}[/bold] ({where})")
    current = os.path.basename(result.script)
    cell_now = None
    for rel, line, code, role, (cell, shown) in result.source_lines:
        if rel != current:
            console.print(f"[dim]── {escape(rel)}[/dim]")
            current = rel
        if cell is not None and cell != cell_now:
            console.print(f"[dim]── cell {cell}[/dim]")
            cell_now = cell
        ds = by_line.get((rel, line))
        if ds:
            for i, d in enumerate(ds):
                mark, colour = MARK.get(d["verdict"], ("?", "yellow"))
                star = " [bold red]← culprit[/bold red]" if result.culprit and d["file"] == result.culprit["file"] \
                    and d["line"] == result.culprit["line"] and d["cell"] == result.culprit["cell"] else ""
                call = f"  [dim](call {i + 1} of {len(ds)})[/dim]" if len(ds) > 1 else ""
                console.print(f"[{colour}]{mark}[/{colour}] {d['line']:4d}  {escape(code)}{star}{call}")
                for part in textwrap.wrap(d["message"], max(40, console.width - 8)) or [""]:  # keep the indent
                    console.print(Text(" " * 8 + part, style=colour))
        else:
            style = "" if role == "forward" else "dim"
            text = f"  {shown:4d}  {escape(code)}" + ("  [dim]fwd[/dim]" if role == "forward" else "")
            console.print(f"[{style}]{text}[/{style}]" if style else text)
    for k in result.kinks:
        sub = k.get("subgradient")
        console.print(f"[yellow]kink[/yellow] line {k['line']}: {k['entries']} entries exactly at 0 in "
                      f"{k['n_rows']} rows (rows {', '.join(map(str, k['rows'][:10]))}"
                      f"{', …' if k['n_rows'] > 10 else ''}); subgradient used there: "
                      f"{sub if sub is not None else 'n/a'} (any value in [0, 1] is valid)")
    for n in result.notes:
        console.print(f"[yellow]note:[/yellow] {escape(n)}")
    if result.ok:
        console.print("[bold green]All gradients and updates are right.[/bold green]")
    else:
        c = result.culprit or {}
        where = (f"cell {c.get('cell')}, line {c.get('line')}" if c.get("cell") else f"line {c.get('line')}")
        if c.get("file") and c.get("file") != os.path.basename(result.script):
            where = f"{c['file']}, {where}"
        console.print(f"[bold red]Something is wrong; start with {where}.[/bold red]")
