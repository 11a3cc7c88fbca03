"""Markdown output: ``$…$`` / ``$$…$$`` LaTeX, fenced python, small tables.

The step, pitfall and training sections are separate functions because the
notebook renderer reuses them for its Markdown cells.
"""

from __future__ import annotations

import base64
from typing import Iterable, Optional, Sequence

from chainrule.render.common import (NOTATION_NAMES, backward_steps, chain_of, formula_in, graph_text,
                                     history_rows, holds_label, inline_pieces, line_column, line_heading, line_label,
                                     network_lines, notation_of, step_heading, step_ok,
                                     summary_sentence, symbol_in, textbook_name, textbook_order,
                                     training_sentence, update_steps, verdict_text, written_shape)
from chainrule.render.latex import bmatrix, fmt_err, fmt_shape, latex_escape_text
from chainrule.report import ForwardStep, Pitfall, Report, Step, Training, Value


def md_text(text: str) -> str:
    """Markdown-light prose with raw HTML neutralised (``<`` -> ``&lt;`` outside code/maths)."""
    out = []
    for piece in inline_pieces(text or ""):
        if piece.kind == "code":
            out.append(inline_code(piece.text))
        elif piece.kind == "math":
            out.append(f"${piece.text}$")
        else:
            body = piece.text.replace("<", "&lt;")
            out.append({"bold": f"**{body}**", "em": f"*{body}*"}.get(piece.kind, body))
    return "".join(out)


def fence(code: str, lang: str = "python") -> str:
    """A fenced code block whose fence is longer than any backtick run in ``code``."""
    ticks = 3
    while "`" * ticks in code:
        ticks += 1
    f = "`" * ticks
    return f"{f}{lang}\n{code.rstrip()}\n{f}"


def inline_code(code: str) -> str:
    """Inline code span that survives backticks in ``code``."""
    if "`" not in code:
        return f"`{code}`"
    return f"`` {code} ``"


