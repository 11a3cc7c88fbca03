"""One walkthrough served to every page: the Report, its page JSON, and the answers to clicks.

Built once when the server starts (the built-in network through :func:`chainrule.explain`,
or the learner's script through :func:`chainrule.check.explain_script`), then shared
read-only by all pages.
"""

from __future__ import annotations

import functools
from typing import Any, Optional

from chainrule.errors import ChainruleError
from chainrule.render.latex import latex_to_unicode, to_mathml
from chainrule.report import Report
from chainrule.serve.payload import page_json
from chainrule.serve.substitute import Expansion, at, expand, num
from chainrule.serve.symbols import Names


def _inside(index: Any, shape) -> bool:
    return (isinstance(index, list) and len(index) == len(shape)
            and all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < d for i, d in zip(index, shape)))


def _math(latex: str, rows: list[str]) -> dict[str, Any]:
    """The whole formula as MathML and plain text (for screen readers), and its rows (inline MathML,
    left-aligned; the CSS keeps the big operators)."""
    return {"mathml": to_mathml(latex, display=True), "rows": [to_mathml(r) for r in rows],
            "text": latex_to_unicode(latex).replace("\\eta", "η")}


class PageData:
    """The shared walkthrough (``report``) with :meth:`entry` and :meth:`full_size`."""

    def __init__(self, report: Report, script: Optional[str] = None, plan: Any = None) -> None:
        self.report, self.script = report, script
        self.plan = plan  # a script's ScriptPlan: how the Train panel runs the script itself
        self.names = Names(report)
        self.json = page_json(report, script, plan.files if plan is not None else None,
                              plan.path if plan is not None else None)
        self.stops = {s["id"]: s for s in self.json["stops"]}
        self.train_defaults: dict[str, Any] = {}
        self.train_note = ""
        if script is not None:
            from chainrule.serve.shape import script_settings

            self.train_defaults, self.train_note = script_settings(report)
            if plan is not None and plan.streamable:
                self.train_defaults["train"] = "script"
            elif plan is not None:  # do not offer what the Train panel would refuse
                self.train_note = self.train_note.replace(
                    "; choose Train: your script to run the script itself.",
                    f". It cannot run your script itself: {plan.why}.")

    def _stop(self, stop_id: Any) -> dict[str, Any]:
        if not isinstance(stop_id, str) or stop_id not in self.stops:
            raise ChainruleError(f"There is no line {stop_id!r} in this walkthrough.", option="stop")
        return self.stops[stop_id]

    @functools.lru_cache(maxsize=1024)
    def _entry(self, stop_id: str, value: int, index: tuple[int, ...]) -> dict[str, Any]:
        stop = self.stops[stop_id]
        v = stop["values"][value]
        out: dict[str, Any] = {"stop": stop_id, "value": value, "index": list(index), "name": v["name"]}
        data = v["data"]
        for i in index:
            data = data[i]
        out["number"] = data
        expansion = None
        if stop["kind"] == "backward" and v["role"] == "after":
            expansion = expand(self.names, stop["index"], index)
        if expansion is not None:
            out.update(self._written(expansion, stop["index"]))
        else:
            k = stop["index"] if stop["kind"] == "backward" else len(self.report.steps)
            sym = (self.names.symbol(v["name"], k) if stop["kind"] == "backward"
                   else self.names.base_symbol(v["name"]))
            latex = f"{at(sym, index)} = {num(data)}"
            why = ("it is read by this line" if v["role"] == "input" else
                   "its value before this line" if v["role"] == "before" else
                   "the arrays here are cut to their first rows and columns, so the sum behind this "
                   "entry cannot be written out with them" if stop["kind"] == "backward" else
                   "computed by this forward line")
            out.update(ok=False, why=why, terms=[data], result=data, names=[v["name"]], legend=[],
                       **_math(latex, [latex]))
        return out

    def _written(self, e: Expansion, k: int) -> dict[str, Any]:
        """An expansion as the page shows it: rows of MathML, the terms, the legend."""
        latex = " = ".join([e.lhs, e.rule, e.numbers, num(e.result)])
        chunks = e.chunks or [e.numbers]
        rows = ([f"{e.lhs} = {e.rule}"] + [("= " if i == 0 else "+ ") + c for i, c in enumerate(chunks)]
                + [f"= {num(e.result)}"])
        terms = e.terms if len(e.terms) <= 64 else e.terms[:3] + e.terms[-1:]
        return dict(ok=True, terms=terms, n_terms=len(e.terms), total=float(sum(e.terms)),
                    result=e.result, names=e.names, **_math(latex, rows),
                    legend=[[to_mathml(self.names.symbol(n, k)), n] for n in e.names])

    def full_entry(self, stop_id: Any, index: Any, trainer=None) -> dict[str, Any]:
        """One entry of what a backward line writes at full size, from the live weights."""
        from chainrule.serve.fullsize import backward_line

        stop = self._stop(stop_id)
        line = backward_line(self.report, stop["index"], trainer) if stop["kind"] == "backward" else None
        if line is None or self.script is not None:
            raise ChainruleError(f"Line {stop_id} has no full-size result to explain.", option="stop")
        arrays, iteration, where = line
        if not _inside(index, arrays.out.shape):
            raise ChainruleError(f"Entry {index!r} is not inside an array of shape {arrays.out.shape}.",
                                 option="index")
        e = expand(self.names, stop["index"], tuple(index), arrays)
        out = {"stop": stop_id, "index": list(index), "name": stop["writes"], "full": True,
               "iteration": iteration, "where": where, "number": float(arrays.out[tuple(index)])}
        if e is None:
            latex = f"{at(self.names.base_symbol(stop['writes']), index)} = {num(out['number'])}"
            return {**out, "ok": False, "why": "no formula of this line reproduces it", "terms": [],
                    "result": out["number"], "legend": [], **_math(latex, [latex])}
        return {**out, **self._written(e, stop["index"])}

    def entry(self, stop_id: Any, value: Any, index: Any) -> dict[str, Any]:
        """The formula of one entry of one value of a stop, with its numbers."""
        stop = self._stop(stop_id)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < len(stop["values"]):
            raise ChainruleError(f"Line {stop_id} has no value number {value!r}.", option="value")
        shape = stop["values"][value]["shape"]
        if not _inside(index, shape):
            raise ChainruleError(f"Entry {index!r} is not inside an array of shape {tuple(shape)}.",
                                 option="index")
        return self._entry(stop_id, value, tuple(index))

    def all_entries(self) -> dict[str, dict[str, Any]]:
        """Every entry of every written array (for the export, which has no server to ask)."""
        import itertools

        out = {}
        for sid, stop in self.stops.items():
            for vi, v in enumerate(stop["values"]):
                if v["role"] != "after" or not v["shape"]:
                    continue
                for idx in itertools.product(*(range(d) for d in v["shape"])):
                    out[f"{sid}|{vi}|{','.join(map(str, idx))}"] = self._entry(sid, vi, idx)
        return out

    def full_size(self, stop_id: Any, trainer=None) -> tuple[dict[str, Any], list]:
        """The stop's arrays at full size (built-in network), as stats and heatmap grids."""
        stop = self._stop(stop_id)
        if self.script is not None:
            return ({"stop": stop_id, "arrays": [], "where": "", "unavailable":
                     "Full-size heatmaps are drawn for the built-in network; for your script the "
                     "page shows the first rows and columns of each array."}, [])
        from chainrule.serve.fullsize import full_arrays

        found = full_arrays(self.report, stop, trainer)
        if found is None:
            return {"stop": stop_id, "arrays": [], "where": "", "unavailable": "No arrays on this line."}, []
        return found
