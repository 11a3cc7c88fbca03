"""Debian's chromium for the browser tests, driven by playwright (which never downloads a browser).

A page opened here aborts and records every request that is not to 127.0.0.1 (or, where allowed, to a
local file), and keeps the console's errors; the tests assert that both lists stay empty.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason=f"{CHROMIUM} is missing (apt-get install chromium; .ci/run does)"),
]


@contextlib.contextmanager
def launched() -> Iterator:
    """Debian's chromium, headless, with the flags the project's tests use."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def guard(ctx, blocked: list[str], local_files: bool) -> None:
    """Abort and record each request of ``ctx`` that leaves the machine."""

    def route(r) -> None:
        u = urlsplit(r.request.url)
        if u.hostname == "127.0.0.1" or (local_files and u.scheme in ("file", "blob", "data")):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    ctx.route("**/*", route)


def keep_errors(page, errors: list[str]) -> None:
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))


def open_html(browser, html: str, path: Path, width: int, js: bool = True):
    """Write ``html`` to ``path`` and open it: ``(page, context, console errors, blocked requests)``."""
    path.write_text(html, encoding="utf-8")
    ctx = browser.new_context(java_script_enabled=js, viewport={"width": width, "height": 900})
    blocked: list[str] = []
    errors: list[str] = []
    guard(ctx, blocked, local_files=True)
    page = ctx.new_page()
    keep_errors(page, errors)
    page.goto(path.as_uri(), wait_until="load")
    return page, ctx, errors, blocked