def table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    """A Markdown pipe table; ``|`` and newlines in cells are escaped."""
    def cell(s: str) -> str:
        return str(s).replace("|", r"\|").replace("\n", " ")

    head = list(header)
    lines = ["| " + " | ".join(cell(h) for h in head) + " |",
             "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def display_math(latex: Optional[str]) -> str:
    """``$$…$$`` block, or ``""`` for no formula."""
    return f"$$\n{latex.strip()}\n$$" if latex and latex.strip() else ""


def value_markdown(v: Value) -> str:
    """A tiny-example matrix: a caption line and a ``bmatrix`` display formula."""
    note = f" — {md_text(v.note)}" if v.note else ""
    name = r"\texttt{%s}" % latex_escape_text(v.name)
    return f"{inline_code(v.name)} {fmt_shape(v.shape)}{note}\n\n" \
           f"{display_math(name + ' = ' + bmatrix(v.data))}"


def code_cell(code: str) -> str:
    """Code for a table cell: one inline code span per line, lines joined with ``<br>``."""
    return "<br>".join(inline_code(line) for line in code.splitlines() if line.strip())


def forward_markdown(forward: list[ForwardStep], cells: Sequence[tuple[int, int]] = ()) -> str:
    """The forward chain as a table code | maths | shape (each code line kept on its own line)."""
    if not forward:
        return ""
    rows = [(code_cell(f.code), f"${f.formula_latex}$" if f.formula_latex else "",
             f.shape_text or fmt_shape(f.shape)) for f in forward]
    notes = [f"**Note on {inline_code(f.name)}** ({line_label(f.line, cells)}): {md_text(f.note)}"
             for f in forward if f.note]
    return "\n\n".join(["## Forward chain", table(("Code", "Maths", "Shape"), rows), *notes])


def step_anchor(index: int) -> str:
    return f"step-{index}"


def glance_markdown(report: Report) -> str:
    """Every backward line (then the updates) in one table; each step number links to its step."""
    if not report.steps:
        return ""
    notation = notation_of(report)
    rows = []
    for i, s in backward_steps(report) + update_steps(report):
        latex, text = formula_in(s, notation)
        rows.append((f"[{i}](#{step_anchor(i)})", line_column(s.line, report.cells), inline_code(s.code),
                     f"${latex}$" if latex else text, textbook_name(s), written_shape(s),
                     "✓" if step_ok(s) else "✗"))
    head = ("Step", line_heading(report.cells), "Your code", f"Formula ({NOTATION_NAMES[notation]})", "Textbook",
            "Shape", "")
    return "## Your backward lines at a glance\n\n" + table(head, rows)


def graph_markdown(report: Report, image: str = "") -> str:
    """The graph: an image (a data URL, or ``image`` as given, e.g. a notebook attachment) and its text."""
    if report.graph is None:
        return ""
    if not image:
        from chainrule.render.svg import graph_svg

        svg = graph_svg(report.graph, notation_of(report), standalone=True, cells=report.cells)
        image = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    lines = "\n".join(f"- {inline_code(t)}" for t in graph_text(report))
    return (f"## The chain as a picture\n\n![The computation graph: X, Z, H, S, P, L with W, b, W2, b2 "
            f"feeding in; dashed arrows are the backward lines]({image})\n\n{lines}")


def bridge_markdown(report: Report, proofs: bool = True) -> str:
    """The textbook section (``proofs=False``: without the two programs, for the notebook's code cells)."""
    b = report.bridge
    if b is None:
        return ""
    parts = ["## The formulas you learned", md_text(b.intro)]
    for k, r in enumerate(b.rules, 1):
        parts.append(f"### {k}. {md_text(r.title)}\n\n{md_text(r.text)}" +
                     (f"\n\n${r.textbook_latex}$ ↔ {inline_code(r.code)}" if r.code else ""))
    order = textbook_order(report)
    rows = [(inline_code(row.code), *[
        f"{row.formulas[n].name}: ${row.formulas[n].latex}$" if n in row.formulas else ""
        for n in order]) for row in b.rows]
    parts += ["### Every backward formula, in both notations",
              table(("Your line", *[NOTATION_NAMES[n] for n in order]), rows)]
    if proofs:
        parts += [proof_markdown(p, full=True) for p in b.proofs]
    return "\n\n".join(parts)


def proof_markdown(p, full: bool = True) -> str:
    diffs = ", ".join(f"{inline_code(k)} {fmt_err(v)}" for k, v in p.differences.items())
    parts = [f"### {md_text(p.title)}", md_text(p.explanation)]
    if full:
        parts += [fence(p.code), "Output:", fence(p.output, "text")]
    parts.append(f"✓ Largest difference from your lines: {diffs}.")
    return "\n\n".join(parts)


def textbook_markdown(report: Report, step: Step) -> str:
    parts = []
    for n in textbook_order(report):
        f = step.textbook.get(n)
        if f is not None:
            parts.append(f"**{NOTATION_NAMES[n]} ({f.name}):**\n\n{display_math(f.latex)}\n\n"
                         f"{md_text(f.translation)}")
    notation = notation_of(report)
    sym = symbol_in(step, notation) if notation != "code" else ""
    if sym:
        parts.append(f"In {NOTATION_NAMES[notation]}'s notation, {inline_code(step.writes)} now "
                     f"holds {sym}.")
    return "\n\n".join(parts)


def glossary_markdown(report: Report) -> str:
    if not report.glossary:
        return ""
    return "## Words used here\n\n" + table(("Word", "Meaning"),
                                               ((g.term, md_text(g.meaning)) for g in report.glossary))


def _labelled(label: str, text: str) -> str:
    return f"**{label}:** {md_text(text)}" if text else ""


def step_markdown(index: int, step: Step, level: int = 3, report: Optional[Report] = None) -> str:
    """One backward step: heading, code, verdict, holds, formulas, textbooks, chain, shapes, example."""
    where = line_label(step.line, report.cells if report is not None else ())
    parts = [f'<a id="{step_anchor(index)}"></a>',
             f"{'#' * level} {md_text(step_heading(index, step))}" +
             (f" ({where})" if where else ""),
             fence(step.code),
             md_text(verdict_text(step)),
             _labelled("Holds after this line", step.holds_text) +
             (f" *({holds_label(step)})*" if step.holds_text else "")]
    if step.formula_latex:
        parts += ["**Matrix form**", display_math(step.formula_latex)]
    if step.index_latex:
        parts += ["**Index form**", display_math(step.index_latex)]
    if report is not None:
        parts.append(textbook_markdown(report, step))
    parts.append(_labelled("Chain rule", chain_of(step)))
    parts.append(_labelled("Shapes", step.shape_reason))
    if step.shapes:
        parts.append(table(("Name", "Shape"),
                           ((inline_code(k), fmt_shape(v)) for k, v in step.shapes.items())))
    if step.values:
        parts.append("**Tiny example**")
        parts += [value_markdown(v) for v in step.values]
    return "\n\n".join(p for p in parts if p)


def pitfall_markdown(p: Pitfall, level: int = 3, full: bool = True) -> str:
    """A pitfall: title, explanation, then (when ``full``) demonstration, output and fix."""
    parts = [f"{'#' * level} ⚠ {md_text(p.title)}", md_text(p.explanation)]
    if p.shown and p.shown_how:
        parts.append(f"*{md_text(p.shown_how[0].upper() + p.shown_how[1:])}.*")
    if full:
        if p.code:
            parts += ["Demonstration:", fence(p.code)]
        if p.output:
            parts += ["Output:", fence(p.output, "text")]
        parts.append(fix_markdown(p))
    return "\n\n".join(x for x in parts if x)


def fix_markdown(p: Pitfall) -> str:
    """``**Fix:**`` and the corrected code, or ``""``."""
    return f"**Fix:**\n\n{fence(p.fix)}" if p.fix else ""


def png_markdown(alt: str, png: bytes) -> str:
    """``![alt](data:image/png;base64,…)`` or ``""`` when there is no PNG."""
    if not png:
        return ""
    return f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode('ascii')})"


