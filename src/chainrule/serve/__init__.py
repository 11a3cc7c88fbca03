"""``chainrule serve``: a live page to step through backprop and watch the network learn.

>>> from chainrule.serve import load_page, serve
>>> serve()                          # doctest: +SKIP  (the learner's network, until Ctrl-C)
>>> serve("my_net.py", port=8765)    # doctest: +SKIP  (your own script's lines and names)

In Jupyter, :func:`chainrule.explore` shows the same page inline.  The stages, from the
analysis to the browser: :mod:`.pagedata` (the Report → the page's JSON, :mod:`.payload`,
:mod:`.graph`, :mod:`.symbols`, :mod:`.substitute`, :mod:`.fullsize`), :mod:`.trainer`
(the engines), :mod:`.session` (one page's WebSocket, :mod:`.protocol` for its frames),
:mod:`.app` (Starlette) and :mod:`.server` (uvicorn); the page itself is ``static/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Union

from chainrule.serve.pagedata import PageData


def load_page(script: Optional[Union[str, Path]] = None, seed: int = 0, timeout: float = 60.0) -> PageData:
    """The walkthrough the page shows: the built-in learner's network, or ``script``'s.

    Raises :class:`chainrule.errors.ChainruleError` (exit 2) for a script that cannot be
    analysed, with the same message as ``chainrule check``.
    """
    if script is None:
        from chainrule.explain import build_report

        return PageData(build_report(seed=seed, train=False))
    from chainrule.serve.scriptplan import analyse_script

    report, plan = analyse_script(script, seed=seed, timeout=timeout)
    return PageData(report, script=Path(script).name, plan=plan)


def serve(script: Optional[Union[str, Path]] = None, host: str = "127.0.0.1", port: int = 0,
          open_browser: bool = True, allow_remote: bool = False, seed: int = 0, timeout: float = 60.0) -> None:
    """Serve the page on ``host:port`` (a free port by default) until Ctrl-C."""
    from chainrule import validate
    from chainrule.serve.server import check_host, check_port, serve_forever

    check_host(host, allow_remote)  # refuse bad options before the analysis, not after
    check_port(port)
    seed = validate.seed("--seed", seed)
    timeout = validate.real("--timeout", timeout, 0.1, 86400.0, example="60")
    serve_forever(load_page(script, seed, timeout), host, port, open_browser, allow_remote)


_background = {}


def explore(script: Optional[Union[str, Path]] = None, height: int = 900, seed: int = 0):
    """Show the page inline in Jupyter: an IFrame to a local server started in a thread.

    The server (one per script, kept for the kernel's life) listens on 127.0.0.1 only.
    """
    from IPython.display import IFrame

    from chainrule.serve.server import Background

    key = (str(script) if script else None, seed)
    if key not in _background:
        _background[key] = Background(load_page(script, seed))
    return IFrame(_background[key].url, width="100%", height=height)


__all__ = ["PageData", "load_page", "serve", "explore"]
