"""The WebSocket protocol through Starlette's TestClient: frames, back-pressure, disconnects, limits."""

from __future__ import annotations

import time

import numpy as np
import pytest
from starlette.websockets import WebSocketDisconnect

from chainrule.serve import protocol as P
from chainrule.training import train
from chainrule.config import TrainConfig

from .conftest import Page

SMALL = {"hidden": [8], "points": 30}


def test_settings_start_a_run_with_data_and_weights(client):
    with client.websocket_connect("/ws") as ws:
        p = Page(ws)
        run, data, first, state = p.start(**SMALL, dataset="moons", seed=3)
        assert run["sizes"] == [2, 8, 2] and run["data"]["n"] == 60
        X, y, k = P.decode_data(data)
        assert X.shape == (60, 2) and k == 2 and set(y.tolist()) == {0.0, 1.0}
        assert first.iteration == 0 and len(first.losses) == 0
        assert [W.shape for W, _ in first.params] == [(2, 8), (8, 2)]
        assert state["playing"] is False


def test_step_losses_equal_chainrule_train(client):
    """The page's losses are the training engine's: each iteration, before its update."""
    with client.websocket_connect("/ws") as ws:
        p = Page(ws)
        p.start(**SMALL, seed=1)
        ws.send_json({"type": "speed", "value": 7})
        ws.send_json({"type": "step", "n": 30})
        while len(p.losses()) < 30:
            p.next()
    ref = train(TrainConfig(hidden=(8,), points=30, seed=1, iterations=30, log_every=1, engine="reference"))
    expected = [h["loss"] for h in ref.history]
    np.testing.assert_allclose(p.losses(), expected, rtol=1e-6)
    assert p.frames[-1].iteration == 30


def test_back_pressure_drops_weights_and_keeps_losses(client):
    with client.websocket_connect("/ws") as ws:
        p = Page(ws, ack=False)
        p.start(**SMALL)
        ws.send_json({"type": "play"})
        time.sleep(0.6)  # the server trains on; it may send one more frame, then must drop
        ws.send_json({"type": "pause"})
        states = 0
        while states < 2:  # the play's state, then the pause's
            states += p.next()[0] == "state"
        assert len(p.frames) <= P.WINDOW, "no more frames than the window while nothing is acknowledged"
        last_state = [m for m in p.seen if m["type"] == "state"][-1]
        assert last_state["dropped"] > 0
        for f in p.frames:
            ws.send_json({"type": "ack", "seq": f.seq})
        f = p.until("train")  # the newest weights, sent as soon as there is room
        assert f.first == p.frames[-2].iteration and f.iteration > f.first + 5
        losses = p.losses()
        assert len(losses) == f.iteration and all(np.isfinite(losses))


def test_disconnect_mid_stream_cleans_up(client):
    sessions = client.app_state.sessions
    with client.websocket_connect("/ws") as ws:
        p = Page(ws)
        p.start(**SMALL)
        ws.send_json({"type": "play"})
        for _ in range(3):
            p.until("train")
        assert len(sessions) == 1
        session = next(iter(sessions))
    for _ in range(200):
        if not sessions:
            break
        time.sleep(0.02)
    assert not sessions
    assert session.closed and session.task is None and session.trainer is None


def test_rewind_replays_the_same_losses(client):
    with client.websocket_connect("/ws") as ws:
        p = Page(ws)
        p.start(**SMALL, seed=5, optimizer="adam", step_size=0.01)
        ws.send_json({"type": "speed", "value": 10})
        ws.send_json({"type": "step", "n": 40})
        while len(p.losses()) < 40:
            p.next()
        first = p.losses()
        ws.send_json({"type": "rewind"})
        assert p.until("run")["iteration"] == 0
        p.frames.clear()
        ws.send_json({"type": "step", "n": 40})
        while not p.frames or len(p.losses()) < 40:
            p.next()
        assert p.losses() == first


