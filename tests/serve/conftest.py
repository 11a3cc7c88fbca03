"""Shared fixtures of the live page's tests: the built-in walkthrough and a test client."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import warnings

import pytest

from chainrule.serve import load_page
from chainrule.serve.app import create_app
from chainrule.serve import protocol as P


@pytest.fixture(scope="session")
def page():
    return load_page()


@pytest.fixture(scope="session")
def explain_json():
    """``chainrule explain --format json`` of the built-in network (the numbers the page must show)."""
    from chainrule.explain import build_report
    from chainrule.render import render_json

    return json.loads(render_json(build_report(train=False)))


@pytest.fixture
def client(page):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's note about httpx2
        from starlette.testclient import TestClient
    app = create_app(page, {"testserver"})
    with TestClient(app) as c:
        c.app_state = app.state
        yield c


class Page:
    """A WebSocket page driven by a test: read messages until one of a type, acknowledge or not."""

    def __init__(self, ws, ack: bool = True) -> None:
        self.ws, self.ack = ws, ack
        self.frames: list[P.TrainFrame] = []
        self.seen: list[dict] = []

    def next(self):
        m = self.ws.receive()
        if m.get("bytes") is not None:
            data = m["bytes"]
            if P.kind_of(data) == P.TRAIN:
                f = P.decode_train(data)
                self.frames.append(f)
                if self.ack:
                    self.ws.send_json({"type": "ack", "seq": f.seq})
                return ("train", f)
            return ("binary", data)
        if m.get("type") == "websocket.close":
            return ("close", m)
        msg = json.loads(m["text"])
        self.seen.append(msg)
        return (msg["type"], msg)

    def until(self, kind: str, limit: int = 10_000):
        for _ in range(limit):
            k, v = self.next()
            if k == kind:
                return v
            if k == "error" and "internal error" in v.get("message", ""):
                raise AssertionError(f"the server failed while we waited for {kind!r}: {v['message']}")
        raise AssertionError(f"no {kind!r} message")

    def start(self, **settings):
        assert self.until("hello")["type"] == "hello"
        self.ws.send_json({"type": "settings", "settings": settings})
        run = self.until("run")
        data = self.until("binary")
        first = self.until("train")
        state = self.until("state")
        return run, data, first, state

    def losses(self) -> list[float]:
        out: list[float] = []
        for f in self.frames:
            assert f.first == len(out), "the losses of every iteration arrive, in order"
            out += [float(x) for x in f.losses]
        return out


class ServeProcess:
    """``chainrule serve --no-browser ARGS`` in a subprocess; ``url`` is the address it printed."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "chainrule", "serve", "--no-browser", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"http://\S+/", line)
        assert m, line + self.proc.stderr.read()
        self.url = m.group(0)

    def stop(self) -> tuple[int, str, str]:
        """Ctrl-C, as a user stops it; the exit code and what it printed."""
        self.proc.send_signal(signal.SIGINT)
        out, err = self.proc.communicate(timeout=20)
        return self.proc.returncode, out, err
