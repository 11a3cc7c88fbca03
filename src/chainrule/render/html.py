"""One self-contained HTML page (and the Jupyter fragment) for a report.

No network access: no scripts, no CDN, no web fonts; formulas are MathML,
code is highlighted by pygments, plots are inlined as ``data:`` URLs.  The
page works with JavaScript off.
"""

from __future__ import annotations

import itertools
from typing import Optional

from chainrule.render.common import all_ok, network_items, step_ok, summary_sentence
from chainrule.render.html_parts import (Ids, esc, forward_html, pitfall_html,
                                         prose_html, source_html, step_html, training_html)
from chainrule.render.html_sections import (bridge_html, glance_html, glossary_html, graph_html,
                                            textbook_box)
from chainrule.render.html_style import PAGE_CSS, report_css
from chainrule.report import Report

_FRAGMENT_IDS = itertools.count(1)


def _section(ids: Ids, key: str, title: str, body: str) -> str:
    return f'<section id="{ids(key)}" aria-labelledby="{ids(key)}-h">' \
           f'<h2 id="{ids(key)}-h">{esc(title)}</h2>{body}</section>'


def hero_html(report: Report) -> str:
    """Title, intro, the network in plain words (or as chips) and the overall verdict."""
    if report.network_text:
        about = f'<div class="cr-network">{prose_html(report.network_text)}</div>'
    else:
        chips = "".join(f"<li><b>{esc(k)}</b>{esc(v)}</li>" for k, v in network_items(report.network))
        about = f'<ul class="cr-chips" aria-label="Network">{chips}</ul>' if chips else ""
    text = summary_sentence(report)
    summary = (f'<p class="cr-summary {"cr-ok" if all_ok(report) else "cr-bad"}">{esc(text)}</p>'
               if text else "")
    return (f'<header class="cr-hero"><p class="cr-kicker">chainrule</p>'
            f"<h1>{esc(report.title)}</h1>{prose_html(report.intro, 'cr-intro')}"
            f"{about}{summary}</header>")


def toc_html(report: Report, ids: Ids) -> str:
    """The contents list: sections, and every backward step with its ✓/✗."""
    items = []
    if report.steps:
        items.append(f'<li><a href="#{ids("glance")}">At a glance</a></li>')
    if report.graph is not None:
        items.append(f'<li><a href="#{ids("graph")}">The chain as a picture</a></li>')
    if report.forward:
        items.append(f'<li><a href="#{ids("forward")}">Forward chain</a></li>')
    if report.bridge is not None:
        items.append(f'<li><a href="#{ids("bridge")}">The formulas you learned</a></li>')
    if report.steps:
        sub = "".join(
            f'<li><span class="{"cr-mark-ok" if step_ok(s) else "cr-mark-bad"}" '
            f'aria-label="{"correct" if step_ok(s) else "wrong"}">{"✓" if step_ok(s) else "✗"}'
            f'</span> <a href="#{ids.step(i)}">{i}. {esc(s.title or s.code)}</a></li>'
            for i, s in enumerate(report.steps, 1))
        items.append(f'<li><a href="#{ids("backward")}">Backward pass</a><ol>{sub}</ol></li>')
    if report.pitfalls:
        items.append(f'<li><a href="#{ids("pitfalls")}">Pitfalls</a></li>')
    if report.glossary:
        items.append(f'<li><a href="#{ids("glossary")}">Words used here</a></li>')
    if report.training is not None:
        items.append(f'<li><a href="#{ids("training")}">Training</a></li>')
    if report.source or report.script_hint:
        items.append(f'<li><a href="#{ids("source")}">Your script</a></li>')
    if not items:
        return ""
    return (f'<nav class="cr-toc" aria-label="Contents"><h2>Contents</h2>'
            f'<ol>{"".join(items)}</ol></nav>')


def body_html(report: Report, ids: Ids) -> str:
    """The main column: header and every section."""
    parts = [hero_html(report)]
    if report.steps:
        parts.append(_section(ids, "glance", "Your backward lines at a glance",
                              glance_html(report, ids)))
    if report.graph is not None:
        parts.append(_section(ids, "graph", "The chain as a picture", graph_html(report, ids)))
    if report.forward:
        parts.append(_section(ids, "forward", "Forward chain", forward_html(report.forward, ids, report.cells)))
    if report.bridge is not None:
        parts.append(_section(ids, "bridge", "The formulas you learned", bridge_html(report)))
    if report.steps:
        link = bool(report.source)
        cards = "".join(step_html(i, s, ids, link, textbook_box(report, s), report.cells)
                        for i, s in enumerate(report.steps, 1))
        parts.append(_section(ids, "backward", "Backward pass, line by line", cards))
    if report.pitfalls:
        parts.append(_section(ids, "pitfalls", "Pitfalls",
                              "".join(pitfall_html(p, ids) for p in report.pitfalls)))
    if report.glossary:
        parts.append(_section(ids, "glossary", "Words used here", glossary_html(report)))
    if report.training is not None:
        parts.append(_section(ids, "training", "Training", training_html(report.training)))
    if report.source or report.script_hint:
        body = prose_html(report.script_hint) + (source_html(report.source, ids, report.cells) if report.source else "")
        parts.append(_section(ids, "source", "Your script", body))
    parts.append("<footer>Made with chainrule.</footer>")
    return "".join(parts)


def report_fragment(report: Report, prefix: str = "cr", embedded: bool = False) -> str:
    """The report as a ``<div class="cr-report">`` (no styles).

    Parameters
    ----------
    report : Report
        The analysis to lay out.
    prefix : str
        Prefix of every element id (must be unique per page).
    embedded : bool
        True inside another page (Jupyter): the contents list stays on top
        instead of becoming a sticky sidebar on wide screens.
    """
    ids = Ids(prefix)
    cls = "cr-report cr-embedded" if embedded else "cr-report"
    return (f'<div class="{cls}" id="{ids("root")}"><div class="cr-layout">'
            f"{toc_html(report, ids)}<main class=\"cr-main\">{body_html(report, ids)}</main>"
            f"</div></div>")


def render_html(report: Report) -> str:
    """ONE self-contained HTML5 page (styles inline, no scripts, no remote resources)."""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="color-scheme" content="light">'
            f"<title>{esc(report.title)}</title>"
            f"<style>{PAGE_CSS}{report_css()}</style></head>"
            f"<body>{report_fragment(report)}</body></html>\n")


def report_repr_html(report: Report, prefix: Optional[str] = None) -> str:
    """An HTML fragment for Jupyter's ``_repr_html_``: a scoped ``<style>`` and the report.

    Every CSS rule is scoped under ``.cr-report``, and element ids get a
    fresh prefix per call so that several reports can share a notebook.
    """
    prefix = prefix or f"cr{next(_FRAGMENT_IDS)}"
    return f"<style>{report_css()}</style>" + report_fragment(report, prefix, embedded=True)
