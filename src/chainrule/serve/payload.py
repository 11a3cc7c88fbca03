"""The Step and Graph panels' data: a :class:`~chainrule.report.Report` laid out for the page.

Everything the page shows is computed here in Python from the Report (formulas as MathML
by :func:`chainrule.render.latex.to_mathml`, text through the HTML renderer's escaping
helpers); the page's JavaScript only places it.  A *stop* is one place the Step panel can
be at: a forward quantity (``Z = XW + b``) or a backward line.
"""

from __future__ import annotations

from typing import Any, Optional

import re

from chainrule.render.common import holds_label, is_checked, step_ok
from chainrule.render.html_parts import inline_html, prose_html, verdict_html
from chainrule.render.jsonout import clean
from chainrule.render.latex import fmt_shape, to_mathml
from chainrule.report import NOTATIONS, ForwardStep, Report, Step, Value
from chainrule.serve.codeview import CodeFiles
from chainrule.serve.graph import graph_dict
from chainrule.serve.symbols import Names, split_values

NOTATION_NAMES = {"code": "Your code's names", "nielsen": "Nielsen: δ, BP1–BP4", "ng": "Andrew Ng: dZ, dW, db"}


def loop_start(source: str) -> int:
    """The line of the first top-level ``for``/``while`` (the iteration the page shows), else 1."""
    for n, text in enumerate(source.splitlines(), start=1):
        if text.startswith(("for ", "while ")):
            return n
    return 1


_OF = re.compile(r"of \(([\d, ]+)\)")


class Examples:
    """Which axis of an array runs over the examples (rows: ``X @ W``; columns: ``W @ A``), and N."""

    def __init__(self, report: Report) -> None:
        layout = str(report.network.get("layout", "rows"))
        self.axis = 1 if "column" in layout else 0
        data = next((n for n in (report.graph.nodes if report.graph else []) if n.kind == "data"), None)
        self.N = report.network.get("N") or (data.shape[self.axis] if data and len(data.shape) == 2 else None)

    def tag(self, v: Value, full: Optional[list[int]]) -> str:
        m = _OF.search(v.note or "")
        shape = [int(x) for x in m.group(1).split(",") if x.strip()] if m else list(full or v.shape)
        if not self.N or len(shape) not in (1, 2):
            return ""
        if self.axis == 1 and self.N == 1 and len(shape) == 2 and shape[1] == 1 and shape[0] > 1:
            return "one example, as a column vector"
        if self.N > 1 and len(shape) == 2 and shape[self.axis] == self.N and shape[1 - self.axis] != self.N:
            return "a column per example" if self.axis == 1 else "a row per example"
        if self.N > 1 and len(shape) == 1 and shape[0] == self.N:
            return "an entry per example"
        return ""


def value_dict(v: Value, role: str, symbol: str, tag: str = "") -> dict[str, Any]:
    return {"name": v.name, "shape": list(v.shape), "shape_text": fmt_shape(v.shape),
            "data": clean(v.data),
            "note_html": inline_html(v.note) if v.note and v.note not in ("after this line", "before this line") else "",
            "role": role, "symbol": to_mathml(symbol) if symbol else "", "examples": tag}


def forward_stop(i: int, f: ForwardStep, names: Names, code: CodeFiles, ex: Examples) -> dict[str, Any]:
    return {
        "id": f"f{i}", "kind": "forward", "index": i, "lines": code.locate(f.code, f.line),
        "code": f.code, "title": f"{f.symbol} = {f.name}" if f.symbol and f.symbol != f.name else f.name,
        "symbol": f.symbol, "name": f.name,
        "formula": {"code": to_mathml(f.formula_latex, display=True)}, "index_formula": "",
        "text": f.formula_text, "shapes": [[f.name, list(f.shape), f.shape_text]],
        "values": [value_dict(v, "value" if v.name == f.name else "used", names.base_symbol(v.name),
                              ex.tag(v, f.shape if v.name == f.name else None)) for v in f.values],
        "verdict": None, "node": f.name,
    }


def _textbook(step: Step) -> dict[str, Any]:
    return {k: {"name": t.name, "mathml": to_mathml(t.latex, display=True), "text": t.text,
                "translation_html": inline_html(t.translation)} for k, t in step.textbook.items()}


def backward_stop(k: int, s: Step, names: Names, code: CodeFiles, ex: Examples) -> dict[str, Any]:
    inputs, before, after = split_values(s)
    values = [value_dict(v, "input", names.symbol(v.name, k), ex.tag(v, s.shapes.get(v.name))) for v in inputs]
    if before is not None:
        values.append(value_dict(before, "before", names.symbol(s.writes, k), ex.tag(before, s.shapes.get(s.writes))))
    if after is not None:
        values.append(value_dict(after, "after", names.meaning(s) or names.base_symbol(s.writes),
                                 ex.tag(after, s.shapes.get(s.writes))))
    formula = {"code": to_mathml(s.formula_latex, display=True)}
    formula.update({k2: t["mathml"] for k2, t in _textbook(s).items()})
    return {
        "id": f"b{k}", "kind": "backward", "index": k, "lines": code.locate(s.code, s.line),
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


def page_json(report: Report, script: Optional[str] = None, files: Optional[list[str]] = None,
              path: Optional[str] = None) -> dict[str, Any]:
    """Everything the Step and Graph panels show, as plain JSON data.

    ``files``: other files of the learner's (a module the script imports) to show after the script;
    ``path``: the script's file (a notebook's cells are shown as written).
    """
    names = Names(report)
    code = CodeFiles(report.source, files, report.cells, path)
    ex = Examples(report)
    first = loop_start(report.source) if script is None else 1
    # The checker already shows a per-example loop once (its Report says so in the intro): every step is a stop.
    stops = [forward_stop(i, f, names, code, ex) for i, f in enumerate(report.forward)]
    stops += [backward_stop(k, s, names, code, ex) for k, s in enumerate(report.steps)]
    for st in stops:
        place = code.where(st["lines"])
        if place is not None:
            st["where_first"], st["where"] = place
    have = {"code"} | {n for s in report.steps for n in s.textbook}
    return clean({
        "title": report.title, "intro_html": prose_html(report.intro), "script": script,
        "network": report.network, "lines": code.lines(first), "stops": stops,
        "graph": graph_dict(report),
        "notations": [{"id": n, "label": NOTATION_NAMES[n], "available": n in have} for n in NOTATIONS],
        "notation": report.notation if report.notation in have else "code",
        "ok": all(step_ok(s) for s in report.steps),
        "examples": {"axis": ex.axis, "N": ex.N},
    })
