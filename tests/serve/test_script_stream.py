"""A learner's own script trained by the server: the child process, its frames, its end, its limits.

The oracle is the script itself: run to its end by plain ``python`` (numpy's legacy seed 0, as
``chainrule check`` seeds it), it prints its losses and leaves its final weights; the page's
stream must carry the same numbers, iteration by iteration.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from chainrule.errors import ChainruleError
from chainrule.serve import load_page
from chainrule.serve import protocol as P
from chainrule.serve import scripttrainer
from chainrule.serve.app import create_app
from chainrule.serve.scripttrainer import ScriptTrainer, box_of

from .conftest import Page

CHECK_CORPUS = Path(__file__).resolve().parents[1] / "check" / "corpus"
HERE = Path(__file__).resolve().parent / "scripts"


def run_as_python(path: Path, names: list[str]) -> tuple[str, dict[str, np.ndarray]]:
    """What ``python path`` prints (seeded as the checker seeds), and some of its globals at the end."""
    code = ("import json, random, runpy, sys, numpy as np\n"
            "np.random.seed(0); random.seed(0)\n"
            "import io, contextlib\nout = io.StringIO()\n"
            "with contextlib.redirect_stdout(out):\n    g = runpy.run_path(sys.argv[1], run_name='__main__')\n"
            "print(json.dumps({'printed': out.getvalue(), 'values': {k: np.asarray(g[k]).tolist() for k in sys.argv[2:]}}))")
    r = subprocess.run([sys.executable, "-c", code, str(path), *names], cwd=path.parent, capture_output=True,
                       text=True, timeout=120, check=True)
    d = json.loads(r.stdout)
    return d["printed"], {k: np.array(v) for k, v in d["values"].items()}


@contextmanager
def client_for(page):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    app = create_app(page, {"testserver"})
    with TestClient(app) as c:
        c.app_state = app.state
        yield c


@pytest.fixture(scope="module")
def cs231n():
    return load_page(CHECK_CORPUS / "ok_cs231n.py")


def test_the_stream_is_the_scripts_own_run(cs231n):
    """CS231n's two-layer net, 200 iterations: losses as it prints them, its final weights, then the end."""
    printed, final = run_as_python(CHECK_CORPUS / "ok_cs231n.py", ["X", "y", "W", "b", "W2", "b2"])
    with client_for(cs231n) as c, c.websocket_connect("/ws") as ws:
        p = Page(ws)
        run, data, first, state = p.start()
        assert run["engine"] == "script" and run["settings"]["train"] == "script"
        assert run["boundary"]["mode"] == "weights" and run["sizes"] == [2, 20, 3]
        X, y, k = P.decode_data(data)
        np.testing.assert_allclose(X, final["X"], rtol=1e-6)  # the script's own data, as it made it
        assert k == 3 and y.tolist() == final["y"].tolist()
        assert first.iteration == 0 and [W.shape for W, _ in first.params] == [(2, 20), (20, 3)]
        ws.send_json({"type": "speed", "value": 40})
        ws.send_json({"type": "step", "n": 250})  # more than the script's loop has
        notice = p.until("notice")
        assert "ended after 200 iterations" in notice["message"] and "python ok_cs231n.py" in notice["message"]
        state = p.until("state")
        assert state["finished"] and state["iteration"] == 200 and not state["playing"]
    losses = p.losses()
    assert len(losses) == 200 and p.frames[-1].iteration == 200
    said = {int(i): float(v) for i, v in re.findall(r"iteration (\d+): loss ([\d.]+)", printed)}
    assert sorted(said) == [0, 50, 100, 150]
    for i, v in said.items():
        assert losses[i] == pytest.approx(v, abs=1e-6), f"iteration {i}"
    report_loss = next(f for f in cs231n.report.forward if f.name == "loss").values[0].data
    assert losses[0] == pytest.approx(report_loss, rel=1e-6)  # chainrule check's iteration 1
    (W, b), (W2, b2) = p.frames[-1].params
    for got, want in ((W, final["W"]), (b, final["b"].ravel()), (W2, final["W2"]), (b2, final["b2"].ravel())):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)  # float32 on the wire
    for before, f in zip(p.frames, p.frames[1:]):  # the accuracy at each step's start, by hand
        if len(f.accuracies):
            (W, b), (W2, b2) = before.params
            pred = np.argmax(np.maximum(0, final["X"] @ W + b) @ W2 + b2, axis=1)
            assert f.accuracies[0] == pytest.approx(np.mean(pred == final["y"]), abs=1e-6)
            assert np.isnan(f.accuracies[1:]).all()


