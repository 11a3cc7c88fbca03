"""``explain SCRIPT`` as HTML in real Chromium (Debian's, never a downloaded one): the same checks as the built-in
walkthrough's page — no sideways scroll at 390 px, the SVG graph visible with every linked node jumping to its
step, the glance table with one row per line, no console errors, no request leaving the machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from chainrule.check import explain_script
from chainrule.render import render_html

from browser_pages import MARKS, launched, open_html

CORPUS = Path(__file__).parent / "corpus"
SCRIPTS = {"ng": CORPUS / "dlai_w3" / "planar_tanh.py", "rows": CORPUS / "cs231n" / "learner_seed.py",
           "nielsen": CORPUS / "nielsen" / "ce_l2_net.py"}

pytestmark = MARKS


@pytest.fixture(scope="module")
def browser():
    with launched() as b:
        yield b


@pytest.fixture(scope="module")
def pages():
    out = {}
    for key, path in SCRIPTS.items():
        rep = explain_script(path)
        out[key] = (rep, render_html(rep))
    return out


def _open(browser, html: str, tmp_path: Path, width: int):
    return open_html(browser, html, tmp_path / f"script-{width}.html", width)


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
