"""The library validates like the command line: chainrule.errors exceptions (ValueError) with the same paragraph."""

from __future__ import annotations

import pytest

import chainrule
from chainrule.config import TrainConfig
from chainrule.errors import BadType, ChainruleError

from .conftest import assert_clean_error, invoke


@pytest.mark.parametrize("kwargs,cli", [
    ({"optimizer": "rmsprop"}, ["--optimizer", "rmsprop"]),
    ({"step_size": float("nan")}, ["--step-size", "nan"]),
    ({"step_size": -1.0}, ["--step-size", "-1"]),
    ({"reg": -1.0}, ["--reg", "-1"]),
    ({"reg": float("inf")}, ["--reg", "inf"]),
    ({"hidden": "64,,64"}, ["--hidden", "64,,64"]),
    ({"seed": 2**32}, ["--seed", str(2**32)]),
    ({"batch_size": 0}, ["--batch-size", "0"]),
    ({"log_every": -1}, ["--log-every", "-1"]),
])
def test_same_message_as_the_command_line(kwargs, cli, tmp_path):
    with pytest.raises(ChainruleError) as info:
        TrainConfig(**kwargs)
    assert isinstance(info.value, ValueError) and info.value.exit_code == 2
    option = cli[0]
    assert info.value.option == option and option in info.value.message
    r = invoke("train", *cli, "--out", tmp_path)
    flat = assert_clean_error(r, 2, option)
    if not kwargs.get("optimizer"):  # the CLI's Enum answers --optimizer itself (typer's words, same facts)
        assert flat == "error: " + " ".join(info.value.message.split())


def test_hidden_as_one_number_and_names_normalised():
    c = TrainConfig(hidden=64, activation="Leaky-ReLU", loss="svm", optimizer="ADAM")
    assert c.hidden == (64,) and c.activation == "leaky_relu" and c.loss == "hinge" and c.optimizer == "adam"
    assert TrainConfig(hidden=[64, 32]).hidden == (64, 32) and TrainConfig(points=400.0).points == 400


@pytest.mark.parametrize("kwargs", [{"hidden": 64.5}, {"hidden": "a"}, {"points": "400"}, {"points": True},
                                    {"reg": "0.1"}, {"dataset": 5}, {"standardize": "yes"}])
def test_wrong_types_are_both_type_and_value_errors(kwargs):
    with pytest.raises(ChainruleError) as info:
        TrainConfig(**kwargs)
    assert isinstance(info.value, (TypeError, ValueError)) and "\n" not in info.value.message


def test_train_with_a_dict_says_what_to_pass():
    with pytest.raises(BadType) as info:
        chainrule.train({"hidden": 64})
    assert isinstance(info.value, TypeError) and isinstance(info.value, ValueError)
    assert "TrainConfig(**your_dict)" in info.value.message


def test_the_json_error_shape():
    with pytest.raises(ChainruleError) as info:
        TrainConfig(step_size=float("nan"))
    body = info.value.to_json()["error"]
    assert body == {"code": 2, "message": info.value.message, "option": "--step-size"}
