"""Start the page's server: uvicorn on a loopback socket, in the foreground or in a thread.

:func:`check_host` refuses a non-loopback ``--host`` unless ``--allow-remote`` (and then
warns: whoever reaches the port can make this machine train networks).  :func:`bind`
opens the socket first, so a free port (``port=0``) is known before anything is printed
and a port in use is one clear sentence.  :func:`serve_forever` runs until Ctrl-C and
returns cleanly; :class:`Background` runs the same server in a daemon thread (Jupyter).
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import socket
import sys
import threading
import time
import webbrowser
from typing import Optional

import uvicorn

from chainrule.errors import ChainruleError, bad_option
from chainrule.serve.app import create_app
from chainrule.serve.pagedata import PageData
from chainrule.serve.protocol import MAX_MESSAGE_BYTES

REMOTE_WARNING = ("warning: --allow-remote: anyone who can reach {url} can use this page and make "
                  "this machine train networks (and, with a script, run that script on this machine, "
                  "again and again). Stop the server with Ctrl-C when you are done.")


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(host: str, allow_remote: bool) -> str:
    """The host to bind; a ChainruleError (exit 2) for a non-loopback one without ``allow_remote``."""
    host = host.strip().strip("[]")
    if not host:
        raise bad_option("--host", host, "give an address such as 127.0.0.1.")
    if not is_loopback(host) and not allow_remote:
        raise ChainruleError(
            f"Refusing --host {host}: chainrule serve answers only this machine (127.0.0.1 or ::1) "
            "unless you add --allow-remote, because whoever reaches the page can make this machine "
            "train networks and run the script you named. Add --allow-remote if you mean it.",
            option="--host")
    return host


def check_port(port: int) -> int:
    if not 0 <= port <= 65535:
        raise bad_option("--port", port, "use a port from 1 to 65535, or 0 for a free one.")
    return port


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (``port`` 0: a free one), or a clear error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ChainruleError(f"Port {port} on {host} is in use (another server?). Choose another "
                                 "with --port, or leave --port out for a free one.", option="--port") from None
        raise ChainruleError(f"Cannot listen on {host}:{port}: {exc.strerror or exc}. Check --host "
                             "and --port.", option="--host") from None
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def make_server(page: PageData, host: str) -> uvicorn.Server:
    hosts = {host} if is_loopback(host) else {"*"}  # --allow-remote: any Host, same-origin WebSockets
    config = uvicorn.Config(create_app(page, hosts), log_level="warning", ws_max_size=MAX_MESSAGE_BYTES,
                            timeout_graceful_shutdown=2, lifespan="off", access_log=False)
    return uvicorn.Server(config)


def serve_forever(page: PageData, host: str = "127.0.0.1", port: int = 0, open_browser: bool = True,
                  allow_remote: bool = False, announce=print) -> None:
    """Serve the page until Ctrl-C; prints the URL (and opens the browser unless told not to)."""
    host = check_host(host, allow_remote)
    sock = bind(host, check_port(port))
    url = url_of(sock)
    try:  # from here on, Ctrl-C is the way to stop the server: a clean exit, whenever it comes
        if not is_loopback(host):
            announce(REMOTE_WARNING.format(url=url), file=sys.stderr)
        announce(f"chainrule serve: {url}  (press Ctrl-C to stop)", flush=True)
        server = make_server(page, host)
        if open_browser:
            threading.Thread(target=_open_later, args=(server, url), daemon=True).start()
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # before uvicorn took over the signal, or a second Ctrl-C
        pass
    finally:
        sock.close()
    announce("chainrule serve: stopped.", flush=True)


def _open_later(server: uvicorn.Server, url: str) -> None:
    for _ in range(100):
        if server.started:
            webbrowser.open(url)
            return
        time.sleep(0.05)


class Background:
    """The server in a daemon thread (for ``chainrule.explore()`` in Jupyter)."""

    def __init__(self, page: PageData, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sock = bind(check_host(host, False), check_port(port))
        self.url = url_of(self.sock)
        self.server = make_server(page, host)
        self.thread = threading.Thread(target=self._run, name="chainrule-serve", daemon=True)
        self.thread.start()
        for _ in range(200):
            if self.server.started:
                break
            time.sleep(0.025)

    def _run(self) -> None:
        asyncio.run(self.server.serve(sockets=[self.sock]))

    def stop(self, timeout: Optional[float] = 5.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)
        self.sock.close()
