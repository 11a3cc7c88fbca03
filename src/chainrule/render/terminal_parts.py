"""The terminal's overview pieces: the backward lines at a glance, the graph line, the textbook
bridge, the glossary (the step cards and pitfalls are in :mod:`chainrule.render.terminal`)."""

from __future__ import annotations

from typing import Iterator

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from chainrule.render.common import (NOTATION_NAMES, backward_steps, formula_in, graph_text,
                                     line_column, line_heading, notation_of, paragraphs, step_ok, textbook_name,
                                     textbook_order, update_steps, written_shape)
from chainrule.render.latex import fmt_err, latex_to_unicode
from chainrule.report import Bridge, Report, Step

OK_STYLE = "bold green"
BAD_STYLE = "bold red"
LABEL_STYLE = "bold"


def plain(text: str) -> Text:
    """Markdown-light prose without styles (``code`` kept, ``$maths$`` as unicode)."""
    from chainrule.render.terminal import rich_inline

    return rich_inline(text)


def code_syntax(code: str) -> Syntax:
    """Python code highlighted with the terminal's own colours (no forced background)."""
    return Syntax(code.rstrip("\n"), "python", theme="ansi_dark",
                  background_color="default", word_wrap=True)


def code_text(code: str) -> Text:
    """One highlighted line as :class:`rich.text.Text` (measures and wraps well in tables)."""
    text = code_syntax(code).highlight(code.rstrip("\n"))
    text.rstrip()
    return text


def formula_text(step: Step, notation: str, short: bool = False) -> str:
    """The step's formula in ``notation`` as unicode (``short``: the matrix form only, no notes)."""
    latex, text = formula_in(step, notation)
    text = text or latex_to_unicode(latex)
    return text.split("   ")[0].rstrip(", ") if short else text


def glance_table(report: Report, width: int = 100) -> Table:
    """Every backward line in one table: line, code, formula, textbook name, (shape,) ✓.

    The shape column needs 120 columns or more.
    """
    notation = notation_of(report)
    wide = width >= 120
    t = Table(title=Text("Your backward lines at a glance", style="bold"), title_justify="left",
              box=box.SIMPLE_HEAD, padding=(0, 1), expand=True, leading=0)
    t.add_column("Step", justify="right", no_wrap=True)
    t.add_column(line_heading(report.cells), justify="right", no_wrap=True)
    t.add_column("Code", min_width=30, ratio=3)
    t.add_column(f"Formula ({NOTATION_NAMES[notation]})", ratio=3)
    t.add_column("Textbook", min_width=14, ratio=1)
    if wide:
        t.add_column("Shape", no_wrap=True)
    t.add_column("", no_wrap=True)
    groups = [backward_steps(report), update_steps(report)]
    for g, group in enumerate(groups):
        if g and group and groups[0]:
            t.add_section()
        for i, s in group:
            mark = Text("✓", style=OK_STYLE) if step_ok(s) else Text("✗", style=BAD_STYLE)
            cells = [str(i), line_column(s.line, report.cells), code_text(s.code), Text(formula_text(s, notation, True)),
                     Text(textbook_name(s), style="dim")]
            t.add_row(*cells, *([written_shape(s)] if wide else []), mark)
    return t


def graph_lines(report: Report) -> list[Text]:
    return [Text(line, style="bold" if k == 0 else "") for k, line in enumerate(graph_text(report))]


def bridge_panel(report: Report) -> Panel:
    """The textbook section: the three rules, every formula in both notations, the two proofs."""
    b: Bridge = report.bridge  # type: ignore[assignment]
    body: list[RenderableType] = [plain(b.intro)]
    for k, rule in enumerate(b.rules, 1):
        body.append(Text(f"\n{k}. {rule.title}", style=LABEL_STYLE))
        body.append(plain(rule.text))
        if rule.textbook_latex and rule.code:
            body.append(Text("   ") + Text(latex_to_unicode(rule.textbook_latex)) + Text("  ↔  ")
                        + code_text(rule.code))
    order = textbook_order(report)
    rows = Table(box=box.SIMPLE_HEAD, padding=(0, 1), expand=True, leading=1)
    rows.add_column("Your line", ratio=3)
    for n in order:
        rows.add_column(NOTATION_NAMES[n], ratio=3)
    for row in b.rows:
        cells = [code_text(row.code)]
        for n in order:
            f = row.formulas.get(n)
            cells.append(Text(f.text) if f else Text(""))
        rows.add_row(*cells)
    body += [Text("\nEvery backward formula, in both notations", style=LABEL_STYLE), rows]
    for proof in b.proofs:
        body += [Text(f"\n{proof.title}", style=LABEL_STYLE), plain(proof.explanation),
                 code_syntax(proof.code), Text(proof.output.rstrip("\n"), style="dim")]
        diffs = ", ".join(f"{k} {fmt_err(v)}" for k, v in proof.differences.items())
        body.append(Text(f"Largest difference from your lines: {diffs}", style=OK_STYLE))
    return Panel(Group(*body), title=Text("The formulas you learned", style="bold"),
                 title_align="left", border_style="blue", box=box.ROUNDED)


def step_textbook_rows(report: Report, step: Step) -> Iterator[tuple[str, Text]]:
    """``(label, text)`` rows of a step card: each textbook's formula and its translation."""
    for n in textbook_order(report):
        f = step.textbook.get(n)
        if f is None:
            continue
        text = Text(f"{f.name}: ", style="dim") + Text(f.text, style="bold")
        if f.translation:
            text += Text("\n") + plain(f.translation)
        yield NOTATION_NAMES[n], text


def glossary_table(report: Report) -> Table:
    t = Table(title=Text("Words used here", style="bold"), title_justify="left",
              box=box.SIMPLE_HEAD, show_header=False, padding=(0, 1), expand=True)
    t.add_column(style="bold", no_wrap=True)
    t.add_column(ratio=1)
    for g in report.glossary:
        t.add_row(g.term, plain(g.meaning))
    return t


def hint_text(report: Report) -> Text:
    return plain("\n\n".join(paragraphs(report.script_hint)))