def test_rewind_replays_the_same_losses_and_the_child_goes_on_disconnect(cs231n):
    with client_for(cs231n) as c:
        sessions = c.app_state.sessions
        with c.websocket_connect("/ws") as ws:
            p = Page(ws)
            p.start()
            ws.send_json({"type": "speed", "value": 10})
            ws.send_json({"type": "step", "n": 30})
            while len(p.losses()) < 30:
                p.next()
            first_run = p.losses()
            ws.send_json({"type": "rewind"})
            p.until("run")
            p.frames.clear()
            ws.send_json({"type": "step", "n": 30})
            while len(p.losses()) < 30:
                p.next()
            assert p.losses() == first_run
            ws.send_json({"type": "play"})
            p.until("train")
            session = next(iter(sessions))
            pid = session.trainer.proc.pid
            assert Path(f"/proc/{pid}").exists()
        for _ in range(200):
            if not sessions:
                break
            time.sleep(0.02)
        assert not sessions and session.trainer is None
        assert not Path(f"/proc/{pid}").exists(), "the script's process ended with the page"


def test_a_boundary_that_is_not_a_plain_mlp_comes_as_a_grid():
    """A skip connection: the server replays the script's forward pass on a grid of points."""
    page = load_page(HERE / "skip_net.py")
    plan = page.plan
    with client_for(page) as c, c.websocket_connect("/ws") as ws:
        p = Page(ws)
        assert p.until("hello")["defaults"]["train"] == "script"
        ws.send_json({"type": "settings", "settings": {}})
        run = p.until("run")
        assert run["boundary"]["mode"] == "grid" and "replayed" in run["boundary"]["note"]
        X, y, _ = P.decode_data(p.until("binary"))
        grid = p.until("binary")
        assert P.kind_of(grid) == P.BOUNDARY
        cls, prob, k, it = P.decode_boundary(grid)
        first = p.until("train")
        assert first.params == [] and it == first.iteration == 0 and k == 2
    W, b, W2, W3, b2 = plan.start  # by hand, at the weights the analysed iteration started from
    x0, x1, y0, y1 = box_of(X)
    c_ = (np.arange(48) + 0.5) / 48
    xs, ys = np.meshgrid(x0 + (x1 - x0) * c_, y1 - (y1 - y0) * c_)
    pts = np.c_[xs.ravel(), ys.ravel()]
    S = np.maximum(0, pts @ W + b) @ W2 + pts @ W3 + b2
    clear = np.abs(S[:, 0] - S[:, 1]) > 1e-5
    np.testing.assert_array_equal(cls.ravel()[clear], S.argmax(axis=1)[clear])
    e = np.exp(S - S.max(axis=1, keepdims=True))
    np.testing.assert_allclose(prob.ravel(), (e / e.sum(axis=1, keepdims=True)).max(axis=1), rtol=1e-5)


def test_a_script_without_a_loss_line_gets_the_inferred_loss():
    """iamtrask: 3 inputs (no plane to draw), no loss computed: the curve is ½ Σ (y − l2)²."""
    page = load_page(Path(__file__).resolve().parents[1] / "corpus" / "iamtrask" / "three_layer.py")
    t = ScriptTrainer(page.plan)
    try:
        assert page.plan.boundary == "none" and "3 features" in page.plan.boundary_note
        assert t.weights() == [] and t.sizes == [3, 5, 1]
        syn1, syn0 = (np.array(a) for a in page.plan.start)
        X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 0], [1, 1, 0], [1, 0, 1]], float)
        y = np.array([[1], [0], [0], [1], [1]], float)
        sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
        want = []
        for _ in range(3):  # the script's own loop, by hand
            l1 = sig(X @ syn0)
            l2 = sig(l1 @ syn1)
            want.append(0.5 * np.sum((y - l2) ** 2))
            d2 = (y - l2) * l2 * (1 - l2)
            d1 = d2 @ syn1.T * l1 * (1 - l1)
            syn1 = syn1 + l1.T @ d2
            syn0 = syn0 + X.T @ d1
        got = [float(t.step(1)[0][0]) for _ in range(3)]
        np.testing.assert_allclose(got, want, rtol=1e-10)
    finally:
        t.close()


@pytest.fixture(scope="module")
def trouble():
    return load_page(HERE / "trouble.py").plan


def test_the_script_raising_is_said_with_its_line(trouble, monkeypatch):
    monkeypatch.setenv("TROUBLE", "raise")
    t = ScriptTrainer(trouble)
    losses, _ = t.step(3)
    assert len(losses) == 3
    with pytest.raises(ChainruleError, match=r"trouble.py: your script raised ValueError: the data ran out \(line 16\)"):
        t.step(5)
    assert t.proc is None and t.finished


def test_a_silent_script_is_stopped(trouble, monkeypatch):
    monkeypatch.setenv("TROUBLE", "sleep")
    monkeypatch.setattr(scripttrainer, "SILENCE", 1.0)
    t = ScriptTrainer(trouble)
    pid = t.proc.pid
    with pytest.raises(ChainruleError, match="sent nothing for 1 s"):
        t.step(10)
    assert t.proc is None and not Path(f"/proc/{pid}").exists()


def test_the_memory_limit(trouble, monkeypatch):
    monkeypatch.setenv("TROUBLE", "memory")
    t = ScriptTrainer(trouble, memory_mb=300)
    with pytest.raises(ChainruleError, match="needed more than the 300 MB"):
        t.step(10)
    assert t.proc is None


