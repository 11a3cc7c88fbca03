"""``chainrule serve`` as a command: the URL, Ctrl-C, refused hosts and ports, the learner's script."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from .conftest import ServeProcess

CORPUS = Path(__file__).resolve().parents[1] / "check" / "corpus"


def _run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "chainrule", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "COLUMNS": "100"})


Server = ServeProcess


def test_serves_until_ctrl_c_even_mid_stream():
    from websockets.sync.client import connect

    s = Server("--port", "0")
    try:
        page = httpx.get(s.url + "api/page", timeout=10).json()
        assert page["script"] is None and any(line["text"].strip() == "dscores /= num_examples"
                                              for line in page["lines"])
        with connect(s.url.replace("http", "ws") + "ws", origin=s.url.rstrip("/")) as ws:
            assert json.loads(ws.recv(timeout=10))["type"] == "hello"
            ws.send(json.dumps({"type": "settings", "settings": {"hidden": [50], "points": 50}}))
            ws.send(json.dumps({"type": "play"}))
            frames = 0
            while frames < 3:
                m = ws.recv(timeout=10)
                if isinstance(m, bytes):
                    frames += 1  # never acknowledged: the server must still stop at once
            code, out, err = s.stop()  # communicate() fails the test if it does not stop
    finally:
        if s.proc.poll() is None:
            s.proc.kill()
    assert code == 0, err
    assert "stopped" in out and "Traceback" not in err


def test_a_learner_script_shows_their_lines_and_names():
    s = Server(str(CORPUS / "ok_ng_style.py"))
    try:
        page = httpx.get(s.url + "api/page", timeout=10).json()
    finally:
        s.stop()
    assert page["script"] == "ok_ng_style.py"
    texts = [line["text"] for line in page["lines"]]
    assert "    dW2 = np.dot(dZ2, A1.T) / m" in texts and texts[0].startswith('"""Correct')
    codes = [st["code"] for st in page["stops"]]
    assert 'parameters["W1"] = parameters["W1"] - learning_rate * grads["dW1"]' in codes
    names = {v["name"] for st in page["stops"] for v in st["values"]}
    assert {"dZ2", "A1", 'parameters["W2"]', "dW1"} <= names
    by_code = {st["code"]: st for st in page["stops"]}
    update = by_code['parameters["W1"] = parameters["W1"] - learning_rate * grads["dW1"]']
    made = by_code["dW1 = np.dot(dZ1, X.T) / m"]
    # the update reads grads["dW1"]: the very array dW1 = np.dot(dZ1, X.T) / m made
    read = next(v for v in update["values"] if v["role"] == "input")
    assert read["name"] == "dW1" and read["data"] == made["values"][-1]["data"]
    assert {n["name"] for n in page["graph"]["nodes"]} >= {"Z1", "A1", "Z2", "A2", 'parameters["W1"]'}


def test_unsupported_script_same_message_as_check(tmp_path):
    bad = tmp_path / "hello.py"
    bad.write_text('print("hello")\n')
    served, checked = _run("serve", "--no-browser", str(bad)), _run("check", str(bad))
    assert served.returncode == checked.returncode == 2
    assert served.stderr == checked.stderr and "no training loop" in served.stderr
    assert served.stdout == ""


@pytest.mark.parametrize("args, words", [
    (["--host", "0.0.0.0"], "--allow-remote"),
    (["--host", "192.168.1.7"], "Refusing --host 192.168.1.7"),
    (["--port", "70000"], "--port"),
    (["--port", "-1"], "--port"),
    (["--port", "abc"], "--port"),
    (["--seed", "-5"], "Invalid value -5 for --seed"),  # was exit 3: numpy's own ValueError
    (["--seed", str(2**32)], "--seed"),
])
def test_bad_options_one_paragraph_exit_2(args, words):
    r = _run("serve", "--no-browser", *args)
    assert r.returncode == 2 and words in r.stderr
    assert "Traceback" not in r.stderr and r.stderr.startswith("error: ")


def test_port_in_use():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        r = _run("serve", "--no-browser", "--port", str(port))
    assert r.returncode == 2 and f"Port {port}" in r.stderr and "in use" in r.stderr


def test_allow_remote_warns():
    s = Server("--host", "0.0.0.0", "--allow-remote")  # stopped at once, even before it answers
    code, out, err = s.stop()
    assert code == 0 and "warning: --allow-remote" in err


def test_ctrl_c_ends_the_process_running_a_script():
    from websockets.sync.client import connect

    s = Server(str(CORPUS / "ok_ng_style.py"))
    try:
        with connect(s.url.replace("http", "ws") + "ws", origin=s.url.rstrip("/")) as ws:
            assert json.loads(ws.recv(timeout=10))["type"] == "hello"
            ws.send(json.dumps({"type": "settings", "settings": {}}))  # the script itself trains
            ws.send(json.dumps({"type": "play"}))
            frames = 0
            while frames < 3:
                frames += isinstance(ws.recv(timeout=20), bytes)
            ps = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(s.proc.pid)], capture_output=True, text=True)
            kids = [int(line.split()[0]) for line in ps.stdout.splitlines() if "scriptchild" in line]
            assert len(kids) == 1
            code, out, err = s.stop()
    finally:
        if s.proc.poll() is None:
            s.proc.kill()
    assert code == 0 and "stopped" in out, err
    assert not os.path.exists(f"/proc/{kids[0]}"), "the script's process ended with the server"
