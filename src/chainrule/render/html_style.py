"""The stylesheet of the HTML report, scoped under ``.cr-report``.

Colours follow the Okabe-Ito colour-blind-safe palette (bluish green for ✓,
vermillion for ✗, orange for pitfalls, blue for structure), darkened where
used as text so that every text colour reaches WCAG AA contrast on its
background; ✓/✗ and words always accompany colour.  No web fonts: system
font stacks only.  ``@media print`` hides the contents list and keeps cards
on one page where possible.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pygments.formatters import HtmlFormatter

#: CSS class of pygments-highlighted blocks.
HL_CLASS = "cr-hl"
PYGMENTS_STYLE = "default"

REPORT_CSS = """
.cr-report {
  --cr-ink: #1f2328; --cr-muted: #57606a; --cr-line: #d8dee4; --cr-soft: #f6f8fa;
  --cr-card: #ffffff; --cr-accent: #005a8f; --cr-accent-soft: #e7f1f8;
  --cr-ok: #00684f; --cr-ok-soft: #e2f3ed; --cr-ok-line: #009e73;
  --cr-bad: #9c3600; --cr-bad-soft: #fdebe0; --cr-bad-line: #d55e00;
  --cr-warn: #6f4a00; --cr-warn-soft: #fff6df; --cr-warn-line: #e69f00;
  --cr-mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono",
    "DejaVu Sans Mono", monospace;
  color: var(--cr-ink); background: var(--cr-soft);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans",
    "Liberation Sans", Arial, sans-serif;
  font-size: 16px; line-height: 1.6; text-align: left;
  -webkit-text-size-adjust: 100%; padding: 1.5rem 1rem 3rem;
}
.cr-report *, .cr-report *::before, .cr-report *::after { box-sizing: border-box; }
.cr-report .cr-layout { max-width: 900px; margin: 0 auto; }
.cr-report .cr-main { min-width: 0; }
.cr-report h1, .cr-report h2, .cr-report h3, .cr-report h4 {
  line-height: 1.25; margin: 0 0 .5rem; color: var(--cr-ink); font-weight: 650;
}
.cr-report h1 { font-size: 2rem; letter-spacing: -.01em; }
.cr-report h2 { font-size: 1.45rem; margin-top: 2.5rem; padding-bottom: .3rem;
  border-bottom: 2px solid var(--cr-line); }
.cr-report h3 { font-size: 1.15rem; margin: 0; }
.cr-report p { margin: .4rem 0 .7rem; }
.cr-report a { color: var(--cr-accent); text-underline-offset: 2px; }
.cr-report code { font-family: var(--cr-mono); font-size: .88em; background: #eef1f4;
  padding: .08em .3em; border-radius: 4px; }
.cr-report pre code { background: none; padding: 0; font-size: inherit; border-radius: 0; }
.cr-report pre { font-family: var(--cr-mono); font-size: .88rem; line-height: 1.5;
  margin: 0; white-space: pre; overflow-x: auto; }
.cr-report code { overflow-wrap: normal; word-break: normal; hyphens: none; }
.cr-report .cr-scroll { max-width: 100%; overflow-x: auto; position: relative; }
.cr-report .cr-imath { display: inline-block; max-width: 100%; overflow-x: auto; overflow-y: hidden;
  vertical-align: middle; }