def test_the_child_ends_when_the_server_is_gone(cs231n):
    """No signal needed: the pipe's end of file ends a child waiting for its next iteration."""
    t = ScriptTrainer(cs231n.plan)
    proc, t.proc = t.proc, None  # as if the server had died without a word
    proc.stdin.close()
    proc.stdout.close()
    assert proc.wait(timeout=20) == 0


def test_the_wire_carries_numbers_only():
    import io

    from chainrule.serve import childwire as wire

    buf = io.BytesIO()
    wire.send(buf, {"type": "frame", "losses": [0.5, None]}, [np.arange(6.0).reshape(2, 3), np.array([1, 2])])
    buf.seek(0)
    head, arrays = wire.receive(buf)
    assert head == {"type": "frame", "losses": [0.5, None]}
    np.testing.assert_array_equal(arrays[0], np.arange(6.0).reshape(2, 3))
    assert arrays[1].dtype == np.int64 and arrays[1].tolist() == [1, 2]
    with pytest.raises(wire.WireClosed):
        wire.receive(io.BytesIO(b"\x05\x00"))
    assert wire.number(np.array([[0.25]])) == 0.25 and wire.number(np.ones(2)) is None and wire.number("x") is None


def test_values_are_read_by_their_names_and_nothing_else_runs():
    import types

    from chainrule.serve.scriptpaths import Unreadable, compile_path, read

    class Layer:
        weights = np.ones((2, 2))

    frame = types.SimpleNamespace(f_locals={"parameters": {"W1": np.eye(2)}, "self": types.SimpleNamespace(
        weights=[np.zeros(1), np.full(2, 3.0)]), "dense1": Layer(), "cost": np.array([[0.5]])},
        f_globals={"np": np})
    assert read(compile_path('parameters["W1"]'), frame)[1, 1] == 1
    assert read(compile_path("self.weights[1]"), frame).tolist() == [3.0, 3.0]
    assert read(compile_path("dense1.weights"), frame).sum() == 4
    assert read(compile_path("np.squeeze(cost) * 2"), frame) == 1.0
    for bad in ("__import__('os').system('true')", "dense1.__class__", "np.save('x', cost)", "[x for x in cost]",
                "lambda: 0", "cost if cost else cost"):
        with pytest.raises(Unreadable):
            read(compile_path(bad), frame)
    with pytest.raises(Unreadable):
        read(compile_path("parameters['W9']"), frame)


def test_logistic_regression_with_examples_as_columns_is_drawn_by_the_page():
    """``w.T @ X + b`` with a Python-float ``b``: the page's layer is ``W = [0, w]``, ``b = [0, b]``."""
    page = load_page(HERE / "logreg_columns.py")
    plan = page.plan
    assert plan.boundary == "weights" and plan.sizes() == [2, 1]
    t = ScriptTrainer(plan)
    try:
        assert not t.notes  # the child read the same starting weights, the 0-d bias included
        losses, _ = t.step(40)
        printed, _ = run_as_python(HERE / "logreg_columns.py", [])
        first = float(re.search(r"iteration 0: ([\d.]+)", printed).group(1))
        assert losses[0] == pytest.approx(first, abs=1e-6) and losses[-1] < losses[0]
        (W, b), = t.weights()
        w, b0 = np.asarray(t.params[0]), float(t.params[1])
        np.testing.assert_allclose(W, np.hstack([np.zeros((2, 1)), w]))
        np.testing.assert_allclose(b, [0.0, b0])
        pts = np.random.default_rng(0).standard_normal((200, 2))
        page_says = np.argmax(pts @ W + b, axis=1)
        script_says = (1 / (1 + np.exp(-(w.T @ pts.T + b0))) > 0.5).ravel()
        assert (page_says == script_says).all()
    finally:
        t.close()


def test_a_scripts_run_exports(cs231n):
    with client_for(cs231n) as c, c.websocket_connect("/ws") as ws:
        p = Page(ws)
        p.start()
        ws.send_json({"type": "speed", "value": 10})
        ws.send_json({"type": "step", "n": 20})
        while len(p.losses()) < 20:
            p.next()
        ws.send_json({"type": "export"})
        out = p.until("export")
    run = out["run"]
    assert run["engine"] == "script" and run["iterations"] == 20
    assert run["losses"] == pytest.approx(p.losses(), rel=1e-6)
    accs = run["accuracies"]
    assert accs[0] is not None and accs[1] is None and accs[10] is not None  # measured once per frame
    assert "ok_cs231n.py" in out["html"] and "<script" in out["html"]


def test_a_grid_drawn_run_exports_too():
    page = load_page(HERE / "skip_net.py")
    with client_for(page) as c, c.websocket_connect("/ws") as ws:
        p = Page(ws)
        p.until("hello")
        ws.send_json({"type": "settings", "settings": {}})
        ws.send_json({"type": "step", "n": 5})
        while len(p.losses()) < 5:
            p.next()
        ws.send_json({"type": "export"})
        out = p.until("export")
    assert out["run"]["iterations"] == 5 and '"mode":"grid"' in out["html"]
