"""The check's verdict: JSON (the public schema) and the terminal report (rich)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass
class CheckResult:
    ok: bool
    loss_name: Optional[str]
    loss_line: Optional[int]
    culprit_line: Optional[int]
    lines: list[dict[str, Any]]
    kinks: list[dict[str, Any]]
    source_lines: list[tuple[int, str, str]] = field(default_factory=list)  # (line, code, role)
    notes: list[str] = field(default_factory=list)
    script: str = ""

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def line(self, number: int) -> dict[str, Any]:
        """The entry for script line ``number`` (the last one if several statements share it)."""
        found = [d for d in self.lines if d["line"] == number]
        if not found:
            raise KeyError(number)
        return found[-1]

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok,
                "loss": {"name": self.loss_name, "line": self.loss_line},
                "culprit_line": self.culprit_line,
                "lines": [dict(d) for d in self.lines],
                "kinks": [dict(k) for k in self.kinks]}


def from_analysis(a) -> CheckResult:
    from chainrule.check.dictkeys import shown

    lines = []
    for L in a.lines:
        if a.trace.records[L.index].stmt.internal:
            continue
        lines.append({"line": L.line, "code": L.code, "writes": shown(L.writes, a.plan.display),
                      "verdict": L.verdict,
                      "gradient_of": shown(L.gradient_of, a.plan.display),
                      "factor": None if L.factor is None else float(L.factor),
                      "rel_error": None if L.rel_error is None else float(L.rel_error),
                      "message": shown(L.message, a.plan.display)})
    kinks = []
    for k in (a.grads.kinks if a.grads else []):
        kinks.append({key: v for key, v in k.items() if key != "mask"})
    ok = all(L.ok for L in a.lines) and a.culprit is None
    culprit = a.trace.records[a.culprit].stmt.line if a.culprit is not None else None
    loss_line = a.trace.records[a.loss_index].stmt.line if a.loss_index is not None else None
    roles = {}
    for k in a.forward:
        roles[k] = "forward"
    for L in a.lines:
        roles[L.index] = "backward"
    src = []
    for i, st in enumerate(a.plan.body):
        if st.internal:
            continue
        src.append((st.line, st.code, roles.get(i, "other" if i < len(a.trace.records) else "not run")))
    return CheckResult(ok, a.loss_name, loss_line, culprit, lines, kinks, src,
                       [shown(n, a.plan.display) for n in a.notes],
                       a.plan.script.path)


MARK = {"gradient": ("✓", "green"), "scaled": ("✓", "green"), "intermediate": ("·", "cyan"),
        "update": ("✓", "green"), "wrong": ("✗", "red"), "error": ("✗", "red")}


def render(result: CheckResult, console=None) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = console or Console(highlight=False)
    by_line: dict[int, list[dict]] = {}
    for d in result.lines:
        by_line.setdefault(d["line"], []).append(d)
    console.print(f"[bold]chainrule check[/bold] {escape(result.script)}")
    if result.loss_name:
        console.print(f"loss: [bold]{escape(result.loss_name)}[/bold] (line {result.loss_line})")
    shown = set()
    for line, code, role in result.source_lines:
        if line in by_line and line not in shown:
            shown.add(line)
            for d in by_line[line]:
                mark, colour = MARK[d["verdict"]]
                star = " [bold red]← culprit[/bold red]" if line == result.culprit_line and d["verdict"] in ("wrong", "error") else ""
                console.print(f"[{colour}]{mark}[/{colour}] {line:4d}  {escape(code)}{star}")
                console.print(f"        [{colour}]{escape(d['message'])}[/{colour}]")
        elif line not in by_line:
            style = "dim" if role != "forward" else ""
            tag = "fwd" if role == "forward" else "   "
            console.print(f"[{style}]  {line:4d}  {escape(code)}  [dim]{tag}[/dim][/{style}]" if style
                          else f"  {line:4d}  {escape(code)}  [dim]{tag}[/dim]")
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
        console.print(f"[bold red]Something is wrong; start with line {result.culprit_line}.[/bold red]")
