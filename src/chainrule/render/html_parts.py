"""HTML fragments of the report: step cards, tables, callouts, plots.

Every piece of report text is escaped with :func:`html.escape`; formulas are
MathML (or escaped LaTeX in ``<code>`` when conversion fails); code is
highlighted by pygments with CSS classes (the style defs are in
:mod:`chainrule.render.html_style`).
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from typing import Optional, Sequence

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from chainrule.render.common import (badge_text, cell_of, chain_of, history_rows, holds_label, inline_pieces,
                                     is_checked, line_label, paragraphs, step_ok,
                                     training_sentence)
from chainrule.render.html_style import HL_CLASS, PYGMENTS_STYLE
from chainrule.render.latex import fmt_err, fmt_shape, matrix_cells, to_mathml
from chainrule.report import ForwardStep, Pitfall, Step, Training, Value


def esc(text: object) -> str:
    """``html.escape`` of ``str(text)`` (quotes included)."""
    return html.escape("" if text is None else str(text), quote=True)


@dataclass(frozen=True)
class Ids:
    """Element ids of one report, all starting with ``prefix`` (unique per page)."""

    prefix: str = "cr"

    def __call__(self, name: str) -> str:
        return f"{self.prefix}-{name}"

    def step(self, index: int) -> str:
        return self(f"step-{index}")

    def source_line(self, line: int, cells: Sequence[tuple[int, int]] = ()) -> str:
        """The anchor of a line of the listing (in a notebook, of the line in its cell)."""
        cell, n = cell_of(line, cells)
        return self(f"L-{line}") if cell is None else self(f"L-c{cell}-{n}")


def code_html(code: str, linenos: bool = False, anchors: Optional[str] = None) -> str:
    """Python ``code`` highlighted by pygments (``<div class="cr-hl"><pre>…``); ``anchors``:
    each line gets the id ``{anchors}-{n}``."""
    fmt = HtmlFormatter(style=PYGMENTS_STYLE, cssclass=HL_CLASS, noclasses=False,
                        linenos="inline" if linenos else False,
                        lineanchors=anchors or "", wrapcode=True)
    return highlight(code.rstrip("\n") + "\n", PythonLexer(), fmt)


def icode(code: str) -> str:
    """Inline code that may wrap after ``, `` or an operator, never inside a name."""
    text = esc(code)
    for sep in (", ", " = ", " @ ", " += ", " -= ", " /= ", " * ", " / "):
        text = text.replace(esc(sep), esc(sep) + "<wbr>")
    return f"<code>{text}</code>"


def inline_html(text: str) -> str:
    """Markdown-light text (```code```, ``$math$``, ``**bold**``) as escaped inline HTML.

    Inline maths sits in a box that scrolls sideways on a narrow screen.
    """
    out: list[str] = []
    pieces = list(inline_pieces(text))
    for k, piece in enumerate(pieces):
        if piece.kind == "code":
            out.append(icode(piece.text))
        elif piece.kind == "math":
            # a full stop or comma right after stays with the formula (no line break before it)
            nxt = pieces[k + 1] if k + 1 < len(pieces) else None
            tail = ""
            if nxt is not None and nxt.kind == "text" and nxt.text[:1] in ".,;:":
                tail = nxt.text[0]
                pieces[k + 1] = type(nxt)("text", nxt.text[1:])
            out.append(f'<span class="cr-imath">{to_mathml(piece.text)}{esc(tail)}</span>')
        elif piece.kind == "bold":
            out.append(f"<strong>{esc(piece.text)}</strong>")
        elif piece.kind == "em":
            out.append(f"<em>{esc(piece.text)}</em>")
        else:
            out.append(esc(piece.text))
    return "".join(out)


def prose_html(text: str, cls: str = "") -> str:
    """Paragraphs (split on blank lines) of Markdown-light text."""
    attr = f' class="{cls}"' if cls else ""
    return "".join(f"<p{attr}>{inline_html(p)}</p>" for p in paragraphs(text))


def label(text: str) -> str:
    return f'<div class="cr-label">{esc(text)}</div>'


def matrix_html(v: Value) -> str:
    """A tiny-example matrix as a bracketed table with its name, shape and note."""
    rows = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>"
                   for r in matrix_cells(v.data))
    note = f'<p class="cr-note">{inline_html(v.note)}</p>' if v.note else ""
    return (f'<figure class="cr-matrix"><figcaption><code>{esc(v.name)}</code> '
            f'<span class="cr-dim">{esc(fmt_shape(v.shape))}</span></figcaption>'
            f'<div class="cr-scroll"><div class="cr-bracket"><table class="cr-mat"><tbody>{rows}'
            f"</tbody></table></div></div>{note}</figure>")


def matrices_html(values: list[Value], heading: str = "Tiny example", folded: bool = False) -> str:
    """The tiny example's matrices (``folded``: inside a closed ``<details>``)."""
    if not values:
        return ""
    inner = '<div class="cr-matrices">' + "".join(matrix_html(v) for v in values) + "</div>"
    if folded:
        return (f'<details class="cr-example"><summary>{esc(heading)}: the numbers</summary>'
                f"{inner}</details>")
    return f'<div class="cr-example">{label(heading)}{inner}</div>'


