"""The export (one HTML file, no server) and chainrule.explore() for Jupyter."""

from __future__ import annotations

import json
import math
import re

import httpx

from chainrule.config import TrainConfig
from chainrule.serve.export import STATIC, export_run, module_order
from chainrule.serve.record import RunRecord
from chainrule.serve.trainer import Trainer


def test_modules_come_after_their_imports():
    order = module_order()
    assert order[-1] == "main.js" and set(order) >= {"app.js", "conn.js", "frames.js", "dom.js", "replay.js"}
    for i, name in enumerate(order):
        for dep in re.findall(r"from '\./([\w-]+\.js)'", (STATIC / name).read_text()):
            assert order.index(dep) < i, f"{name} needs {dep} first"


def test_export_holds_the_run(page):
    t = Trainer(TrainConfig(hidden=(6,), points=20))
    rec = RunRecord({"hidden": [6]}, t.engine)
    rec.keyframe(0, t.weights())
    losses, accs = t.step(12)
    rec.add(losses, accs)
    rec.keyframe(12, t.weights())
    html, run = export_run(page, t, rec)
    assert run["iterations"] == 12 and run["losses"] == [float(x) for x in losses.astype("float32")]
    assert run["keyframes"] == [0, 12] and run["data"] == {"name": "spiral", "points": 40, "classes": 2}
    data = json.loads(re.search(r'id="cr-export-data">(.*?)</script>', html, re.S).group(1))
    assert data["run"]["dims"] == [[2, 6], [6, 2]] and len(data["run"]["keyframes"]) == 2
    assert len(data["entries"]) == sum(math.prod(v["shape"]) for s in page.json["stops"]
                                       for v in s["values"] if v["role"] == "after" and v["shape"])
    assert not re.search(r"https?://(?!www\.w3\.org/)", html)


def test_explore_shows_the_page_in_an_iframe():
    import chainrule
    from chainrule.serve import _background

    frame = chainrule.explore(height=700)
    try:
        assert frame.height == 700 and frame.src.startswith("http://127.0.0.1:")
        assert "static/main.js" in httpx.get(frame.src, timeout=10).text
        assert chainrule.explore().src == frame.src  # one server per kernel and script
    finally:
        for server in _background.values():
            server.stop()
        _background.clear()
