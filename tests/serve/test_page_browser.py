"""The live page in Debian's chromium (never a downloaded browser), driven by playwright.

Every request that is not to 127.0.0.1 (or, for the export, a local file) is aborted and
recorded; each test asserts that none happened and that the page logged no error.
Screenshots are saved to /tmp/chainrule-serve-*.png; the measured redraw rate to
/tmp/chainrule-serve-fps.json (recorded, not asserted: the machine is shared).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import numpy as np
import pytest

from browser_pages import MARKS, guard, keep_errors, launched

from .conftest import ServeProcess

CORPUS = Path(__file__).resolve().parents[1] / "check" / "corpus"
SHOTS = Path("/tmp")

pytestmark = MARKS


Server = ServeProcess


@pytest.fixture(scope="module")
def server():
    s = Server()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def browser():
    with launched() as b:
        yield b


class Tab:
    """A page with every foreign request aborted and recorded, and its console errors kept."""

    def __init__(self, browser, url: str, width: int = 1280, height: int = 900, local_files: bool = False):
        self.ctx = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
        self.blocked: list[str] = []
        self.errors: list[str] = []

        guard(self.ctx, self.blocked, local_files)
        self.page = self.ctx.new_page()
        keep_errors(self.page, self.errors)
        self.page.goto(url)
        self.wait("window.chainrule && window.chainrule.state.frames_drawn > 0")

    def wait(self, expr: str, timeout: float = 60.0) -> None:
        """Poll ``expr`` in the page (playwright's wait_for_function evaluates strings, which the
        page's Content-Security-Policy forbids; evaluate() is not subject to it)."""
        deadline = time.monotonic() + timeout
        while not self.page.evaluate(f"() => Boolean({expr})"):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {expr}")
            self.page.wait_for_timeout(50)

    def state(self) -> dict:
        return self.page.evaluate("window.chainrule.state")

    def close(self) -> None:
        assert self.blocked == [], f"the page asked the network for {self.blocked}"
        assert self.errors == []
        self.ctx.close()


@pytest.fixture
def tab(browser, server):
    t = Tab(browser, server.url)
    yield t
    t.close()


def _shown(page, stop_id: str) -> list[dict]:
    """The matrices the Step panel shows for a stop: name, role and the numbers as printed."""
    return page.evaluate("""() => [...document.querySelectorAll('#cr-detail figure.cr-matrix')].map(f => ({
        name: f.querySelector('figcaption code').textContent,
        role: [...f.classList].find(c => c.startsWith('cr-role-')).slice(8),
        cells: [...f.querySelectorAll('tr')].map(tr => [...tr.querySelectorAll('.cr-cell')].map(
            b => Number(b.textContent.replace('−', '-'))))}))""")


def _expected(step: dict, name: str, role: str):
    found = [v for v in step["values"] if v["name"] == name]
    v = found[-1] if role == "after" else found[0]
    data = v["data"]
    return [[data]] if not v["shape"] else [data] if len(v["shape"]) == 1 else data


def test_every_backward_line_shows_the_explain_numbers(tab, explain_json):
    page = tab.page
    page.evaluate("window.chainrule.go('b0')")
    for k, step in enumerate(explain_json["steps"]):
        if k:
            page.keyboard.press("ArrowRight")  # the keyboard steps through the lines
        st = tab.state()
        assert st["stop"] == f"b{k}" and st["line"] == step["line"]
        current = page.locator(".cr-line.cr-current code").first.text_content()
        assert current.strip() == step["code"].splitlines()[0].strip()
        shown = _shown(page, f"b{k}")
        assert {m["name"] for m in shown} == {v["name"] for v in step["values"]}
        for m in shown:
            want = np.array(_expected(step, m["name"], m["role"]), dtype=float)
            got = np.array(m["cells"], dtype=float)
            np.testing.assert_allclose(got, want, rtol=6e-4, atol=1e-12, err_msg=f"{step['code']}: {m['name']}")
        verdict = page.locator("#cr-detail .cr-verdict").text_content()
        assert ("Correct." in verdict) == (step["rel_error_fd"] is not None)
        assert page.locator("#cr-detail .cr-formula math").count() >= 1
    assert tab.state()["mode"] == "step"


def test_click_an_entry_shows_its_formula_with_numbers(tab, explain_json):
    page = tab.page
    page.evaluate("window.chainrule.go('b3')")  # dW2 = np.dot(hidden_layer.T, dscores)
    page.locator("figure.cr-role-after tr").nth(1).locator(".cr-cell").nth(0).click()  # dW2[1,0]
    tab.wait("document.querySelector('#cr-entry').dataset.ok === 'true'")
    box = page.locator("#cr-entry")
    step = explain_json["steps"][3]
    H = np.array(step["values"][0]["data"]).T
    dS = np.array(step["values"][1]["data"])
    want = float(np.array(step["values"][2]["data"])[1, 0])
    assert float(box.get_attribute("data-result")) == pytest.approx(want, rel=1e-12)
    terms = json.loads(box.get_attribute("data-terms"))
    assert terms == pytest.approx([H[i, 1] * dS[i, 0] for i in range(4)], rel=1e-12)
    text = box.locator(".cr-entry-math").get_attribute("aria-label")
    assert text.startswith("∂L/∂W₂[1,0] = ΣᵢH[i,1]") and f"{want:.4g}" in text
    assert box.locator("math").count() >= 3  # the rule, the numbers, the result
    assert "is hidden_layer.T" in box.text_content()


def test_train_rewind_replay(tab):
    page = tab.page
    before = page.evaluate("Array.from(document.querySelector('#cr-boundary').getContext('2d')"
                           ".getImageData(0, 0, 300, 300).data.filter((_, i) => i % 16 === 0))")
    page.click("#cr-play")
    tab.wait("window.chainrule.state.iteration >= 200", 120)
    page.click("#cr-play")  # pause
    tab.wait("!window.chainrule.state.playing")
    st = tab.state()
    losses = page.evaluate("window.chainrule.history()")
    assert len(losses) == st["iteration"] >= 200
    assert losses[199] < 0.8 * losses[0], "the loss falls"
    after = page.evaluate("Array.from(document.querySelector('#cr-boundary').getContext('2d')"
                          ".getImageData(0, 0, 300, 300).data.filter((_, i) => i % 16 === 0))")
    changed = np.mean(np.array(before) != np.array(after))
    assert changed > 0.05, "the boundary canvas changed"
    assert st["fps"] > 0 and st["frames_drawn"] > 10
    (SHOTS / "chainrule-serve-fps.json").write_text(json.dumps(
        {k: st[k] for k in ("fps", "fps_peak", "frames_drawn", "grid", "boundary_ms", "engine", "iteration")}))
    page.click("#cr-rewind")
    tab.wait("window.chainrule.state.iteration === 0 && window.chainrule.history().length === 0")
    page.evaluate("window.chainrule.train(200)")
    tab.wait("window.chainrule.history().length >= 200", 120)
    replay = page.evaluate("window.chainrule.history()")
    assert replay[:200] == losses[:200], "rewind and replay reproduce the same losses"


def test_upload_a_csv_and_add_points_by_clicking(tab, tmp_path):
    page = tab.page
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 2))
    csv = tmp_path / "mine.csv"
    csv.write_text("x,y,label\n" + "".join(f"{a:.4f},{b:.4f},{int(a * b > 0)}\n" for a, b in X))
    page.set_input_files("#cr-upload", str(csv))
    tab.wait("window.chainrule.state.points === 40")
    assert page.locator("#cr-set-dataset").input_value() == "custom"
    assert "mine.csv: 40 points" in page.locator(".cr-status").text_content()
    page.check("#cr-tool-1")
    box = page.locator("#cr-points").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + box["height"] * 0.1)
    tab.wait("window.chainrule.state.points === 41")
    colour = page.evaluate("""() => { const c = document.querySelector('#cr-points');
        const d = c.getContext('2d').getImageData(Math.round(c.width * 0.9), Math.round(c.height * 0.1), 1, 1).data;
        return [d[0], d[1], d[2], d[3]]; }""")
    assert colour[3] > 0 and colour[0] > 150 and colour[2] < 80, "an orange class-1 dot where the click was"
    page.check("#cr-tool-remove")
    page.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + box["height"] * 0.1)
    tab.wait("window.chainrule.state.points === 40")