def shapes_html(step: Step) -> str:
    """The shape argument and a small name | shape table."""
    if not step.shape_reason and not step.shapes:
        return ""
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(fmt_shape(v))}</td></tr>"
                   for k, v in step.shapes.items())
    table = (f'<div class="cr-scroll" tabindex="0"><table class="cr-shape-table"><tbody>{rows}'
             "</tbody></table></div>") if rows else ""
    return (f'{label("Shapes")}<div class="cr-shapes">{prose_html(step.shape_reason)}'
            f"{table}</div>")


def formulas_html(step: Step) -> str:
    """The matrix and index forms, side by side, as display MathML."""
    boxes = [(name, latex) for name, latex in (("Matrix form", step.formula_latex),
                                               ("Index form", step.index_latex)) if latex]
    if not boxes:
        return ""
    return ('<div class="cr-formulas">' + "".join(
        f'<div class="cr-formula">{label(name)}{to_mathml(latex, display=True)}</div>'
        for name, latex in boxes) + "</div>")


def verdict_html(step: Step) -> str:
    """Green ✓ with both relative errors, or red ✗ with the message."""
    if not step_ok(step):
        msg = step.message or "this line does not compute what it should"
        return (f'<div class="cr-verdict cr-bad" role="status"><span class="cr-icon" '
                f'aria-hidden="true">✗</span><div><strong>Wrong.</strong> '
                f"{inline_html(msg)}</div></div>")
    if not is_checked(step):
        body = inline_html(step.message) if step.message else "No gradient to compare on this line."
    else:
        parts = []
        if step.rel_error_fd is not None:
            parts.append(f"finite differences (relative error <strong>"
                         f"{esc(fmt_err(step.rel_error_fd))}</strong>)")
        if step.rel_error_autodiff is not None:
            parts.append(f"autograd (relative error <strong>"
                         f"{esc(fmt_err(step.rel_error_autodiff))}</strong>)")
        body = "<strong>Correct.</strong> Matches " + " and ".join(parts) + "."
        if step.message:
            body += " " + inline_html(step.message)
    return (f'<div class="cr-verdict cr-ok" role="status"><span class="cr-icon" '
            f'aria-hidden="true">✓</span><div>{body}</div></div>')


def step_html(index: int, step: Step, ids: Ids, link_lines: bool = False, extra: str = "",
              cells: Sequence[tuple[int, int]] = ()) -> str:
    """One backward step as a card (``extra``: HTML after the formulas, e.g. the textbook box;
    ``cells``: a notebook's cells, so that the line is named "cell 4, line 7")."""
    ok = step_ok(step)
    where = line_label(step.line, cells)
    lineno = ""
    if where:
        tag = "a" if link_lines else "span"
        href = f' href="#{ids.source_line(step.line, cells)}"' if link_lines else ""
        lineno = f'<{tag} class="cr-lineno"{href}>{esc(where)}</{tag}>'
    holds = ""
    if step.holds_text:
        tag = "cr-tag" if ok else "cr-tag cr-tag-bad"
        holds = (f'<p class="cr-holds"><span class="{tag}">{esc(holds_label(step))}</span>'
                 f"<strong>After this line</strong> {inline_html(step.holds_text)}</p>")
    chain = f'{label("Chain rule")}{prose_html(chain_of(step))}' if chain_of(step) else ""
    return (
        f'<article class="cr-step{"" if ok else " cr-is-bad"}" id="{ids.step(index)}">'
        f'<header class="cr-step-head"><span class="cr-step-num">{index}</span>'
        f"<h3>{inline_html(step.title or step.code)}</h3>"
        f'<span class="cr-badge {"cr-ok" if ok else "cr-bad"}">{esc(badge_text(step))}</span>'
        f"</header>"
        f'<div class="cr-codeline">{lineno}{code_html(step.code)}</div>'
        f"{holds}{formulas_html(step)}{extra}{chain}{shapes_html(step)}"
        f"{matrices_html(step.values, folded=step.holds == 'update')}{verdict_html(step)}</article>")


