"""Terminal output with rich: panels, tables and syntax-highlighted code lines.

Designed for a 100-column terminal; when stdout is not a TTY rich drops the
colours by itself, and :func:`terminal_text` gives plain text.  Every piece of
report text goes through :class:`rich.text.Text` (never console markup), so a
``[Z > 0]`` in a formula is printed as is.
"""

from __future__ import annotations

import io
from typing import Iterable, Iterator, Optional, Sequence

from rich import box
from rich.columns import Columns
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from chainrule.render.common import (all_ok, chain_of, history_rows, holds_label, inline_pieces,
                                     line_label, network_lines, notation_of, paragraphs,
                                     step_heading, step_ok, summary_sentence, symbol_in,
                                     training_sentence, verdict_text, NOTATION_NAMES)
from chainrule.render.terminal_parts import (bridge_panel, code_syntax, code_text, glance_table,
                                             glossary_table, graph_lines, hint_text,
                                             step_textbook_rows)
from chainrule.render.latex import fmt_shape, latex_to_unicode, matrix_cells
from chainrule.report import ForwardStep, Pitfall, Report, Step, Training, Value

OK_STYLE = "bold green"
BAD_STYLE = "bold red"
LABEL_STYLE = "bold"
_PIECE_STYLES = {"code": "cyan", "math": "", "bold": "bold", "em": "italic", "text": ""}


def rich_inline(text: str, style: str = "") -> Text:
    """Markdown-light text as a rich Text: ``code`` in cyan, ``$math$`` in italics."""
    out = Text(style=style)
    for para_i, para in enumerate(paragraphs(text)):
        if para_i:
            out.append("\n\n")
        for piece in inline_pieces(para):
            shown = latex_to_unicode(piece.text) if piece.kind == "math" else piece.text
            out.append(shown, style=_PIECE_STYLES.get(piece.kind, ""))
    return out


def title_panel(report: Report) -> Panel:
    """The title, the intro, the network and the overall verdict."""
    body: list[RenderableType] = []
    if report.intro:
        body.append(rich_inline(report.intro))
    if network_lines(report):
        body += [Text(""), rich_inline(network_lines(report), "dim")]
    summary = summary_sentence(report)
    if summary:
        body.append(Text(summary, style=OK_STYLE if all_ok(report) else BAD_STYLE))
    return Panel(Group(*body) if body else Text(""), title=Text(report.title, style="bold"),
                 box=box.ROUNDED, border_style="blue", padding=(1, 2))


def forward_table(forward: list[ForwardStep], width: int = 100) -> Table:
    """The forward chain: code | maths | shape (shape under the maths below 120 columns)."""
    wide = width >= 120
    t = Table(title=Text("Forward chain", style="bold"), box=box.SIMPLE_HEAD,
              title_justify="left", padding=(0, 1), expand=True, leading=0 if wide else 1)
    t.add_column("Code", ratio=3)
    t.add_column("Maths" if wide else "Maths and shape", ratio=2)
    if wide:
        t.add_column("Shape", no_wrap=True)
    for f in forward:
        maths = Text(f.formula_text or f.formula_latex or "")
        shape = Text(f.shape_text or fmt_shape(f.shape), style="dim")
        code = Text("\n").join(code_text(line) for line in f.code.splitlines())
        if wide:
            t.add_row(code, maths, shape)
        else:
            t.add_row(code, maths + Text("\n") + shape)
    return t


def forward_notes(forward: list[ForwardStep], cells: Sequence[tuple[int, int]] = ()) -> Iterator[RenderableType]:
    for f in forward:
        if f.note:
            where = f" ({line_label(f.line, cells)})" if f.line else ""
            yield Text(f"Note on {f.name}{where}", style=LABEL_STYLE)
            yield rich_inline(f.note)


def matrix_table(v: Value) -> Table:
    """A tiny-example matrix as a compact table (4 significant digits)."""
    title = Text(v.name, style="bold cyan") + Text(f" {fmt_shape(v.shape)}", style="dim")
    t = Table(title=title, show_header=False, box=box.SQUARE, padding=(0, 1))
    cells = matrix_cells(v.data)
    for _ in range(max((len(r) for r in cells), default=0)):
        t.add_column(justify="right")
    for row in cells:
        t.add_row(*row)
    return t


def _field(grid: Table, label: str, value: Optional[RenderableType]) -> None:
    if value is not None and (not isinstance(value, Text) or value.plain.strip()):
        grid.add_row(Text(label, style=LABEL_STYLE), value)


def shapes_text(step: Step) -> Text:
    """``shape_reason`` followed by ``name (3, 2) · …``."""
    out = rich_inline(step.shape_reason)
    if step.shapes:
        if step.shape_reason:
            out.append("\n")
        for i, (name, shape) in enumerate(step.shapes.items()):
            out.append(" · " if i else "")
            out.append(name, style="cyan")
            out.append(f" {fmt_shape(shape)}")
    return out


