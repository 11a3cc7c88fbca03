"""The HTML report in a real browser (Debian's chromium, never a downloaded one).

Loads the page with JavaScript off and on, records console errors and every
request, checks that each ``<math>`` is laid out, and that the full-page
screenshot is not blank (saved to /tmp/chainrule-render-shot.png).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from chainrule.render import render_html, report_repr_html

from browser_pages import MARKS, launched, open_html

SHOT = Path("/tmp/chainrule-render-shot.png")

pytestmark = MARKS


@pytest.fixture(scope="module")
def browser():
    with launched() as b:
        yield b


def _load(browser, html: str, tmp_path: Path, js: bool, width: int = 1400):
    """Open ``html`` from a file:// URL; return (page, context, console errors, requests)."""
    path = tmp_path / "report.html"
    path.write_text(html, encoding="utf-8")
    ctx = browser.new_context(java_script_enabled=js, viewport={"width": width, "height": 900})
    page = ctx.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    return page, ctx, errors, requests, path.as_uri()


def _pixels(png: bytes) -> np.ndarray:
    from matplotlib import image

    return image.imread(io.BytesIO(png), format="png")


@pytest.mark.parametrize("js", [False, True], ids=["js-off", "js-on"])
def test_page_loads_clean_and_renders_maths(browser, report, tmp_path, js):
    page, ctx, errors, requests, url = _load(browser, render_html(report), tmp_path, js)
    try:
        # math boxes are measured with a locator (works with JS off in the page)
        boxes = [page.locator("math").nth(i).bounding_box()
                 for i in range(page.locator("math").count())]
        assert boxes, "no <math> element on the page"
        assert all(b and b["width"] > 0 and b["height"] > 0 for b in boxes)
        assert errors == []
        foreign = [u for u in requests if u != url and not u.startswith("data:")]
        assert foreign == [], f"the page fetched {foreign}"
        imgs = page.locator("img")
        assert imgs.count() == 2
        for i in range(imgs.count()):
            assert imgs.nth(i).evaluate("img => img.naturalWidth") > 0
        shot = page.screenshot(full_page=True)
        if js:
            SHOT.write_bytes(shot)
        px = _pixels(shot)
        assert px.shape[0] > 2000 and px[..., :3].std() > 0.05
    finally:
        ctx.close()


def test_narrow_screen_has_no_horizontal_scroll(browser, report, tmp_path):
    page, ctx, errors, _, _ = _load(browser, render_html(report), tmp_path, False, width=380)
    try:
        overflow = page.locator("html").evaluate(
            "el => el.scrollWidth - el.clientWidth")
        assert overflow <= 1
        page.screenshot(path="/tmp/chainrule-render-shot-narrow.png", full_page=True)
        assert errors == []
    finally:
        ctx.close()


def test_broken_report_still_renders(browser, bad_report, tmp_path):
    page, ctx, errors, requests, url = _load(browser, render_html(bad_report), tmp_path, True)
    try:
        assert errors == []
        assert page.locator(".cr-verdict.cr-bad").count() == 1
        assert page.locator("code.cr-latex").count() >= 1
        assert page.locator("script").count() == 0  # the hostile title stayed text
        assert page.title().startswith("<script>")
        assert [u for u in requests if u != url and not u.startswith("data:")] == []
    finally:
        ctx.close()


def test_jupyter_fragment_in_a_host_page(browser, report, tmp_path):
    host = ("<!DOCTYPE html><html><head><meta charset='utf-8'><style>table{border:5px solid red}"
            "</style></head><body>" + report_repr_html(report) + report_repr_html(report)
            + "</body></html>")
    page, ctx, errors, requests, url = _load(browser, host, tmp_path, False, width=1000)
    try:
        assert errors == []
        assert page.locator(".cr-report").count() == 2
        ids = page.locator("[id]").evaluate_all("els => els.map(e => e.id)")
        assert len(ids) == len(set(ids)), "duplicate ids between two fragments"
        assert [u for u in requests if u != url and not u.startswith("data:")] == []
    finally:
        ctx.close()


