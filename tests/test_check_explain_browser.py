"""``explain SCRIPT`` as HTML in real Chromium (Debian's, never a downloaded one): the same checks as the built-in
walkthrough's page — no sideways scroll at 390 px, the SVG graph visible with every linked node jumping to its
step, the glance table with one row per line, no console errors, no request leaving the machine."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from chainrule.check import explain_script
from chainrule.render import render_html

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
CORPUS = Path(__file__).parent / "corpus"
SCRIPTS = {"ng": CORPUS / "dlai_w3" / "planar_tanh.py", "rows": CORPUS / "cs231n" / "learner_seed.py",
           "nielsen": CORPUS / "nielsen" / "ce_l2_net.py"}

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


@pytest.fixture(scope="module")
def pages():
    out = {}
    for key, path in SCRIPTS.items():
        rep = explain_script(path)
        out[key] = (rep, render_html(rep))
    return out


def _open(browser, html: str, tmp_path: Path, width: int):
    path = tmp_path / f"script-{width}.html"
    path.write_text(html, encoding="utf-8")
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    page = ctx.new_page()
    errors: list[str] = []
    blocked: list[str] = []

    def guard(route):
        url = route.request.url
        if url.startswith(("file://", "data:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    page.route("**/*", guard)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri(), wait_until="load")
    return page, ctx, errors, blocked


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("key", ["ng", "rows", "nielsen"])
def test_script_walkthrough_in_chromium(browser, pages, tmp_path, key, width):
    rep, html = pages[key]
    page, ctx, errors, blocked = _open(browser, html, tmp_path, width)
    try:
        assert page.evaluate("document.documentElement.scrollWidth - "
                             "document.documentElement.clientWidth") <= 0
        graph = page.locator("svg.cr-graph")
        assert graph.count() == 1
        box = graph.bounding_box()
        assert box["width"] > 300 and box["height"] > 150
        linked = [n for n in rep.graph.nodes if n.step is not None or n.forward is not None]
        assert page.locator("svg.cr-graph a.cr-node").count() == len(linked) >= 8
        assert page.locator("#cr-glance tbody tr").count() == len(rep.steps)
        page.screenshot(path=f"/tmp/chainrule-script-{key}-{width}.png", full_page=True)
        assert errors == [] and blocked == []
    finally:
        ctx.close()


@pytest.mark.parametrize("key", ["ng", "nielsen"])
def test_script_graph_nodes_jump_to_their_steps(browser, pages, tmp_path, key):
    rep, html = pages[key]
    page, ctx, errors, _ = _open(browser, html, tmp_path, 1280)
    try:
        for n in rep.graph.nodes:
            if n.step is None:
                continue
            page.locator(f'svg.cr-graph a.cr-node[data-node="{n.id}"]').click()
            assert page.evaluate("location.hash") == f"#cr-step-{n.step + 1}"
            top = page.locator(f"#cr-step-{n.step + 1}").bounding_box()["y"]
            assert -2 <= top < 900
        assert errors == []
    finally:
        ctx.close()
