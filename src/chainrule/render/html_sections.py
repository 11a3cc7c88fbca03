"""HTML of the overview sections: the backward lines at a glance, the graph, the textbook bridge,
the glossary, and the textbook box of a step card (the cards themselves are in ``html_parts``)."""

from __future__ import annotations

from chainrule.render.common import (NOTATION_NAMES, backward_steps, formula_in, graph_text,
                                     line_column, line_heading, notation_of, step_ok, symbol_in, textbook_name,
                                     textbook_order, update_steps, written_shape)
from chainrule.render.html_parts import Ids, code_html, esc, icode, inline_html, label, prose_html
from chainrule.render.latex import fmt_err, to_mathml
from chainrule.render.svg import graph_svg
from chainrule.report import Report, Step


def scroll(inner: str, cls: str = "") -> str:
    """A box that scrolls sideways by itself when its content is wider than the screen."""
    return f'<div class="cr-scroll{(" " + cls) if cls else ""}" tabindex="0">{inner}</div>'


def glance_html(report: Report, ids: Ids) -> str:
    """One table of every backward line (then the updates), each row linking to its step card."""
    notation = notation_of(report)
    head = (f"<tr><th scope=\"col\">Step</th><th scope=\"col\" class=\"cr-num\">{line_heading(report.cells)}</th>"
            "<th scope=\"col\">Your code</th>"
            f"<th scope=\"col\">Formula ({esc(NOTATION_NAMES[notation])})</th>"
            "<th scope=\"col\">Textbook</th><th scope=\"col\">Shape</th>"
            "<th scope=\"col\"><span class=\"cr-sr\">check</span></th></tr>")
    body = []
    for group, cls in ((backward_steps(report), ""), (update_steps(report), "cr-updates")):
        for i, s in group:
            latex, text = formula_in(s, notation)
            ok = step_ok(s)
            mark = (f'<span class="{"cr-mark-ok" if ok else "cr-mark-bad"}" '
                    f'aria-label="{"correct" if ok else "wrong"}">{"✓" if ok else "✗"}</span>')
            body.append(
                f'<tr class="{cls}"><td class="cr-g-step"><a href="#{ids.step(i)}">{i}</a></td>'
                f'<td class="cr-num cr-g-line">{esc(line_column(s.line, report.cells))}</td>'
                f'<td class="cr-g-code">{icode(s.code)}</td>'
                f'<td class="cr-g-formula">{to_mathml(latex) if latex else esc(text)}</td>'
                f'<td class="cr-book cr-g-book">{esc(textbook_name(s))}</td>'
                f'<td class="cr-nowrap cr-g-shape">{esc(written_shape(s))}</td>'
                f'<td class="cr-g-mark">{mark}</td></tr>')
    return scroll(f'<table class="cr-table cr-glance"><thead>{head}</thead>'
                  f'<tbody>{"".join(body)}</tbody></table>')


def graph_html(report: Report, ids: Ids) -> str:
    """The SVG graph (nodes and backward arcs link to their steps) and its text lines."""
    g = report.graph
    if g is None:
        return ""
    forward_ids = {k: ids(f"fwd-{k}") for k in range(len(report.forward))}

    def node_href(n):
        if n.step is not None:
            return "#" + ids.step(n.step + 1)
        return "#" + forward_ids[n.forward] if n.forward in forward_ids else None

    svg = graph_svg(g, notation_of(report), ids.prefix, node_href,
                    lambda k: "#" + ids.step(k + 1) if k is not None else None, cells=report.cells)
    lines = "".join(f"<li>{esc(t)}</li>" for t in graph_text(report))
    return (f'<figure class="cr-figure">{scroll(svg, "cr-graph-box")}<figcaption>Solid arrows: '
            "the forward pass. Dashed arrows: the backward pass, with the line that computes each "
            "gradient. Click a box or a dashed arrow to go to its line."
            '<span class="cr-narrow-only"> Scroll the picture sideways to see the whole chain.</span>'
            f"</figcaption></figure><ul class=\"cr-chain\">{lines}</ul>")


def bridge_html(report: Report) -> str:
    """The textbook section: rules, every formula in both notations, the two numerical proofs."""
    b = report.bridge
    if b is None:
        return ""
    parts = [prose_html(b.intro)]
    rules = "".join(
        f'<li><h3>{esc(r.title)}</h3>{prose_html(r.text)}'
        + (f'<p class="cr-rule-map">{to_mathml(r.textbook_latex)} <span aria-hidden="true">↔'
           f"</span> {icode(r.code)}</p>" if r.textbook_latex and r.code else "") + "</li>"
        for r in b.rules)
    parts.append(f'<ol class="cr-rules">{rules}</ol>')
    order = textbook_order(report)
    head = "<tr><th scope=\"col\">Your line</th>" + "".join(
        f'<th scope="col">{esc(NOTATION_NAMES[n])}</th>' for n in order) + "</tr>"
    rows = []
    for row in b.rows:
        cells = "".join(
            (f'<td data-label="{esc(NOTATION_NAMES[n])}"><span class="cr-book">'
             f'{esc(row.formulas[n].name)}</span>{to_mathml(row.formulas[n].latex)}</td>'
             if n in row.formulas else "<td></td>") for n in order)
        rows.append(f'<tr><td data-label="Your line">{icode(row.code)}</td>{cells}</tr>')
    parts.append('<h3>Every backward formula, in both notations</h3>'
                 + scroll(f'<table class="cr-table cr-bridge"><thead>{head}</thead>'
                          f'<tbody>{"".join(rows)}</tbody></table>'))
    for p in b.proofs:
        diffs = ", ".join(f"<code>{esc(k)}</code> {esc(fmt_err(v))}" for k, v in p.differences.items())
        parts.append(
            f'<div class="cr-proof"><h3>{esc(p.title)}</h3>{prose_html(p.explanation)}'
            f'<details><summary>The program</summary>{code_html(p.code)}</details>'
            f'{label("Output")}<pre class="cr-output">{esc(p.output.rstrip())}</pre>'
            f'<p class="cr-verdict cr-ok"><span class="cr-icon" aria-hidden="true">✓</span>'
            f"<span>Largest difference from your lines: {diffs}.</span></p></div>")
    return "".join(parts)


def textbook_box(report: Report, step: Step) -> str:
    """The step's formula in the textbooks' notations, with the translation (chosen one first)."""
    boxes = []
    for n in textbook_order(report):
        f = step.textbook.get(n)
        if f is None:
            continue
        boxes.append(f'<div class="cr-formula cr-textbook"><div class="cr-label cr-plain">'
                     f'{esc(NOTATION_NAMES[n])} · {esc(f.name)}</div>'
                     f"{to_mathml(f.latex, display=True)}{prose_html(f.translation)}</div>")
    if not boxes:
        return ""
    notation = notation_of(report)
    sym = symbol_in(step, notation) if notation != "code" else ""
    note = (f'<p class="cr-note">In {esc(NOTATION_NAMES[notation])}\'s notation, '
            f"<code>{esc(step.writes)}</code> now holds {esc(sym)}.</p>" if sym else "")
    return (f'{label("The formulas you learned")}<div class="cr-formulas">{"".join(boxes)}</div>'
            + note)


def glossary_html(report: Report) -> str:
    items = "".join(f"<dt>{esc(g.term)}</dt><dd>{inline_html(g.meaning)}</dd>" for g in report.glossary)
    return f'<dl class="cr-glossary">{items}</dl>'
