"""Every option of every command: choices listed, numbers checked (finite, in range), the option named."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chainrule import validate
from chainrule.cli.choices import Format
from chainrule.config import TrainConfig
from chainrule.errors import ChainruleError

from .conftest import TINY, TINY_CSV, assert_clean_error, invoke, json_error

FAST_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("command,choices", [
    ("train", ["relu", "leaky_relu", "tanh", "sigmoid", "softmax", "hinge", "gd", "sgd", "momentum", "adam",
               "legacy", "modern", "fast", "reference", "float64", "float32"]),
    ("explain", ["terminal", "md", "html", "ipynb", "json"]),
    ("bench", ["1", "2"]),
])
def test_help_lists_the_choices_and_the_exit_codes(command, choices):
    r = invoke(command, "--help", env={"COLUMNS": "250"})
    assert r.exit_code == 0
    flat = "".join(r.stdout.split())
    for choice in choices:
        assert choice in flat, choice
    assert "Exitcodes:0" in flat and "130interrupted" in flat


def test_explain_formats_are_the_renderers():
    from chainrule.render import FORMATS

    assert [f.value for f in Format] == list(FORMATS)


@pytest.mark.parametrize("args,words", [
    (["--reg", "inf"], ["--reg", "finite"]),
    (["--reg", "nan"], ["--reg", "finite"]),
    (["--reg", "-1"], ["--reg", "at least 0"]),
    (["--step-size", "nan"], ["--step-size", "finite"]),
    (["--step-size", "-1"], ["--step-size", "positive"]),
    (["--step-size", "0"], ["--step-size", "positive"]),
    (["--hidden", "64,,64"], ["--hidden", "empty place"]),
    (["--hidden", ""], ["--hidden"]),
    (["--seed", "-5"], ["--seed", "0 to 4294967295"]),
    (["--seed", "4294967296"], ["--seed", "0 to 4294967295"]),
    (["--noise", "nan"], ["--noise", "finite"]),
    (["--log-every", "-1"], ["--log-every"]),
    (["--iterations", "10000000000"], ["--iterations"]),
    (["--loss", "mse"], ["--loss", "hinge", "chainrule train --help"]),
    (["--optimizer", "rmsprop"], ["--optimizer", "adam"]),
    (["--points", "abc"], ["--points", "integer"]),
    (["--no-such-option"], ["No such option"]),
])
def test_train_bad_values_one_paragraph_and_json(tmp_path, args, words):
    r = invoke("train", *TINY, "--out", tmp_path / "o", *args, "--json")
    assert_clean_error(r, 2, *words)
    error = json_error(r)
    if args[0].startswith("--") and args[0] != "--no-such-option":
        assert error["option"] == args[0]
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("args,words", [
    (["--timeout", "inf"], ["--timeout", "finite"]),
    (["--timeout", "1e300"], ["--timeout", "at most 86400"]),
    (["--timeout", "nan"], ["--timeout", "finite"]),
    (["--timeout", "0.000001"], ["--timeout", "at least 0.1"]),
    (["--seed", "-5"], ["--seed"]),
    (["--seed", "4294967296"], ["--seed"]),
    (["--iteration", "0"], ["--iteration", "from 1"]),
])
def test_check_bad_values(tmp_path, args, words):
    script = tmp_path / "s.py"
    script.write_text("import numpy as np\n")
    r = invoke("check", script, *args, "--json")
    assert_clean_error(r, 2, *words)
    assert json_error(r)["option"] == args[0]


@pytest.mark.parametrize("args,words", [
    (["--seed", "-1"], ["--seed"]), (["--iteration", "0"], ["--iteration"]),
    (["--tiny", "4,3"], ["--tiny"]), (["--tiny", "-4,3,2"], ["--tiny"]), (["--tiny", "400,400,2"], ["--tiny"]),
    (["--format", "pdf"], ["--format", "html"]),
])
def test_explain_bad_values(args, words):
    assert_clean_error(invoke("explain", "--no-train", *args), 2, *words)


@pytest.mark.parametrize("args,words", [
    (["--iterations", "0"], ["--iterations"]), (["--blocks", "0"], ["--blocks"]),
    (["--threads", "3"], ["--threads", "'1', '2'"]),
])
def test_bench_bad_values(args, words):
    r = invoke("bench", *args, "--json")
    assert_clean_error(r, 2, *words)
    assert json_error(r)["code"] == 2


@FAST_SETTINGS
@given(timeout=st.floats(allow_nan=True, allow_infinity=True), seed=st.integers(-2**40, 2**40))
def test_check_numbers_are_refused_or_accepted_never_crash(timeout, seed):
    ok_timeout = math.isfinite(timeout) and 0.1 <= timeout <= 86400
    try:
        validate.real("--timeout", timeout, 0.1, 86400.0)
        assert ok_timeout
    except ChainruleError as exc:
        assert not ok_timeout and exc.option == "--timeout" and "--timeout" in exc.message
    try:
        assert validate.seed("--seed", seed) == seed and 0 <= seed < 2**32
    except ChainruleError as exc:
        assert not 0 <= seed < 2**32 and "--seed" in exc.message


@FAST_SETTINGS
@given(step=st.one_of(st.none(), st.floats()), reg=st.floats(), noise=st.one_of(st.none(), st.floats()),
       iterations=st.integers(-5, 2 * 10**9), batch=st.one_of(st.none(), st.integers(-3, 10**6)))
def test_train_config_numbers(step, reg, noise, iterations, batch):
    good = ((step is None or (math.isfinite(step) and step > 0)) and math.isfinite(reg) and reg >= 0
            and (noise is None or (math.isfinite(noise) and 0 <= noise <= 1e6)) and 0 <= iterations <= 10**9
            and (batch is None or batch >= 1))
    try:
        c = TrainConfig(step_size=step, reg=reg, noise=noise, iterations=iterations, batch_size=batch)
    except ChainruleError as exc:
        assert not good, exc.message
        assert exc.option in {"--step-size", "--reg", "--noise", "--iterations", "--batch-size"}
        assert exc.option in exc.message and "\n" not in exc.message
    else:
        assert good and c.iterations == iterations


@FAST_SETTINGS
@given(text=st.text(alphabet="0123456789, -x", max_size=12))
def test_hidden_sizes_text(text):
    parts = text.split(",")
    good = bool(text) and all(p.strip().isdigit() and int(p) >= 1 for p in parts)
    try:
        sizes = validate.sizes("--hidden", text)
    except ChainruleError as exc:
        assert not good and "--hidden" in exc.message
    else:
        assert good and sizes == tuple(int(p) for p in parts)


def test_csv_refuses_points_classes_noise(tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("".join(f"{i / 10},{(i * 7 % 10) / 10},{i % 2}\n" for i in range(20)))
    for option, value in (("--points", "50"), ("--classes", "3"), ("--noise", "0.2")):
        r = invoke("train", *TINY_CSV, "--dataset", f"csv:{f}", option, value, "--json")
        assert_clean_error(r, 2, option, "does not apply", f"Remove {option}")
    r = invoke("train", *TINY_CSV, "--dataset", f"csv:{f}", "--json", "--out", tmp_path / "o")
    assert r.exit_code == 0, r.stderr
    config = json.loads(r.stdout)["config"]
    assert not {"points", "classes", "noise"} & set(config)  # not reported as if used


def test_notes_are_in_the_json_and_printed(tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("".join(f"{i / 10},{(i * 7 % 10) / 10},{1 + i % 2}\n" for i in range(20)))
    args = ["train", *TINY_CSV, "--dataset", f"csv:{f}", "--optimizer", "sgd", "--batch-size", "500"]
    r = invoke(*args, "--json", "--out", tmp_path / "a")
    notes = json.loads(r.stdout)["notes"]
    assert "labels {1, 2} were mapped to {0, 1}" in notes
    assert any("--batch-size 500 is more than the 20 examples" in n for n in notes)
    r = invoke(*args, "--out", tmp_path / "b")
    assert r.exit_code == 0 and "note: labels {1, 2} were mapped" in r.stdout and "--batch-size 500" in r.stdout


def test_tilde_is_the_home_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "d.csv").write_text("".join(f"{i / 10},{i % 3 / 3},{i % 2}\n" for i in range(20)))
    r = invoke("train", *TINY_CSV, "--dataset", "csv:~/d.csv", "--out", "~/run", "--json")
    assert r.exit_code == 0, r.stderr
    assert (tmp_path / "run" / "run.json").exists()


def test_usage_error_names_the_command_as_the_learner_types_it(tmp_path):
    """`python -m chainrule check a b` says `chainrule check --help`, not `chainrule -m chainrule …`."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "chainrule", "check", "a.py", "b.py"], capture_output=True,
                         text=True, cwd=tmp_path)
    assert out.returncode == 2
    text = " ".join(out.stderr.split())
    assert "Run `chainrule check --help`" in text and "-m chainrule" not in text, text
