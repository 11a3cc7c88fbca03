"""The HTML report in a real browser (Debian's chromium, never a downloaded one).

Loads the page with JavaScript off and on, records console errors and every
request, checks that each ``<math>`` is laid out, and that the full-page
screenshot is not blank (saved to /tmp/chainrule-render-shot.png).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest

from chainrule.render import render_html, report_repr_html

CHROMIUM = "/usr/bin/chromium"
SHOT = Path("/tmp/chainrule-render-shot.png")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason=f"{CHROMIUM} is missing (install Debian's chromium package)"),
]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


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
