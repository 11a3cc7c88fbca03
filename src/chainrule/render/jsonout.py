"""The public JSON of ``chainrule explain --format json``.

Shape (extra keys inside a step or a pitfall are allowed, the top level is fixed)::

    {"network": {...},
     "notation": "code" | "nielsen" | "ng",      # the one the renderers used
     "steps": [{"code", "writes", "holds", "gradient_of", "factor",
                "formula_latex", "index_latex", "shapes",
                "rel_error_fd", "rel_error_autodiff",
                "title", "holds_text", "line", "message", "ok", "values",
                "textbook": {"code"|"nielsen"|"ng": {"name", "latex", "text",
                                                     "translation", "symbol"}}, ...}],
     "forward": [{"code", "symbol", "name", "formula_latex", "note", ...}],
     "bridge": {"intro", "notations", "rules", "rows", "proofs"} or null,
     "graph": {"nodes", "edges", "width", "height"} or null,
     "glossary": [{"term", "meaning"}],
     "pitfalls": [{"id", "title", "shown", ...}],
     "training": {"iterations", "losses", "accuracies", "final_loss",
                  "train_accuracy", "seconds"} or null}

Every notation is in the JSON whatever ``notation`` says.

NaN and infinities become ``null`` so the output is valid JSON.
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import asdict
from numbers import Number
from typing import Any, Optional

from chainrule.report import Pitfall, Report, Step, Training

STEP_KEYS = ("code", "writes", "holds", "gradient_of", "factor", "formula_latex",
             "index_latex", "shapes", "rel_error_fd", "rel_error_autodiff")
STEP_EXTRA_KEYS = ("title", "holds_text", "formula_text", "chain", "shape_reason",
                   "formula_keys", "line", "message", "ok", "values", "textbook")
TOP_KEYS = ("network", "notation", "steps", "forward", "bridge", "graph", "glossary", "pitfalls",
            "training")
TRAINING_KEYS = ("iterations", "losses", "accuracies", "final_loss", "train_accuracy",
                 "seconds")


def clean(obj: Any) -> Any:
    """Recursively turn data into strict-JSON values (NaN/inf -> None, numpy -> python).

    Parameters
    ----------
    obj : Any
        dicts, lists, tuples, numbers (including numpy scalars and arrays),
        strings, bytes (base64 text), None.
    """
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, dict):
        return {str(k): clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [clean(v) for v in obj]
    if isinstance(obj, (bytes, bytearray)):
        return base64.b64encode(bytes(obj)).decode("ascii")
    if hasattr(obj, "tolist") and not isinstance(obj, Number):  # numpy array
        return clean(obj.tolist())
    if isinstance(obj, Number):
        return _clean_number(obj)
    return str(obj)


def _clean_number(x: Any) -> Any:
    if hasattr(x, "item"):
        x = x.item()
    if isinstance(x, bool):
        return x
    if isinstance(x, int):
        return x
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def step_dict(step: Step) -> dict[str, Any]:
    """The public dict of one backward step (required keys first, then extras)."""
    d = asdict(step)
    out = {k: d[k] for k in STEP_KEYS}
    out.update({k: d[k] for k in STEP_EXTRA_KEYS})
    return clean(out)


def pitfall_dict(p: Pitfall) -> dict[str, Any]:
    """``{"id", "title", "shown", "explanation", "code", "output", "fix"}``."""
    d = asdict(p)
    return clean({"id": d["id"], "title": d["title"], "shown": bool(d["shown"]),
                  "shown_how": d["shown_how"], "explanation": d["explanation"], "code": d["code"],
                  "output": d["output"], "fix": d["fix"]})


def training_dict(t: Optional[Training], include_png: bool = False) -> Optional[dict[str, Any]]:
    """The training history, or None; PNGs as base64 only when ``include_png``."""
    if t is None:
        return None
    d = {k: getattr(t, k) for k in TRAINING_KEYS}
    if include_png:
        d["loss_png"] = t.loss_png or None
        d["boundary_png"] = t.boundary_png or None
    return clean(d)


def report_dict(report: Report, include_png: bool = False) -> dict[str, Any]:
    """The public JSON object of a report (see the module docstring)."""
    return {
        "network": clean(report.network or {}),
        "notation": report.notation,
        "steps": [step_dict(s) for s in report.steps],
        "forward": [clean(asdict(f)) for f in report.forward],
        "bridge": clean(asdict(report.bridge)) if report.bridge is not None else None,
        "graph": clean(asdict(report.graph)) if report.graph is not None else None,
        "glossary": [clean(asdict(g)) for g in report.glossary],
        "pitfalls": [pitfall_dict(p) for p in report.pitfalls],
        "training": training_dict(report.training, include_png),
    }


def render_json(report: Report, include_png: bool = False, indent: Optional[int] = 2) -> str:
    """Serialise :func:`report_dict` as strict JSON (``allow_nan=False``).

    Parameters
    ----------
    report : Report
        The analysis to serialise.
    include_png : bool
        Add ``training.loss_png`` / ``training.boundary_png`` (base64) when true.
    indent : int or None
        JSON indentation; None for one line.
    """
    return json.dumps(report_dict(report, include_png), indent=indent,
                      ensure_ascii=False, allow_nan=False)
