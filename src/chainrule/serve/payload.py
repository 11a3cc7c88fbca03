"""The Step and Graph panels' data: a :class:`~chainrule.report.Report` laid out for the page.

Everything the page shows is computed here in Python from the Report (formulas as MathML
by :func:`chainrule.render.latex.to_mathml`, text through the HTML renderer's escaping
helpers); the page's JavaScript only places it.  A *stop* is one place the Step panel can
be at: a forward quantity (``Z = XW + b``) or a backward line.
"""

from __future__ import annotations

from typing import Any, Optional

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from chainrule.render.common import holds_label, is_checked, step_ok
from chainrule.render.html_parts import inline_html, prose_html, verdict_html
from chainrule.render.jsonout import clean
from chainrule.render.latex import fmt_shape, to_mathml
from chainrule.report import NOTATIONS, ForwardStep, Report, Step, Value
from chainrule.serve.graph import graph_dict
from chainrule.serve.symbols import Names, split_values

_FMT = HtmlFormatter(nowrap=True)
NOTATION_NAMES = {"code": "Your code's names", "nielsen": "Nielsen: δ, BP1–BP4", "ng": "Andrew Ng: dZ, dW, db"}


def code_lines(source: str, first: int = 1) -> list[dict[str, Any]]:
    """Each source line from ``first`` on: its number, text and highlighted HTML."""
    lines = source.splitlines()
    return [{"n": n, "text": text, "html": highlight(text, PythonLexer(), _FMT).rstrip("\n")}
            for n, text in enumerate(lines, start=1) if n >= first]


def loop_start(source: str) -> int:
    """The line of the first top-level ``for``/``while`` (the iteration the page shows), else 1."""
    for n, text in enumerate(source.splitlines(), start=1):
        if text.startswith(("for ", "while ")):
            return n
    return 1


def lines_of(code: str, line: Optional[int], source: list[str]) -> list[int]:
    """The source lines a (possibly multi-line) ``code`` occupies, from ``line`` on."""
    if line is None:
        return []
    found, n = [], line
    for part in code.splitlines():
        while n <= len(source) and source[n - 1].strip() != part.strip() and n < line + 40:
            n += 1
        if n <= len(source):
            found.append(n)
            n += 1
    return found or [line]


def value_dict(v: Value, role: str, symbol: str) -> dict[str, Any]:
    return {"name": v.name, "shape": list(v.shape), "shape_text": fmt_shape(v.shape),
            "data": clean(v.data),
            "note_html": inline_html(v.note) if v.note and v.note not in ("after this line", "before this line") else "",
            "role": role, "symbol": to_mathml(symbol) if symbol else ""}


def forward_stop(i: int, f: ForwardStep, names: Names, source: list[str]) -> dict[str, Any]:
    return {
        "id": f"f{i}", "kind": "forward", "index": i, "lines": lines_of(f.code, f.line, source),
        "code": f.code, "title": f"{f.symbol} = {f.name}" if f.symbol and f.symbol != f.name else f.name,
        "symbol": f.symbol, "name": f.name,
        "formula": {"code": to_mathml(f.formula_latex, display=True)}, "index_formula": "",
        "text": f.formula_text, "shapes": [[f.name, list(f.shape), f.shape_text]],
        "values": [value_dict(v, "value" if v.name == f.name else "used",
                              names.base_symbol(v.name)) for v in f.values],
        "verdict": None, "node": f.name,
    }


def _textbook(step: Step) -> dict[str, Any]:
    return {k: {"name": t.name, "mathml": to_mathml(t.latex, display=True), "text": t.text,
                "translation_html": inline_html(t.translation)} for k, t in step.textbook.items()}


def backward_stop(k: int, s: Step, names: Names, source: list[str]) -> dict[str, Any]:
    inputs, before, after = split_values(s)
    values = [value_dict(v, "input", names.symbol(v.name, k)) for v in inputs]
    if before is not None:
        values.append(value_dict(before, "before", names.symbol(s.writes, k)))
    if after is not None:
        values.append(value_dict(after, "after", names.meaning(s) or names.base_symbol(s.writes)))
    formula = {"code": to_mathml(s.formula_latex, display=True)}
    formula.update({k2: t["mathml"] for k2, t in _textbook(s).items()})
    return {
        "id": f"b{k}", "kind": "backward", "index": k, "lines": lines_of(s.code, s.line, source),
        "code": s.code, "title": s.title or s.code, "writes": s.writes, "gradient_of": s.gradient_of,
        "holds": s.holds, "holds_label": holds_label(s), "holds_html": inline_html(s.holds_text),
        "formula": formula, "index_formula": to_mathml(s.index_latex, display=True),
        "textbook": _textbook(s), "text": s.formula_text or "",
        "chain_html": prose_html(s.chain), "shape_reason_html": prose_html(s.shape_reason),
        "shapes": [[n, list(sh), fmt_shape(sh)] for n, sh in s.shapes.items()],
        "values": values,
        "verdict": {"ok": step_ok(s), "checked": is_checked(s), "html": verdict_html(s),
                    "fd": s.rel_error_fd, "ad": s.rel_error_autodiff},
        "node": s.gradient_of,
    }


def page_json(report: Report, script: Optional[str] = None) -> dict[str, Any]:
    """Everything the Step and Graph panels show, as plain JSON data."""
    names = Names(report)
    source = report.source.splitlines()
    first = loop_start(report.source) if script is None else 1
    stops = [forward_stop(i, f, names, source) for i, f in enumerate(report.forward)]
    stops += [backward_stop(k, s, names, source) for k, s in enumerate(report.steps)]
    have = {"code"} | {n for s in report.steps for n in s.textbook}
    return clean({
        "title": report.title, "intro_html": prose_html(report.intro), "script": script,
        "network": report.network, "lines": code_lines(report.source, first), "stops": stops,
        "graph": graph_dict(report),
        "notations": [{"id": n, "label": NOTATION_NAMES[n], "available": n in have} for n in NOTATIONS],
        "notation": report.notation if report.notation in have else "code",
        "ok": all(step_ok(s) for s in report.steps),
    })