# ----------------------------------------------------------------- the real walkthrough page
@pytest.fixture(scope="module")
def explained_html():
    from chainrule.explain import build_report

    return render_html(build_report(train=False))


def _open_guarded(browser, html: str, tmp_path: Path, width: int, js: bool = True):
    """Open ``html``; abort and record every request not to a local file or 127.0.0.1."""
    return open_html(browser, html, tmp_path / f"walkthrough-{width}.html", width, js)


@pytest.mark.parametrize("width", [1280, 390])
def test_walkthrough_page_in_chromium(browser, explained_html, tmp_path, width):
    page, ctx, errors, blocked = _open_guarded(browser, explained_html, tmp_path, width)
    try:
        assert page.evaluate("document.documentElement.scrollWidth - "
                             "document.documentElement.clientWidth") <= 0
        graph = page.locator("svg.cr-graph")
        box = graph.bounding_box()
        assert graph.count() == 1 and box["width"] > 300 and box["height"] > 150
        assert page.locator("svg.cr-graph a.cr-node").count() == 10
        assert page.locator("#cr-glance tbody tr").count() == 13
        for pre in page.locator(".cr-hl pre").all()[:40]:  # code scrolls, never wraps mid-name
            assert pre.evaluate("e => getComputedStyle(e).whiteSpace") == "pre"
        code = page.locator("p code").first
        assert code.evaluate("e => getComputedStyle(e).wordBreak") == "normal"
        assert code.evaluate("e => getComputedStyle(e).overflowWrap") == "normal"
        height = page.evaluate("document.documentElement.scrollHeight")
        page.screenshot(path=f"/tmp/chainrule-explain-{width}.png", full_page=True)
        page.locator("#cr-glance").screenshot(path=f"/tmp/chainrule-explain-{width}-glance.png")
        page.locator("#cr-graph").screenshot(path=f"/tmp/chainrule-explain-{width}-graph.png")
        assert 3000 < height < 60000
        assert errors == [] and blocked == []
    finally:
        ctx.close()


def test_graph_nodes_and_table_rows_link_to_their_steps(browser, explained_html, tmp_path):
    page, ctx, errors, _ = _open_guarded(browser, explained_html, tmp_path, 1280)
    try:
        page.locator('svg.cr-graph a.cr-node[data-node="Z"]').click()
        assert page.evaluate("location.hash") == "#cr-step-7"  # dhidden[hidden_layer <= 0] = 0
        top = page.locator("#cr-step-7").bounding_box()["y"]
        assert -2 <= top < 900  # scrolled to the card
        page.locator('svg.cr-graph a.cr-node[data-node="W2"]').click()
        assert page.evaluate("location.hash") == "#cr-step-4"
        page.locator("#cr-glance tbody tr").nth(7).locator("a").click()
        assert page.evaluate("location.hash") == "#cr-step-8"
        assert errors == []
    finally:
        ctx.close()


def test_indicator_is_drawn_as_a_double_struck_one(browser, explained_html, tmp_path):
    """𝟙 is its own glyph: not a plain 1 (Chromium ignores mathvariant) and not a missing-glyph box."""
    page, ctx, errors, _ = _open_guarded(browser, explained_html, tmp_path, 1280)
    try:
        ind = page.locator("math mi", has_text="\U0001D7D9").first
        assert ind.count() == 1 and ind.is_visible()
        font = ind.evaluate("e => getComputedStyle(e).fontFamily")
        page.evaluate("""font => { for (const [id, ch] of [['cr-t-one', '1'], ['cr-t-tofu', '\\uE000'],
                              ['cr-t-ind', '\\u{1D7D9}']]) {
            const s = document.createElement('span'); s.id = id; s.textContent = ch;
            s.style.cssText = `font-family: ${font}; font-size: 48px; display: inline-block;`;
            document.body.prepend(s); } }""", font)
        shots = {k: _pixels(page.locator(f"#cr-t-{k}").screenshot()) for k in ("one", "tofu", "ind")}
        for other in ("one", "tofu"):
            a, b = shots["ind"], shots[other]
            assert a.shape != b.shape or np.abs(a - b).mean() > 0.01, other
        assert errors == []
    finally:
        ctx.close()