def test_oversize_upload_refused(client):
    with client.websocket_connect("/ws") as ws:
        p = Page(ws)
        p.start(**SMALL)
        text = "x,y,label\n" + "0.1,0.2,0\n" * (P.MAX_UPLOAD_BYTES // 10 + 10)
        ws.send_json({"type": "upload", "name": "big.csv", "text": text})
        err = p.until("error")
        assert "big.csv" in err["message"] and "up to 1 MB" in err["message"]


def test_upload_and_clicked_points(client):
    with client.websocket_connect("/ws") as ws:
        p = Page(ws)
        p.start(**SMALL)
        rows = "".join(f"{x:.2f},{x * x:.2f},{int(x > 0)}\n" for x in np.linspace(-1, 1, 21))
        ws.send_json({"type": "upload", "name": "../../etc/mine.csv", "text": "a,b,label\n" + rows})
        run = p.until("run")
        assert run["settings"]["dataset"] == "custom"
        assert run["data"] == {"name": "mine.csv", "n": 21, "classes": 2, "class_names": ["0", "1"],
                               "notices": []}
        X, y, _ = P.decode_data(p.until("binary"))
        assert X[0].tolist() == [-1.0, 1.0] and y.tolist()[:3] == [0, 0, 0]
        ws.send_json({"type": "points", "add": [[0.5, -0.5, 2]]})
        run = p.until("run")
        assert run["data"]["n"] == 22 and run["data"]["classes"] == 3 and run["sizes"][-1] == 3
        X, y, _ = P.decode_data(p.until("binary"))
        assert X[-1].tolist() == [0.5, -0.5] and y[-1] == 2
        ws.send_json({"type": "points", "remove": [[-0.98, 0.97]]})  # nearest: (-1, 1)
        X, y, _ = P.decode_data(p.until("binary"))
        assert len(X) == 21 and [-1.0, 1.0] not in X.tolist()


@pytest.mark.parametrize("msg, option, words", [
    ({"type": "settings", "settings": {"hidden": "4000"}}, "hidden", "1 to 1000"),
    ({"type": "settings", "settings": {"hidden": [1000, 1000]}}, "hidden", "weights"),
    ({"type": "settings", "settings": {"step_size": -1}}, "step_size", "above 0"),
    ({"type": "settings", "settings": {"dataset": "spirals"}}, "dataset", "spiral"),
    ({"type": "settings", "settings": {"code": "import os"}}, "code", "Unknown setting"),
    ({"type": "step", "n": 10 ** 9}, "step", "1 to 10000"),
    ({"type": "entry", "stop": "b3", "value": 2, "index": [9, 0]}, "index", "not inside"),
    ({"type": "exec", "code": "print(1)"}, None, "Unknown message type"),
])
def test_bad_messages_get_one_clear_error(client, msg, option, words):
    with client.websocket_connect("/ws") as ws:
        p = Page(ws)
        p.start(**SMALL)
        ws.send_json(msg)
        err = p.until("error")
        assert err["option"] == option and words in err["message"]
        ws.send_text("not json")
        assert "not a JSON object" in p.until("error")["message"]


def test_entry_over_the_socket(client, explain_json):
    with client.websocket_connect("/ws") as ws:
        p = Page(ws)
        p.until("hello")
        ws.send_json({"type": "entry", "stop": "b3", "value": 2, "index": [1, 0]})
        e = p.until("entry")
    dW2 = explain_json["steps"][3]["values"][2]["data"]
    assert e["ok"] and e["result"] == pytest.approx(dW2[1][0], rel=1e-12)


def test_full_size_heatmaps(client):
    with client.websocket_connect("/ws") as ws:
        p = Page(ws)
        p.start()  # the learner's network: the heatmaps use its live weights
        ws.send_json({"type": "full", "stop": "b6"})
        grids = [P.decode_heatmap(p.until("binary"))]
        grids.append(P.decode_heatmap(p.until("binary")))
        info = p.until("full")
    names = [a["name"] for a in info["arrays"]]
    assert names == ["hidden_layer <= 0", "dhidden (after this line)"]
    assert info["arrays"][0]["shape"] == [800, 1000] and grids[0].shape == (100, 125)
    assert "iteration 0" in info["where"]
    # mask: the fraction of units that did not fire; dhidden is 0 wherever the mask is 1
    assert 0 < info["arrays"][0]["mean"] < 1
    assert info["arrays"][1]["zeros"] >= info["arrays"][0]["mean"] - 1e-12


def test_origin_and_host_checks(client):
    with pytest.raises(WebSocketDisconnect):
        with client.websocket_connect("/ws", headers={"origin": "http://evil.example"}) as ws:
            ws.receive_json()
    with client.websocket_connect("/ws", headers={"origin": "http://testserver"}) as ws:
        assert ws.receive_json()["type"] == "hello"  # the page's own origin
    assert client.get("/", headers={"host": "evil.example"}).status_code == 403
    assert client.get("/api/page").status_code == 200


@pytest.mark.parametrize("path", ["/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py",
                                  "/static//etc/passwd", "/static/../../../../etc/passwd"])
def test_no_path_traversal(client, path):
    r = client.get(path)
    assert r.status_code == 404 and "import" not in r.text and "root:" not in r.text


def test_static_files_and_page(client):
    r = client.get("/")
    assert r.status_code == 200 and "static/main.js" in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]
    js = client.get("/static/app.js")
    assert js.status_code == 200 and "export default" in js.text
    assert js.headers["content-type"].startswith(("text/javascript", "application/javascript"))