@pytest.mark.parametrize("width", [1280, 390])
def test_screenshots_and_layout(browser, server, width):
    t = Tab(browser, server.url + "#stop=b3", width=width, height=900 if width > 500 else 844)
    page = t.page
    page.locator("figure.cr-role-after .cr-cell").first.click()
    t.wait("document.querySelector('#cr-entry').dataset.ok === 'true'")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a {width}px screen"
    for i in range(page.locator("math").count()):
        b = page.locator("math").nth(i).bounding_box()
        assert b is None or (b["width"] > 0 and b["height"] > 0)
    page.screenshot(path=str(SHOTS / f"chainrule-serve-{width}.png"), full_page=width > 500)
    if width < 500:
        assert page.locator(".cr-tabs").is_visible() and not page.locator("#cr-panel-train").is_visible()
        page.click(".cr-tab[data-tab=train]")
        assert page.locator("#cr-boundary").is_visible() and t.state()["mode"] == "train"
        page.screenshot(path=str(SHOTS / "chainrule-serve-390-train.png"))
        page.click(".cr-tab[data-tab=graph]")
        page.screenshot(path=str(SHOTS / "chainrule-serve-390-graph.png"))
    t.close()


def test_settings_live_in_the_url_fragment(browser, server):
    t = Tab(browser, server.url + "#dataset=moons&points=60&hidden=16,16&activation=tanh&seed=3&stop=b5")
    page = t.page
    t.wait("window.chainrule.state.points === 120")
    st = t.state()
    assert st["stop"] == "b5" and page.locator("#cr-set-activation").input_value() == "tanh"
    page.select_option("#cr-set-optimizer", "adam")
    t.wait("location.hash.includes('optimizer=adam')")
    assert "step_size=0.001" in page.evaluate("location.hash")  # Adam's own default step size
    page.fill("#cr-set-hidden", "5000")
    page.dispatch_event("#cr-set-hidden", "change")
    t.wait("document.querySelector('#cr-set-hidden-error').textContent.length > 0")
    assert "1 to 1000" in page.locator("#cr-set-hidden-error").text_content()
    t.close()