def training_markdown(t: Optional[Training], level: int = 2, images: bool = True) -> str:
    """The training summary, a short history table and (optionally) the two plots."""
    if t is None:
        return ""
    parts = [f"{'#' * level} Training", md_text(training_sentence(t))]
    rows = history_rows(t)
    if rows:
        parts.append(table(("Iteration", "Loss", "Accuracy"), rows))
    if images:
        parts += [png_markdown("Loss during training", t.loss_png),
                  png_markdown("Decision boundary", t.boundary_png)]
    return "\n\n".join(x for x in parts if x)


def header_markdown(report: Report) -> str:
    """Title, intro and network summary."""
    parts = [f"# {md_text(report.title)}", md_text(report.intro)]
    if report.network_text:
        parts.append(md_text(report.network_text))
    elif report.network:
        parts.append(_labelled("Network", network_lines(report)))
    summary = summary_sentence(report)
    if summary:
        parts.append(f"**Verdict:** {summary[2:]}")
    return "\n\n".join(x for x in parts if x)


def render_markdown(report: Report) -> str:
    """The whole report as one Markdown document (plots and the graph inlined as data URLs)."""
    parts = [header_markdown(report), glance_markdown(report), graph_markdown(report),
             forward_markdown(report.forward, report.cells), bridge_markdown(report)]
    if report.steps:
        parts.append("## Backward steps")
        parts += [step_markdown(i, s, report=report) for i, s in enumerate(report.steps, 1)]
    if report.pitfalls:
        parts.append("## Pitfalls")
        parts += [pitfall_markdown(p) for p in report.pitfalls]
    parts += [glossary_markdown(report), training_markdown(report.training)]
    if report.source or report.script_hint:
        parts += ["## Your script", md_text(report.script_hint),
                  fence(report.source) if report.source else ""]
    return "\n\n".join(x for x in parts if x) + "\n"
