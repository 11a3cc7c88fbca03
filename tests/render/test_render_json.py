"""The public JSON of ``chainrule explain --format json``."""

from __future__ import annotations

import base64
import json
import math

from chainrule.render import render, report_dict
from chainrule.render.jsonout import STEP_KEYS, TRAINING_KEYS, clean, render_json


def test_top_level_keys_are_exactly_the_public_ones(report):
    data = json.loads(render(report, "json"))
    assert set(data) == {"network", "notation", "steps", "forward", "bridge", "graph", "glossary",
                         "pitfalls", "training"}
    assert data["network"]["h"] == 1000
    assert data["network"]["tiny"] == {"N": 4, "D": 2, "h": 3, "K": 2}


def test_steps_have_the_required_keys_and_types(report):
    steps = json.loads(render(report, "json"))["steps"]
    assert len(steps) == len(report.steps)
    for got, step in zip(steps, report.steps):
        assert set(STEP_KEYS) <= set(got)
        assert got["code"] == step.code
        assert got["writes"] == step.writes
        assert got["holds"] in {"gradient", "scaled", "intermediate", "update", "wrong", "error"}
        assert isinstance(got["gradient_of"], str)
        assert isinstance(got["factor"], float)
        assert got["formula_latex"] == step.formula_latex
        assert got["index_latex"] == step.index_latex
        assert isinstance(got["shapes"], dict)
        assert all(isinstance(v, list) for v in got["shapes"].values())
        assert isinstance(got["rel_error_fd"], float) and got["rel_error_fd"] < 1e-6
        assert isinstance(got["rel_error_autodiff"], float)
        assert got["ok"] is True and got["title"] == step.title
        assert got["values"][0]["name"] == step.values[0].name


def test_forward_pitfalls_training(report):
    data = json.loads(render(report, "json"))
    assert [f["code"] for f in data["forward"]] == [f.code for f in report.forward]
    assert data["pitfalls"] == [{**data["pitfalls"][0], "id": "alias",
                                 "title": report.pitfalls[0].title, "shown": True}]
    training = data["training"]
    assert set(training) == set(TRAINING_KEYS)
    assert training["iterations"] == report.training.iterations
    assert 0 <= training["train_accuracy"] <= 1
    assert isinstance(training["seconds"], float)


def test_nan_and_inf_become_null(bad_report):
    text = render_json(bad_report)
    assert "NaN" not in text and "Infinity" not in text
    data = json.loads(text)
    step = data["steps"][2]
    assert step["rel_error_fd"] is None and step["rel_error_autodiff"] is None
    assert step["ok"] is False and step["holds"] == "wrong"
    assert step["values"][0]["data"][0][0] is None
    assert data["training"]["losses"][3] is None


def test_training_null_and_empty_report(minimal_report):
    data = json.loads(render(minimal_report, "json"))
    assert data == {"network": {}, "notation": "code", "steps": [], "forward": [], "bridge": None,
                    "graph": None, "glossary": [], "pitfalls": [], "training": None}


def test_pngs_only_on_request(report):
    assert "loss_png" not in report_dict(report)["training"]
    data = json.loads(render_json(report, include_png=True))
    assert base64.b64decode(data["training"]["loss_png"]).startswith(b"\x89PNG")


def test_clean_handles_numpy_and_bytes():
    import numpy as np

    got = clean({"a": np.float64("nan"), "b": np.int64(3), "c": np.arange(3),
                 "d": (1.5, math.inf), "e": b"\x00", "f": np.bool_(True)})
    assert got == {"a": None, "b": 3, "c": [0, 1, 2], "d": [1.5, None], "e": "AA==",
                   "f": True}
    json.dumps(got, allow_nan=False)