def step_renderables(index: int, step: Step, report: Report) -> Iterator[RenderableType]:
    """The renderables of one backward step."""
    where = line_label(step.line, report.cells)
    yield Rule(Text(step_heading(index, step) + (f"  ({where})" if where else ""),
                    style="bold"), align="left", style="blue")
    yield code_syntax(step.code)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True, min_width=12)
    grid.add_column(ratio=1)
    _field(grid, "Formula", Text(step.formula_text or step.formula_latex or "", style="bold"))
    for label, text in step_textbook_rows(report, step):
        _field(grid, label, text)
    holds = rich_inline(step.holds_text) + Text(f"  [{holds_label(step)}]", style="dim")
    notation = notation_of(report)
    if notation != "code" and symbol_in(step, notation):
        holds += Text(f"\nIn {NOTATION_NAMES[notation]}'s notation: {symbol_in(step, notation)}",
                      style="dim")
    _field(grid, "Holds", holds)
    _field(grid, "Chain rule", rich_inline(chain_of(step)))
    _field(grid, "Shapes", shapes_text(step))
    yield grid
    if step.values:
        yield Text("Tiny example", style=LABEL_STYLE)
        yield Columns([matrix_table(v) for v in step.values], padding=(0, 2))
        for v in step.values:
            if v.note:
                yield Text("  ") + Text(v.name, style="cyan") + Text(f": {v.note}", style="dim italic")
    yield Text(verdict_text(step), style=OK_STYLE if step_ok(step) else BAD_STYLE)
    yield Text("")


def pitfall_panel(p: Pitfall) -> Panel:
    """A pitfall: explanation, demonstration, its output and the fix."""
    body: list[RenderableType] = [rich_inline(p.explanation)]
    if p.shown and p.shown_how:
        body.append(Text(p.shown_how[0].upper() + p.shown_how[1:] + ".", style="dim italic"))
    if p.code:
        body += [Text("\nDemonstration", style=LABEL_STYLE), code_syntax(p.code)]
    if p.output:
        body += [Text("\nOutput", style=LABEL_STYLE), Text(p.output.rstrip("\n"), style="dim")]
    if p.fix:
        body += [Text("\nFix", style=LABEL_STYLE), code_syntax(p.fix)]
    title = Text("⚠ ", style="bold yellow") + rich_inline(p.title, "bold yellow")
    return Panel(Group(*body), title=title,
                 title_align="left", border_style="yellow", box=box.ROUNDED)


def training_panel(t: Training) -> Panel:
    """The training summary and a short history table."""
    body: list[RenderableType] = [Text(training_sentence(t))]
    rows = history_rows(t)
    if rows:
        hist = Table(box=box.SIMPLE_HEAD, padding=(0, 2))
        for name in ("Iteration", "Loss", "Accuracy"):
            hist.add_column(name, justify="right")
        for row in rows:
            hist.add_row(*row)
        body.append(hist)
    if t.loss_png or t.boundary_png:
        body.append(Text("The loss and decision-boundary plots are in the HTML, Markdown "
                         "and notebook output.", style="dim"))
    return Panel(Group(*body), title=Text("Training", style="bold"), title_align="left",
                 border_style="blue", box=box.ROUNDED)


def report_renderables(report: Report, width: int = 100) -> Iterable[RenderableType]:
    """Everything the terminal shows, in order, for a ``width``-column console."""
    yield title_panel(report)
    if report.steps:
        yield glance_table(report, width)
    yield from graph_lines(report)
    if report.forward:
        yield forward_table(report.forward, width)
        yield from forward_notes(report.forward, report.cells)
    if report.bridge is not None:
        yield bridge_panel(report)
    if report.steps:
        yield Rule(Text("Backward pass, line by line", style="bold"), style="blue")
    for i, step in enumerate(report.steps, 1):
        yield from step_renderables(i, step, report)
    for p in report.pitfalls:
        yield pitfall_panel(p)
    if report.glossary:
        yield glossary_table(report)
    if report.training is not None:
        yield training_panel(report.training)
    if report.script_hint:
        yield hint_text(report)


def render_terminal(report: Report, console: Optional[Console] = None) -> None:
    """Print the report on ``console`` (a new :class:`rich.console.Console` by default)."""
    console = console if console is not None else Console()
    for renderable in report_renderables(report, console.width):
        console.print(renderable)


def terminal_text(report: Report, width: int = 100) -> str:
    """The terminal rendering as plain text (no colours), ``width`` columns wide."""
    console = Console(file=io.StringIO(), width=width, record=True, color_system=None,
                      force_terminal=False, emoji=False, highlight=False)
    render_terminal(report, console)
    return console.export_text()