def test_export_replays_without_a_server(browser, server, tmp_path):
    t = Tab(browser, server.url + "#hidden=20&points=50")
    page = t.page
    t.wait("window.chainrule.state.points === 100")
    page.evaluate("window.chainrule.train(60)")
    t.wait("window.chainrule.history().length >= 60", 60)
    losses = page.evaluate("window.chainrule.history()")
    with page.expect_download() as first:
        page.click("#cr-export")
    html = tmp_path / "run.html"
    first.value.save_as(html)
    t.close()
    text = html.read_text(encoding="utf-8")
    assert not re.search(r"https?://(?!www\.w3\.org/)", text), "no link to the network in the export"
    offline = Tab(browser, html.as_uri(), local_files=True)
    p = offline.page
    assert offline.state()["iteration"] == 0
    p.click("#cr-play")
    offline.wait("window.chainrule.state.iteration >= 60 && !window.chainrule.state.playing", 30)
    assert p.evaluate("window.chainrule.history()") == losses
    p.evaluate("window.chainrule.go('b3')")
    p.locator("figure.cr-role-after .cr-cell").first.click()  # the entries are in the file
    offline.wait("document.querySelector('#cr-entry').dataset.ok === 'true'")
    offline.close()


def test_boundary_is_the_networks_prediction(tab):
    """The page's forward pass on the grid gives numpy's argmax (float32 weights, both shapes)."""
    from chainrule.network import MLP

    rng = np.random.default_rng(7)
    for sizes, act in (([2, 1000, 2], "relu"), ([2, 8, 6, 3], "tanh")):
        params = [(rng.standard_normal((a, b)).astype(np.float32), rng.standard_normal(b).astype(np.float32))
                  for a, b in zip(sizes[:-1], sizes[1:])]
        got = tab.page.evaluate("""async ([ps, act]) => {
            const { Boundary } = await import('./static/boundary.js');
            const B = new Boundary(); B.res = 40; B.adapt = () => {};
            const params = ps.map(([W, b, fi, fo]) => ({ W: Float32Array.from(W), b: Float32Array.from(b), fanIn: fi, fanOut: fo }));
            const g = B.compute(params, act, { x0: -2, x1: 2, y0: -1, y1: 3 });
            return Array.from(g.cls); }""", [[[W.ravel().tolist(), b.tolist(), *W.shape] for W, b in params], act])
        c = (np.arange(40) + 0.5) / 40
        xs, ys = np.meshgrid(-2 + 4 * c, 3 - 4 * c)
        grid = np.c_[xs.ravel(), ys.ravel()]
        net = MLP([(W.astype(float), b.astype(float)[None, :]) for W, b in params], activation=act)
        scores = net.forward(grid)
        top2 = np.sort(scores, axis=1)[:, -2:]
        clear = (top2[:, 1] - top2[:, 0]) > 1e-4 * np.abs(scores).max()
        assert clear.mean() > 0.9
        np.testing.assert_array_equal(np.array(got)[clear], np.argmax(scores, axis=1)[clear])


