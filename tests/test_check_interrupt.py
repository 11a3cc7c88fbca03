"""Ctrl-C during ``chainrule check`` / ``explain SCRIPT``: one paragraph naming where the learner's script was
(file and line, and the training loop's iteration once it is known), exit code 130, and the same as JSON with
``--json``.  A real subprocess gets a real SIGINT while the script runs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chainrule.errors import Interrupted

SRC = Path(__file__).resolve().parents[1] / "src"

FOREVER = '''import time
import numpy as np
np.random.seed(0)
X = np.random.randn(50, 3)
open("ready.txt", "w").write("ready")
while True:
    time.sleep(0.01)
'''

IN_LOOP = '''import time
import numpy as np
np.random.seed(0)
X = np.random.randn(40, 3)
y = (X[:, :1] > 0).astype(float)
W = 0.1 * np.random.randn(3, 1)
for i in range(10):
    p = 1 / (1 + np.exp(-X @ W))
    dW = X.T @ (p - y) / len(X)
    W -= 0.5 * dW
    if i == 1:
        open("ready.txt", "w").write("ready")
        while True:
            time.sleep(0.01)
'''


def _interrupt(tmp_path: Path, source: str, *args: str) -> tuple[int, str, str]:
    script = tmp_path / "train.py"
    script.write_text(source)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen([sys.executable, "-m", "chainrule", *args[:1], str(script), *args[1:]],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    ready = tmp_path / "ready.txt"
    deadline = time.monotonic() + 120
    while not ready.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ready.exists(), proc.communicate(timeout=30)
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, err


def test_ctrl_c_in_the_script_names_the_line(tmp_path):
    code, out, err = _interrupt(tmp_path, FOREVER, "check", "--json")
    assert code == 130
    msg = "Interrupted (Ctrl-C) while your script was running, at train.py, line 7; no verdict was given."
    assert " ".join(err.replace("error: ", "", 1).split()) == msg
    assert json.loads(out) == {"error": {"code": 130, "message": msg, "file": "train.py", "line": 7}}
    assert "Traceback" not in err


def test_ctrl_c_in_the_training_loop_names_the_iteration(tmp_path):
    code, out, err = _interrupt(tmp_path, IN_LOOP, "check", "--iteration", "5")
    assert code == 130 and out == ""
    assert "at train.py, line 14, in iteration 2 of its training loop" in " ".join(err.split())


def test_ctrl_c_under_explain(tmp_path):
    code, out, err = _interrupt(tmp_path, FOREVER, "explain", "--format", "md")
    assert code == 130 and out == ""
    assert "while your script was running, at train.py, line 7" in " ".join(err.split())


def test_ctrl_c_while_checking(tmp_path, monkeypatch):
    """After the script ran: 'while checking the recorded iteration of …' (the library raises Interrupted)."""
    from chainrule.check import analysis, check_script

    def stop(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(analysis, "_judge_run", stop)
    script = tmp_path / "ok.py"
    script.write_text(IN_LOOP.split("    if i == 1:")[0])
    with pytest.raises(Interrupted) as info:
        check_script(script)
    assert info.value.exit_code == 130
    assert info.value.message == ("Interrupted (Ctrl-C) while checking the recorded iteration of ok.py; "
                                  "no verdict was given.")