.cr-report mtext.cr-tt { font-family: var(--cr-mono); }
.cr-report .cr-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
.cr-report .cr-nowrap { white-space: nowrap; }
.cr-report .cr-narrow-only { display: none; }
.cr-report .cr-label.cr-plain { text-transform: none; letter-spacing: .02em; font-size: .8rem; }
.cr-report .cr-shape-table td { white-space: nowrap; }
.cr-report details.cr-demo { background: transparent; border: 1px dashed #ecd9a8; }
.cr-report math { font-family: "STIX Two Math", "Latin Modern Math", "Cambria Math",
  "DejaVu Math TeX Gyre", math; font-size: 1.12em; }
.cr-report math[display="block"] { display: block math; margin: .35rem 0; font-size: 1.25em;
  overflow-x: auto; overflow-y: hidden; padding: .2rem 0; }
.cr-report .cr-latex { white-space: pre-wrap; }

/* header */
.cr-report .cr-hero { background: var(--cr-card); border: 1px solid var(--cr-line);
  border-top: 5px solid var(--cr-accent); border-radius: 10px; padding: 1.5rem 1.75rem;
  margin-bottom: 1.25rem; }
.cr-report .cr-kicker { text-transform: uppercase; letter-spacing: .12em; font-size: .75rem;
  font-weight: 700; color: var(--cr-accent); margin: 0 0 .25rem; }
.cr-report .cr-intro { font-size: 1.08rem; color: #2d333b; max-width: 70ch; }
.cr-report .cr-chips { list-style: none; padding: 0; margin: .8rem 0 .2rem;
  display: flex; flex-wrap: wrap; gap: .4rem; }
.cr-report .cr-chips li { background: var(--cr-accent-soft); color: #0b3c5d;
  border-radius: 999px; padding: .1rem .7rem; font-size: .85rem; }
.cr-report .cr-chips b { font-weight: 700; margin-right: .25rem; }
.cr-report .cr-summary { display: inline-block; font-weight: 650; margin: .8rem 0 0;
  padding: .3rem .8rem; border-radius: 6px; border: 1px solid; }

/* contents */
.cr-report .cr-toc { background: var(--cr-card); border: 1px solid var(--cr-line);
  border-radius: 10px; padding: .9rem 1.25rem; margin-bottom: 1rem; font-size: .92rem; }
.cr-report .cr-toc h2 { font-size: .8rem; text-transform: uppercase; letter-spacing: .1em;
  color: var(--cr-muted); border: 0; margin: 0 0 .4rem; padding: 0; }
.cr-report .cr-toc ol { margin: 0; padding-left: 1.2rem; }
.cr-report .cr-toc ol ol { padding-left: 1rem; list-style: none; }
.cr-report .cr-toc li { margin: .1rem 0; }
.cr-report .cr-toc a { text-decoration: none; }
.cr-report .cr-toc a:hover, .cr-report .cr-toc a:focus { text-decoration: underline; }
.cr-report .cr-toc .cr-mark-ok { color: var(--cr-ok); font-weight: 700; }
.cr-report .cr-toc .cr-mark-bad { color: var(--cr-bad); font-weight: 700; }
@media (min-width: 1240px) {
  .cr-report:not(.cr-embedded) .cr-layout { max-width: 1180px; display: grid;
    grid-template-columns: 240px minmax(0, 900px); gap: 2rem; align-items: start; }
  .cr-report:not(.cr-embedded) .cr-toc { position: sticky; top: 1rem;
    max-height: calc(100vh - 2rem); overflow-y: auto; margin: 0; }
}

/* tables */
.cr-report table { border-collapse: collapse; }
.cr-report .cr-table { width: 100%; background: var(--cr-card); border: 1px solid var(--cr-line);
  border-radius: 8px; overflow: hidden; font-size: .93rem; }
.cr-report .cr-table th { text-align: left; background: #eef1f4; font-weight: 650;
  padding: .45rem .75rem; border-bottom: 1px solid var(--cr-line); }
.cr-report .cr-table td { padding: .45rem .75rem; border-top: 1px solid #eaeef2;
  vertical-align: middle; }
.cr-report .cr-table td.cr-num, .cr-report .cr-table th.cr-num { text-align: right;
  font-variant-numeric: tabular-nums; white-space: nowrap; }
.cr-report .cr-table .cr-hl, .cr-report .cr-table .cr-hl pre { background: transparent; }
.cr-report .cr-table math[display="block"] { margin: 0; font-size: 1.1em; }

/* at a glance, graph, textbooks, glossary */
.cr-report .cr-glance td { vertical-align: top; }
.cr-report .cr-glance td code { background: none; padding: 0; }
.cr-report .cr-glance tr.cr-updates td { background: #fafbfc; color: var(--cr-muted); }
.cr-report .cr-glance tbody tr.cr-updates:first-of-type td,
.cr-report .cr-glance tr:not(.cr-updates) + tr.cr-updates td { border-top: 2px solid var(--cr-line); }
.cr-report span.cr-book { display: block; }
.cr-report .cr-book { font-size: .8rem; color: var(--cr-muted); font-weight: 600; }
.cr-report .cr-glance .cr-mark-ok { color: var(--cr-ok); font-weight: 800; }
.cr-report .cr-glance .cr-mark-bad { color: var(--cr-bad); font-weight: 800; }
.cr-report .cr-figure { margin: .5rem 0; background: var(--cr-card); border: 1px solid var(--cr-line);
  border-radius: 10px; padding: .6rem; }
.cr-report .cr-figure figcaption { font-size: .85rem; color: var(--cr-muted); margin-top: .3rem; }
.cr-report svg.cr-graph { display: block; width: 100%; height: auto; min-width: 760px; }
.cr-report svg.cr-graph a:hover rect, .cr-report svg.cr-graph a:focus rect { stroke: var(--cr-accent);
  stroke-width: 2.5; }
.cr-report .cr-chain { font-family: var(--cr-mono); font-size: .85rem; padding-left: 1.2rem; }
.cr-report .cr-rules { padding-left: 1.4rem; }
.cr-report .cr-rules h3 { margin-top: .8rem; }
.cr-report .cr-rule-map { background: var(--cr-soft); border-radius: 6px; padding: .3rem .7rem;
  display: inline-block; max-width: 100%; overflow-x: auto; }
.cr-report .cr-bridge td { vertical-align: top; }
.cr-report .cr-proof { background: var(--cr-card); border: 1px solid var(--cr-line); border-radius: 10px;
  padding: .8rem 1.2rem; margin: 1rem 0; }
.cr-report .cr-textbook p { font-size: .92rem; margin: .3rem 0; }
.cr-report .cr-network p { margin: .35rem 0; color: #2d333b; }
.cr-report .cr-glossary { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem;
  background: var(--cr-card); border: 1px solid var(--cr-line); border-radius: 10px; padding: .8rem 1.2rem; }
.cr-report .cr-glossary dt { font-weight: 650; }
.cr-report .cr-glossary dd { margin: 0; }
.cr-report .cr-fnote { display: block; }

/* step cards */
.cr-report .cr-step { background: var(--cr-card); border: 1px solid var(--cr-line);
  border-left: 5px solid var(--cr-ok-line); border-radius: 10px; padding: 1.1rem 1.4rem 1.2rem;
  margin: 1.1rem 0 1.4rem; box-shadow: 0 1px 2px rgba(31, 35, 40, .06); }
.cr-report .cr-step.cr-is-bad { border-left-color: var(--cr-bad-line); }
.cr-report .cr-step-head { display: flex; align-items: center; gap: .7rem; flex-wrap: wrap;
  margin-bottom: .7rem; }
.cr-report .cr-step-num { display: inline-grid; place-items: center; width: 1.9rem;
  height: 1.9rem; border-radius: 50%; background: var(--cr-accent); color: #fff;
  font-weight: 700; font-size: .95rem; flex: none; }
.cr-report .cr-step-head h3 { flex: 1 1 auto; }
.cr-report .cr-badge { font-size: .82rem; font-weight: 700; border-radius: 999px;
  padding: .12rem .65rem; border: 1px solid; white-space: nowrap; }
.cr-report .cr-ok { color: var(--cr-ok); background: var(--cr-ok-soft); border-color: var(--cr-ok-line); }
.cr-report .cr-bad { color: var(--cr-bad); background: var(--cr-bad-soft); border-color: var(--cr-bad-line); }
.cr-report .cr-codeline { display: flex; align-items: stretch; border-radius: 8px;
  border: 1px solid var(--cr-line); background: #f6f8fa; overflow: hidden; margin: .3rem 0 .8rem; }
.cr-report .cr-codeline .cr-hl { flex: 1; min-width: 0; background: transparent; }
.cr-report .cr-codeline pre { padding: .6rem .9rem; font-size: .95rem; background: transparent; }
.cr-report .cr-lineno { flex: none; font-family: var(--cr-mono); font-size: .78rem;
  color: var(--cr-muted); background: #eaeef2; padding: .7rem .6rem; border-right: 1px solid var(--cr-line);
  text-decoration: none; }
.cr-report .cr-holds { background: var(--cr-accent-soft); border-radius: 8px;
  padding: .55rem .9rem; margin: .2rem 0 .9rem; }
.cr-report .cr-tag { display: inline-block; font-size: .75rem; font-weight: 700;
  text-transform: uppercase; letter-spacing: .06em; color: #0b3c5d; background: #cfe3f1;
  border-radius: 4px; padding: 0 .4rem; margin-right: .4rem; vertical-align: .1em; }
.cr-report .cr-tag.cr-tag-bad { color: var(--cr-bad); background: var(--cr-bad-soft); }
.cr-report .cr-label { font-size: .75rem; font-weight: 700; text-transform: uppercase;
  letter-spacing: .08em; color: var(--cr-muted); margin: .9rem 0 .25rem; }
.cr-report .cr-formulas { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr));
  gap: .75rem; margin: .2rem 0 .4rem; }
.cr-report .cr-formula { border: 1px solid var(--cr-line); border-radius: 8px; padding: .2rem .9rem .4rem;
  background: #fbfcfd; min-width: 0; }
.cr-report .cr-formula .cr-label { margin-top: .4rem; }
.cr-report .cr-shapes { display: flex; gap: 1.2rem; flex-wrap: wrap; align-items: flex-start; }
.cr-report .cr-shapes p { flex: 1 1 320px; margin-top: 0; }
.cr-report .cr-shape-table { font-size: .88rem; border: 1px solid var(--cr-line); border-radius: 6px; }
.cr-report .cr-shape-table th { font-family: var(--cr-mono); font-weight: 600; text-align: left;
  padding: .2rem .7rem; background: #f6f8fa; }
.cr-report .cr-shape-table td { padding: .2rem .7rem; font-variant-numeric: tabular-nums;
  font-family: var(--cr-mono); }
.cr-report .cr-shape-table tr + tr > * { border-top: 1px solid #eaeef2; }

/* tiny-example matrices */
.cr-report .cr-matrices { display: flex; flex-wrap: wrap; gap: 1rem 1.6rem; align-items: flex-start; }
.cr-report .cr-matrix { margin: 0; min-width: 0; max-width: 100%; }
.cr-report .cr-matrix figcaption { font-size: .85rem; margin-bottom: .25rem; }
.cr-report .cr-matrix figcaption code { font-weight: 650; }
.cr-report .cr-dim { color: var(--cr-muted); font-variant-numeric: tabular-nums; }
.cr-report .cr-bracket { position: relative; display: inline-block; padding: .15rem .45rem; }
.cr-report .cr-bracket::before, .cr-report .cr-bracket::after { content: ""; position: absolute;
  top: 0; bottom: 0; width: .4rem; border: 1.5px solid #3d444d; }
.cr-report .cr-bracket::before { left: 0; border-right: 0; }
.cr-report .cr-bracket::after { right: 0; border-left: 0; }
.cr-report .cr-mat td { font-family: var(--cr-mono); font-size: .84rem; text-align: right;
  padding: .05rem .45rem; font-variant-numeric: tabular-nums; white-space: nowrap; }
.cr-report .cr-note { font-size: .8rem; color: var(--cr-muted); font-style: italic; margin: .2rem 0 0; }

/* verdict */
.cr-report .cr-verdict { display: flex; gap: .6rem; align-items: baseline; margin-top: 1rem;
  padding: .6rem .9rem; border-radius: 8px; border: 1px solid; }
.cr-report .cr-verdict .cr-icon { font-weight: 800; font-size: 1.1rem; }
.cr-report .cr-verdict strong { font-variant-numeric: tabular-nums; }

/* pitfalls */
.cr-report .cr-callout { background: var(--cr-warn-soft); border: 1px solid #f1d9a0;
  border-left: 5px solid var(--cr-warn-line); border-radius: 10px; padding: 1rem 1.4rem;
  margin: 1rem 0; }
.cr-report .cr-callout h3 { color: var(--cr-warn); }
.cr-report .cr-callout .cr-tag { background: #f6dfa8; color: var(--cr-warn); }
.cr-report .cr-callout .cr-hl, .cr-report .cr-output { background: #fff; border: 1px solid #ecd9a8;
  border-radius: 6px; padding: .5rem .8rem; }
.cr-report .cr-output { color: #2d333b; }
.cr-report .cr-fix .cr-hl { border-left: 4px solid var(--cr-ok-line); }

/* training */
.cr-report .cr-plots { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr));
  gap: 1rem; margin: 1rem 0; }
.cr-report .cr-plots figure { margin: 0; background: var(--cr-card); border: 1px solid var(--cr-line);
  border-radius: 8px; padding: .6rem; }
.cr-report .cr-plots img { display: block; width: 100%; height: auto; }
.cr-report .cr-plots figcaption { font-size: .85rem; color: var(--cr-muted); text-align: center; }
.cr-report details { background: var(--cr-card); border: 1px solid var(--cr-line);
  border-radius: 8px; padding: .5rem 1rem; margin: .8rem 0; }
.cr-report summary { cursor: pointer; font-weight: 600; }
.cr-report details[open] summary { margin-bottom: .5rem; }
.cr-report .cr-source pre { font-size: .82rem; }
.cr-report .cr-source .cr-hl span.linenos { color: #6e7781; padding: 0 .8rem 0 0; user-select: none; }
.cr-report footer { margin-top: 2.5rem; font-size: .8rem; color: var(--cr-muted); }

@media (max-width: 600px) {
  .cr-report { padding: .75rem .5rem 2rem; font-size: 15px; }
  .cr-report h1 { font-size: 1.55rem; }
  .cr-report .cr-hero { padding: 1.1rem 1rem; }
  .cr-report .cr-step, .cr-report .cr-callout { padding: .9rem .9rem; }
  .cr-report .cr-forward thead { display: none; }
  .cr-report .cr-forward tr, .cr-report .cr-forward td { display: block; }
  .cr-report .cr-forward tr + tr { border-top: 1px solid var(--cr-line); }
  .cr-report .cr-forward td { border: 0; padding: .3rem .75rem; }
  .cr-report .cr-forward td.cr-num { text-align: left; white-space: normal; color: var(--cr-muted); }
  .cr-report .cr-glossary { grid-template-columns: 1fr; }
  .cr-report .cr-glance thead { display: none; }
  .cr-report .cr-glance tr { display: grid; grid-template-columns: 2rem minmax(0, 1fr) auto;
    grid-template-areas: "step code mark" "step formula formula" "step book book" "step line shape";
    column-gap: .5rem; padding: .45rem .6rem; border-top: 1px solid var(--cr-line); }
  .cr-report .cr-glance td { border: 0; padding: .05rem 0; display: block; text-align: left; }
  .cr-report .cr-glance .cr-g-step { grid-area: step; }
  .cr-report .cr-glance .cr-g-code { grid-area: code; }
  .cr-report .cr-glance .cr-g-mark { grid-area: mark; }
  .cr-report .cr-glance .cr-g-formula { grid-area: formula; max-width: 100%; overflow-x: auto; }
  .cr-report .cr-glance .cr-g-book { grid-area: book; }
  .cr-report .cr-glance .cr-g-line { grid-area: line; color: var(--cr-muted); font-size: .85rem; }
  .cr-report .cr-glance .cr-g-line::before { content: "line "; }
  .cr-report .cr-glance .cr-g-shape { grid-area: shape; color: var(--cr-muted); font-size: .85rem; }
  .cr-report .cr-glance tbody tr.cr-updates:first-of-type,
  .cr-report .cr-glance tr:not(.cr-updates) + tr.cr-updates { border-top: 2px solid var(--cr-line); }
  .cr-report .cr-glance tr.cr-updates td { border-top: 0; }
  .cr-report .cr-narrow-only { display: inline; }
  .cr-report .cr-glance td.cr-num { text-align: left; }
  .cr-report .cr-glance tr.cr-updates { background: #fafbfc; }
  .cr-report .cr-glance tr.cr-updates td { background: none; }
  .cr-report .cr-bridge thead { display: none; }
  .cr-report .cr-bridge tr, .cr-report .cr-bridge td { display: block; }
  .cr-report .cr-bridge tr { border-top: 1px solid var(--cr-line); padding: .3rem 0; }
  .cr-report .cr-bridge td { border: 0; padding: .15rem .75rem; max-width: 100%; overflow-x: auto; }
  .cr-report .cr-bridge td[data-label]::before { content: attr(data-label); display: block;
    font-size: .72rem; font-weight: 700; text-transform: uppercase; letter-spacing: .06em;
    color: var(--cr-muted); }
  .cr-report .cr-glossary dd { margin-bottom: .4rem; }
  .cr-report .cr-formulas { grid-template-columns: minmax(0, 1fr); }
  .cr-report .cr-proof { padding: .7rem .8rem; }
}
@media print {
  .cr-report { background: #fff; padding: 0; font-size: 11pt; }
  .cr-report .cr-toc { display: none; }
  .cr-report .cr-layout { display: block; max-width: none; }
  .cr-report .cr-step, .cr-report .cr-callout, .cr-report .cr-plots figure,
  .cr-report .cr-hero { box-shadow: none; break-inside: avoid; }
  .cr-report h2 { break-after: avoid; }
  .cr-report a { color: inherit; text-decoration: none; }
  .cr-report * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

PAGE_CSS = """
html { background: #f6f8fa; }
body { margin: 0; }
"""


@lru_cache(maxsize=1)
def pygments_css() -> str:
    """Pygments style definitions, every rule scoped to ``.cr-report .cr-hl``.

    (pygments' own ``get_style_defs`` adds unscoped ``pre`` and ``.linenos``
    rules, which would leak into a notebook that shows the fragment.)
    """
    scope = f".cr-report .{HL_CLASS}"
    fmt = HtmlFormatter(style=PYGMENTS_STYLE, cssclass=HL_CLASS)
    rules = [f"{scope} {rule}" for rule in fmt.get_linenos_style_defs()]
    rules += fmt.get_background_style_defs(scope) + fmt.get_token_style_defs(scope)
    return "\n".join(re.sub(r"\s*/\*.*?\*/", "", rule) for rule in rules) + "\n"


def report_css() -> str:
    """All CSS of the report (layout + syntax highlighting), scoped under ``.cr-report``."""
    return pygments_css() + REPORT_CSS