def test_a_learners_script_in_the_page(browser):
    s = Server(str(CORPUS / "ok_cs231n.py"))
    try:
        t = Tab(browser, s.url)
        page = t.page
        assert "Your script: ok_cs231n.py" in page.locator("#cr-h-code").text_content()
        code = page.locator(".cr-code-lines").text_content()
        assert "dscores[range(num_examples), y] -= 1" in code and "reg_loss = 0.5 * reg" in code
        stops = page.evaluate("window.chainrule.page.stops.map(s => s.code)")
        k = stops.index("dW2 = np.dot(hidden_layer.T, dscores)")
        page.evaluate(f"window.chainrule.go({k})")
        names = [m["name"] for m in _shown(page, "")]
        assert names == ["hidden_layer", "dscores", "dW2"]  # in the order the line reads them
        page.locator("figure.cr-role-after .cr-cell").first.click()
        t.wait("document.querySelector('#cr-entry').dataset.ok === 'false'")
        assert "cut to their first rows" in page.locator("#cr-entry").text_content()
        t.wait("document.querySelector('.cr-full').textContent.includes('for the built-in network')")
        t.wait("window.chainrule.state.points === 90")  # Train: the script itself, on its own data
        assert page.locator("#cr-set-train").input_value() == "script"
        assert "ok_cs231n.py, run by python" in page.locator(".cr-status").text_content()
        assert not page.locator("#cr-set-hidden").is_visible()  # the script's own network: no setting
        page.select_option("#cr-set-train", "engine")  # chainrule's engine, a network shaped like the script's
        t.wait("document.querySelector('.cr-status').textContent.includes('engine')")
        assert page.locator("#cr-set-hidden").input_value() == "20"
        assert "2 → 20 → 3" in page.locator(".cr-status").text_content()
        t.close()
    finally:
        s.stop()


def test_a_scripts_own_training_streams_into_the_page(browser):
    """deeplearning.ai style (columns, dict parameters, tanh, one sigmoid output): the script trains."""
    s = Server(str(CORPUS / "ok_ng_style.py"))
    try:
        t = Tab(browser, s.url + "#tab=train")
        page = t.page
        st = t.state()
        assert st["engine"] == "script" and st["points"] == 200
        before = page.evaluate("Array.from(document.querySelector('#cr-boundary').getContext('2d')"
                               ".getImageData(0, 0, 300, 300).data.filter((_, i) => i % 16 === 0))")
        page.select_option("#cr-speed", "5")
        page.click("#cr-play")
        t.wait("window.chainrule.state.iteration >= 300", 120)
        page.click("#cr-play")  # pause
        t.wait("!window.chainrule.state.playing")
        st = t.state()
        losses = page.evaluate("window.chainrule.history()")
        assert len(losses) == st["iteration"] >= 300 and None not in losses
        assert losses[0] == pytest.approx(0.6931404, abs=2e-6)  # chainrule check's iteration 1 of this script
        assert losses[299] < 0.5 * losses[0], "the loss falls"
        printed = page.locator(".cr-printed pre").text_content()
        said = {int(i): float(v) for i, v in re.findall(r"cost after iteration (\d+): ([\d.]+)", printed)}
        assert said and all(losses[i] == pytest.approx(v, abs=2e-6) for i, v in said.items())
        after = page.evaluate("Array.from(document.querySelector('#cr-boundary').getContext('2d')"
                              ".getImageData(0, 0, 300, 300).data.filter((_, i) => i % 16 === 0))")
        assert np.mean(np.array(before) != np.array(after)) > 0.05, "the boundary canvas changed"
        (SHOTS / "chainrule-serve-script-fps.json").write_text(json.dumps(
            {k: st[k] for k in ("fps", "fps_peak", "frames_drawn", "grid", "boundary_ms", "engine", "iteration")}))
        page.screenshot(path=str(SHOTS / "chainrule-serve-script-1280.png"), full_page=True)
        t.close()
    finally:
        s.stop()
