"""Ctrl-C: train stops at the end of an iteration and keeps what it trained; check/explain say where."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from chainrule.config import TrainConfig
from chainrule.errors import Interrupted, TrainingInterrupted
from chainrule.training import train

from .conftest import SRC, files_under, invoke, run_cli

LONG = ["--points", "50", "--hidden", "50", "--iterations", "3000000", "--log-every", "1000"]


@pytest.mark.parametrize("engine", ["reference", "fast"])
def test_sigint_keeps_the_trained_iterations(tmp_path, engine):
    env = dict(os.environ, PYTHONPATH=SRC)
    proc = subprocess.Popen([sys.executable, "-m", "chainrule", "train", *LONG, "--engine", engine],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        seen = [proc.stdout.readline() for _ in range(4)]  # the header and 3 rows, read from the pipe
        assert seen[0].split() == ["iteration", "loss", "accuracy"], seen
        assert [int(line.split()[0]) for line in seen[1:]] == [0, 1000, 2000]
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "Traceback" not in out + err
    assert "interrupted at iteration" in err and "of 3000000" in err
    run = json.loads((tmp_path / "chainrule-out" / "train" / "run.json").read_text())
    done = run["iterations_done"]
    assert run["interrupted"] is True and 2000 < done < 3_000_000  # row 2000 is logged before its update
    assert [h["iteration"] for h in run["history"]] == list(range(0, done, 1000))
    assert f"after {done} iterations" in out and f"interrupted at iteration {done} of" in err
    assert files_under(tmp_path / "chainrule-out") == ["train/boundary.png", "train/loss.png", "train/run.json"]


def test_library_train_raises_with_the_result_so_far():
    config = TrainConfig(points=20, hidden=(8,), iterations=100_000, log_every=10, engine="reference")
    calls = []

    def press_ctrl_c(done):
        calls.append(done)
        if len(calls) == 3:
            os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(TrainingInterrupted) as info:
        train(config, progress=press_ctrl_c)
    result = info.value.result
    assert info.value.exit_code == 130 and isinstance(info.value, Interrupted)
    done = result.iterations_done
    assert result.interrupted and done in (3000, 3001)  # the end of the iteration the signal came in
    assert [h["iteration"] for h in result.history] == list(range(0, done, 10))
    assert f"at iteration {done} of 100000" in info.value.message
    assert result.final_loss < result.initial_loss
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back


def test_json_run_interrupted_is_one_object_with_the_error(tmp_path):
    config_args = ["train", "--points", "20", "--hidden", "8", "--iterations", "2000000", "--log-every", "100000",
                   "--engine", "reference", "--json"]
    env = dict(os.environ, PYTHONPATH=SRC)
    proc = subprocess.Popen([sys.executable, "-m", "chainrule", *config_args], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        import time

        deadline = time.monotonic() + 120
        while not (tmp_path / "chainrule-out" / "train").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.5)  # inside the loop by now (the folder is made just before the data)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    body = json.loads(out)
    assert body["interrupted"] is True and body["error"]["code"] == 130
    assert body["iterations_done"] == json.loads((tmp_path / "chainrule-out/train/run.json").read_text())[
        "iterations_done"]


SCRIPT_INTERRUPTED = textwrap.dedent("""\
    import numpy as np
    np.random.seed(0)
    X = np.random.randn(10, 2); y = np.arange(10) % 2
    W = 0.01 * np.random.randn(2, 2); b = np.zeros((1, 2))
    raise KeyboardInterrupt
    for i in range(10):
        scores = X.dot(W) + b
        exp_scores = np.exp(scores)
        probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
        loss = np.sum(-np.log(probs[range(10), y])) / 10
        dscores = probs
        dscores[range(10), y] -= 1
        dscores /= 10
        dW = X.T.dot(dscores); db = np.sum(dscores, axis=0, keepdims=True)
        W += -1.0 * dW; b += -1.0 * db
""")


def test_check_interrupted_is_one_line_exit_130(tmp_path):
    script = tmp_path / "kb.py"
    script.write_text(SCRIPT_INTERRUPTED)
    r = run_cli(["check", str(script)], cwd=tmp_path)
    assert r.returncode == 130
    assert len(r.stderr.strip().splitlines()) <= 2 and r.stderr.startswith("error: Interrupted")
    assert "Traceback" not in r.stderr
    r = run_cli(["check", str(script), "--json"], cwd=tmp_path)
    assert r.returncode == 130 and json.loads(r.stdout)["error"]["code"] == 130


def test_keyboard_interrupt_outside_training_names_the_stage(monkeypatch, tmp_path):
    import chainrule.cli.train_run as tr

    def interrupted_while_loading(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tr, "train", interrupted_while_loading)
    r = invoke("train", "--iterations", "5", "--json")
    assert r.exit_code == 130
    assert "while loading the data" in r.stderr and json.loads(r.stdout)["error"]["code"] == 130
    assert not (tmp_path / "chainrule-out").exists()  # nothing was written, no empty folder either
