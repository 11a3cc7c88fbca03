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
from chainrule.serve.substitute import at, expand, num
from chainrule.serve.symbols import Names


class PageData:
    """The shared walkthrough (``report``) with :meth:`entry` and :meth:`full_size`."""

    def __init__(self, report: Report, script: Optional[str] = None) -> None:
        self.report, self.script = report, script
        self.names = Names(report)
        self.json = page_json(report, script)
        self.stops = {s["id"]: s for s in self.json["stops"]}
        self.train_defaults: dict[str, Any] = {}
        self.train_note = ""
        if script is not None:
            from chainrule.serve.shape import script_settings

            self.train_defaults, self.train_note = script_settings(report)

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
            latex = " = ".join([expansion.lhs, expansion.rule, expansion.numbers, num(expansion.result)])
            chunks = expansion.chunks or [expansion.numbers]
            rows = ([f"{expansion.lhs} = {expansion.rule}"] + [("= " if i == 0 else "+ ") + c for i, c in enumerate(chunks)]
                    + [f"= {num(expansion.result)}"])
            out.update(ok=True, terms=expansion.terms, result=expansion.result, names=expansion.names,
                       legend=[[to_mathml(self.names.symbol(n, stop["index"])), n] for n in expansion.names])
        else:
            k = stop["index"] if stop["kind"] == "backward" else len(self.report.steps)
            sym = (self.names.symbol(v["name"], k) if stop["kind"] == "backward"
                   else self.names.base_symbol(v["name"]))
            latex = f"{at(sym, index)} = {num(data)}"
            rows = [latex]
            why = ("it is read by this line" if v["role"] == "input" else
                   "its value before this line" if v["role"] == "before" else
                   "the arrays here are cut to their first rows and columns, so the sum behind this "
                   "entry cannot be written out with them" if stop["kind"] == "backward" else
                   "computed by this forward line")
            out.update(ok=False, why=why, terms=[data], result=data, names=[v["name"]], legend=[])
        out["mathml"] = to_mathml(latex, display=True)
        out["rows"] = [to_mathml(r) for r in rows]  # inline, left-aligned; the CSS keeps big operators
        out["text"] = latex_to_unicode(latex).replace("\\eta", "η")
        return out

    def entry(self, stop_id: Any, value: Any, index: Any) -> dict[str, Any]:
        """The formula of one entry of one value of a stop, with its numbers."""
        stop = self._stop(stop_id)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < len(stop["values"]):
            raise ChainruleError(f"Line {stop_id} has no value number {value!r}.", option="value")
        shape = stop["values"][value]["shape"]
        if (not isinstance(index, list) or len(index) != len(shape)
                or not all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < d
                           for i, d in zip(index, shape))):
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
