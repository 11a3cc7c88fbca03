"""The Starlette application: the page, its static files, its data, one WebSocket per page.

Routes: ``/`` (the page), ``/static/…`` (JavaScript and CSS shipped inside the package;
Starlette's ``StaticFiles`` refuses any path that leaves that folder), ``/api/page`` (the
walkthrough as JSON) and ``/ws`` (:class:`~chainrule.serve.session.PageSession`).

Every request must name a loopback host (or the one ``--allow-remote`` opened), which
stops DNS-rebinding pages; a WebSocket must come from the page's own origin, so another
web site open in the same browser cannot drive the server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Optional
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

from chainrule.serve.pagedata import PageData
from chainrule.serve.protocol import MAX_PAGES
from chainrule.serve.session import PageSession

STATIC = Path(__file__).resolve().parent / "static"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'")
HEADERS = {"content-security-policy": CSP, "x-content-type-options": "nosniff",
           "referrer-policy": "no-referrer", "cache-control": "no-store"}


def _hostname(netloc: str) -> str:
    try:
        return (urlsplit("//" + netloc).hostname or "").lower()
    except ValueError:
        return ""


class Guard:
    """Refuse requests for a host that is not ours, and WebSockets from another origin."""

    def __init__(self, app: ASGIApp, hosts: Iterable[str]) -> None:
        self.app, self.hosts = app, frozenset(h.lower().strip("[]") for h in hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        origin = headers.get("origin")
        bad = "*" not in self.hosts and _hostname(host) not in self.hosts
        if scope["type"] == "websocket" and origin is not None:
            bad = bad or urlsplit(origin).netloc.lower() != host.lower()
        if bad:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            await PlainTextResponse("This chainrule server answers only its own page on this "
                                    "machine.", status_code=403)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def create_app(page: PageData, hosts: Optional[Iterable[str]] = None) -> ASGIApp:
    """The ASGI app serving ``page``; ``hosts`` are the host names it answers (loopback)."""

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers=HEADERS)

    async def page_data(request: Request) -> Response:
        return JSONResponse(page.json, headers=HEADERS)

    async def ws(websocket: WebSocket) -> None:
        sessions = websocket.app.state.sessions
        if len(sessions) >= MAX_PAGES:
            await websocket.accept()
            await websocket.send_json({"type": "error", "message": f"{MAX_PAGES} pages are open "
                                       "already; close one and reload this page."})
            await websocket.close(code=1013)
            return
        session = PageSession(websocket, page)
        sessions.add(session)
        try:
            await session.serve()
        finally:
            sessions.discard(session)

    app = Starlette(routes=[
        Route("/", index), Route("/api/page", page_data), WebSocketRoute("/ws", ws),
        Mount("/static", StaticFiles(directory=STATIC, follow_symlink=False), name="static"),
    ])
    app.state.sessions = set()
    app.state.page = page
    guarded = Guard(app, set(hosts or ()) | LOOPBACK)
    guarded.state = app.state  # type: ignore[attr-defined]
    return guarded
