"""The Train panel's settings: defaults are the learner's run; every bad value is named."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule.data import Dataset
from chainrule.errors import ChainruleError
from chainrule.serve.dataset import edit_points, safe_name, upload_dataset
from chainrule.serve.settings import parse_settings


def test_defaults_are_the_learners_network():
    s, c = parse_settings({})
    assert (c.dataset, c.points, c.classes, c.hidden, c.activation, c.loss, c.lr, c.optimizer) == (
        "spiral", 400, 2, (1000,), "relu", "softmax", 1.0, "gd")
    assert s["hidden"] == [1000]


def test_strings_from_the_url_fragment():
    s, c = parse_settings({"hidden": "16, 8", "points": "50", "step_size": "0.5", "batch_size": ""})
    assert c.hidden == (16, 8) and c.points == 50 and c.lr == 0.5 and c.batch is None


@pytest.mark.parametrize("raw, option", [
    ({"hidden": "0"}, "hidden"), ({"hidden": "a,b"}, "hidden"), ({"hidden": [8] * 5}, "hidden"),
    ({"points": 3000}, "points"), ({"classes": 9}, "classes"), ({"reg": -1}, "reg"),
    ({"step_size": None}, "step_size"), ({"batch_size": 10 ** 6}, "batch_size"),
    ({"seed": 1.5}, "seed"), ({"activation": "gelu"}, "activation"), ({"dataset": "custom"}, "dataset"),
    ({"seed": True}, "seed"), ({"points": 1500, "classes": 3, "hidden": [1000]}, "hidden"),
])
def test_bad_values_name_their_control(raw, option):
    with pytest.raises(ChainruleError) as err:
        parse_settings(raw)
    assert err.value.option == option
    assert len(err.value.message) > 20 and "\n" not in err.value.message


def test_custom_data_replaces_the_generator():
    d = Dataset(np.zeros((7, 2)), np.array([0, 1, 2, 0, 1, 2, 0]), "mine.csv", 3)
    s, c = parse_settings({"dataset": "spiral", "classes": 2, "points": 1}, d)
    assert s["dataset"] == "custom" and s["classes"] == 3


def test_upload_messages():
    assert safe_name("../../x/evil name.csv") == "evil_name.csv"
    assert safe_name(None) == "upload.csv"
    with pytest.raises(ChainruleError, match="3 feature columns"):
        upload_dataset("wide.csv", "1,2,3,0\n4,5,6,1\n")
    with pytest.raises(ChainruleError, match="bad.csv"):
        upload_dataset("bad.csv", "1,2,0\n4,x,1\n")
    d = upload_dataset("ok.csv", "x,y,c\n1,2,red\n3,4,blue\n5,6,red\n")
    assert d.n == 3 and d.class_names == ["blue", "red"] and d.y.tolist() == [1, 0, 1]


def test_edit_points_keeps_two_classes():
    d = Dataset(np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0, 1]), "two", 2)
    with pytest.raises(ChainruleError, match="two classes"):
        edit_points(d, [], [[1.0, 1.0]])
    with pytest.raises(ChainruleError, match="whole number"):
        edit_points(d, [[0.0, 0.0, 0.5]], [])
    e = edit_points(d, [[2.0, 2.0, 1]], [])
    assert e.n == 3 and e.name == "two (edited)" and edit_points(e, [[3, 3, 0]], []).name == "two (edited)"


def test_a_scripts_network_shapes_the_train_panel():
    from pathlib import Path

    from chainrule.check import explain_script
    from chainrule.serve.shape import layer_sizes, script_settings

    assert layer_sizes([[2, 20], [20, 3]]) == [2, 20, 3]  # row per example: W is (fan_in, fan_out)
    assert layer_sizes([[4, 2], [1, 4]]) == [2, 4, 1]  # deeplearning.ai: W is (fan_out, fan_in)
    assert layer_sizes([[2, 5], [4, 3]]) is None
    corpus = Path(__file__).resolve().parents[1] / "check" / "corpus"
    s, note = script_settings(explain_script(corpus / "ok_svm.py"))
    assert s == {"hidden": [20], "classes": 3, "points": 30, "activation": "relu", "loss": "hinge",
                 "step_size": 0.1, "reg": 0.001}
    assert "2 → 20 → 3" in note and "chainrule's own engine" in note and "your script to run the script itself" in note
    s, note = script_settings(explain_script(corpus / "ok_ng_style.py"))
    assert (s["hidden"], s["classes"], s["points"], s["activation"], s["step_size"]) == ([4], 2, 100, "tanh", 1.2)
    assert "one output unit" in note
    parse_settings(s)  # a valid starting point for the Train panel