def test_a_bug_is_reported_and_the_page_keeps_working(client, monkeypatch, capsys):
    from chainrule.serve.pagedata import PageData

    def broken(self, *args):
        raise KeyError("oops")

    monkeypatch.setattr(PageData, "entry", broken)
    with client.websocket_connect("/ws") as ws:
        p = Page(ws)
        p.start(**SMALL)
        ws.send_json({"type": "entry", "stop": "b3", "value": 2, "index": [0, 0]})
        assert "internal error (KeyError" in p.until("error")["message"]
        ws.send_json({"type": "step", "n": 2})
        assert p.until("train").iteration >= 1


def test_a_full_size_entry_with_the_live_numbers(client):
    """dW2[3,1] of the 800-point network: a sum of 800 products, checked with numpy written here."""
    from chainrule.training import prepare

    data, ((W, b), (W2, b2)), _ = prepare(TrainConfig())
    H = np.maximum(0, data.X @ W + b)
    S = H @ W2 + b2
    P_ = np.exp(S - S.max(axis=1, keepdims=True))
    P_ /= P_.sum(axis=1, keepdims=True)
    dS = (P_ - np.eye(2)[data.y]) / len(data.y)
    dW2 = H.T @ dS
    with client.websocket_connect("/ws") as ws:
        p = Page(ws)
        p.start()  # the learner's network, at iteration 0
        ws.send_json({"type": "full_entry", "stop": "b3", "index": [3, 1]})
        e = p.until("entry")
        ws.send_json({"type": "full_entry", "stop": "b6", "index": [5, 7]})
        mask = p.until("entry")
    assert e["ok"] and e["full"] and e["iteration"] == 0 and e["n_terms"] == 800
    assert e["result"] == pytest.approx(dW2[3, 1], rel=1e-9)
    assert e["total"] == pytest.approx(dW2[3, 1], rel=1e-9)
    assert e["terms"][:3] == pytest.approx([H[i, 3] * dS[i, 1] for i in range(3)], rel=1e-9)
    assert "⋯" in e["text"] or "…" in e["text"]
    dZ = (dS @ W2.T) * (H > 0)
    assert mask["ok"] and mask["result"] == pytest.approx(dZ[5, 7], rel=1e-9, abs=1e-15)
