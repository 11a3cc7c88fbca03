"""Markdown output: ``$…$`` / ``$$…$$`` LaTeX, fenced python, small tables.

The step, pitfall and training sections are separate functions because the
notebook renderer reuses them for its Markdown cells.
"""

from __future__ import annotations

import base64
from typing import Iterable, Optional

from chainrule.render.common import (counts, history_rows, holds_label, inline_pieces,
                                     line_label,
                                     network_sentence, step_heading, training_sentence,
                                     verdict_text)
from chainrule.render.latex import bmatrix, fmt_shape, latex_escape_text
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


def forward_markdown(forward: list[ForwardStep]) -> str:
    """The forward chain as a table code | maths | shape."""
    if not forward:
        return ""
    rows = [(inline_code(f.code), f"${f.formula_latex}$" if f.formula_latex else "",
             f.shape_text or fmt_shape(f.shape)) for f in forward]
    return "## Forward chain\n\n" + table(("Code", "Maths", "Shape"), rows)


def _labelled(label: str, text: str) -> str:
    return f"**{label}:** {md_text(text)}" if text else ""


def step_markdown(index: int, step: Step, level: int = 3) -> str:
    """One backward step: heading, code, verdict, holds, formulas, chain, shapes, example."""
    where = line_label(step.line)
    parts = [f"{'#' * level} {md_text(step_heading(index, step))}" +
             (f" ({where})" if where else ""),
             fence(step.code),
             md_text(verdict_text(step)),
             _labelled("Holds after this line", step.holds_text) +
             (f" *({holds_label(step)})*" if step.holds_text else "")]
    if step.formula_latex:
        parts += ["**Matrix form**", display_math(step.formula_latex)]
    if step.index_latex:
        parts += ["**Index form**", display_math(step.index_latex)]
    parts.append(_labelled("Chain rule", step.chain))
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
    ok, n = counts(report)
    parts = [f"# {md_text(report.title)}", md_text(report.intro)]
    if report.network:
        parts.append(_labelled("Network", network_sentence(report.network)))
    if n:
        parts.append(f"**Verdict:** {ok} of {n} backward lines check out.")
    return "\n\n".join(x for x in parts if x)


def render_markdown(report: Report) -> str:
    """The whole report as one Markdown document (plots inlined as data URLs)."""
    parts = [header_markdown(report), forward_markdown(report.forward)]
    if report.steps:
        parts.append("## Backward steps")
        parts += [step_markdown(i, s) for i, s in enumerate(report.steps, 1)]
    if report.pitfalls:
        parts.append("## Pitfalls")
        parts += [pitfall_markdown(p) for p in report.pitfalls]
    parts.append(training_markdown(report.training))
    if report.source:
        parts += ["## Your script", fence(report.source)]
    return "\n\n".join(x for x in parts if x) + "\n"