def forward_html(forward: list[ForwardStep], ids: Optional[Ids] = None,
                 cells: Sequence[tuple[int, int]] = ()) -> str:
    """The forward chain as a table: code | maths | shape (rows anchored for the graph's links)."""
    ids = ids or Ids()
    rows = "".join(
        f'<tr id="{ids(f"fwd-{k}")}"><td>{code_html(f.code)}</td>'
        f"<td>{to_mathml(f.formula_latex, display=True)}</td>"
        f'<td class="cr-num">{esc(f.shape_text or fmt_shape(f.shape))}</td></tr>'
        for k, f in enumerate(forward))
    notes = "".join(
        f'<aside class="cr-holds cr-fnote"><strong>{esc(f.name)}'
        f'{(" (" + esc(line_label(f.line, cells)) + ")") if f.line else ""}:</strong> '
        f"{inline_html(f.note)}</aside>" for f in forward if f.note)
    return ('<div class="cr-scroll" tabindex="0"><table class="cr-table cr-forward"><thead><tr>'
            '<th scope="col">Your code</th><th scope="col">Maths</th>'
            '<th scope="col" class="cr-num">Shape</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></div>{notes}")


def pitfall_html(p: Pitfall, ids: Ids) -> str:
    """A pitfall as an orange callout: explanation, demonstration, output, fix."""
    parts = [f'<aside class="cr-callout" id="{ids("pitfall-" + p.id)}">'
             f'<h3><span aria-hidden="true">⚠</span> {inline_html(p.title)}</h3>']
    if p.shown and p.shown_how:
        parts.append(f'<p><span class="cr-tag">{esc(p.shown_how)}</span></p>')
    parts.append(prose_html(p.explanation))
    demo = []
    if p.code:
        demo += [label("Demonstration"), code_html(p.code)]
    if p.output:
        demo += [label("Output"), f'<pre class="cr-output">{esc(p.output.rstrip())}</pre>']
    if demo:
        parts.append('<details class="cr-demo"><summary>The demonstration and its output</summary>'
                     + "".join(demo) + "</details>")
    if p.fix:
        parts += [label("Fix"), f'<div class="cr-fix">{code_html(p.fix)}</div>']
    return "".join(parts) + "</aside>"


def png_html(png: bytes, alt: str) -> str:
    """A figure with the PNG inlined as a data URL, or ``""``."""
    if not png:
        return ""
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure><img alt="{esc(alt)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{esc(alt)}</figcaption></figure>")


def training_html(t: Training) -> str:
    """The training sentence, the two plots and the history table (folded)."""
    plots = png_html(t.loss_png, "Loss during training") + \
        png_html(t.boundary_png, "Decision boundary of the trained network")
    rows = "".join(f'<tr><td class="cr-num">{esc(i)}</td><td class="cr-num">{esc(loss)}</td>'
                   f'<td class="cr-num">{esc(acc)}</td></tr>' for i, loss, acc in history_rows(t))
    hist = ""
    if rows:
        hist = ('<details><summary>Loss and accuracy history</summary>'
                '<table class="cr-table"><thead><tr><th class="cr-num">Iteration</th>'
                '<th class="cr-num">Loss</th><th class="cr-num">Accuracy</th></tr></thead>'
                f"<tbody>{rows}</tbody></table></details>")
    return (f"<p>{esc(training_sentence(t))}</p>"
            + (f'<div class="cr-plots">{plots}</div>' if plots else "") + hist)


def source_html(source: str, ids: Ids, cells: Sequence[tuple[int, int]] = ()) -> str:
    """The whole script, folded, with numbered lines anchored for the steps' links; a notebook
    cell by cell, each numbered from 1 as Jupyter numbers it."""
    lines = source.splitlines()
    if not cells:
        return (f'<details class="cr-source"><summary>Your whole script ({len(lines)} lines)</summary>'
                f'{code_html(source, linenos=True, anchors=ids("L"))}</details>')
    ends = [first for _, first in cells[1:]] + [len(lines) + 1]
    blocks = "".join(f'<p class="cr-cell-head"><strong>cell {number}</strong></p>'
                     f'{code_html(chr(10).join(lines[first - 1:end - 1]), linenos=True, anchors=ids(f"L-c{number}"))}'
                     for (number, first), end in zip(cells, ends) if end > first)
    return (f'<details class="cr-source"><summary>Your notebook\'s code ({len(cells)} code cells)</summary>'
            f"{blocks}</details>")
