"""Export a run: one self-contained HTML file that replays it without a server, and ``run.json``.

The HTML file holds the page's own CSS and JavaScript modules (as text, loaded through
``blob:`` URLs by a few lines of plain script, so it opens from disk with no network and
no server), the walkthrough's JSON with every entry's formula already written out, and
the recorded run: the data, every iteration's loss and accuracy, and the weight keyframes
(float32, base64).
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from chainrule.serve.protocol import MAX_HISTORY, MAX_ROWS, MAX_UPLOAD_BYTES, WINDOW
from chainrule.config import DEFAULT_STEP
from chainrule.serve.scripttrainer import boundary_info
from chainrule.serve.settings import DEFAULTS

STATIC = Path(__file__).resolve().parent / "static"
_IMPORT = re.compile(r"""^import\s+[^'"]*?from\s+'\./([\w-]+\.js)';\s*$""", re.M)

LOADER = """
(async () => {
  const order = JSON.parse(document.getElementById('cr-module-order').textContent);
  const urls = {};
  for (const name of order) {
    let src = document.querySelector(`script[data-module="${name}"]`).textContent;
    src = src.replace(/from '\\.\\/([\\w-]+\\.js)'/g, (m, dep) => `from '${urls[dep]}'`);
    urls[name] = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
  }
  await import(urls['main.js']);
})();
"""


def module_order(entry: str = "main.js") -> list[str]:
    """The page's modules, each after the modules it imports."""
    order: list[str] = []

    def visit(name: str, path: tuple[str, ...] = ()) -> None:
        if name in order:
            return
        if name in path:
            raise ValueError(f"import cycle through {name}")
        for dep in _IMPORT.findall((STATIC / name).read_text(encoding="utf-8")):
            visit(dep, path + (name,))
        order.append(name)

    visit(entry)
    return order


def _b64(a: Any) -> str:
    return base64.b64encode(np.ascontiguousarray(a, "<f4").tobytes()).decode("ascii")


def _script_safe(text: str) -> str:
    """JSON that cannot end its ``<script>`` element early (``<\\/`` is the same string in JSON)."""
    return text.replace("</", "<\\/")


def _module(name: str) -> str:
    text = (STATIC / name).read_text(encoding="utf-8")
    if "</script" in text.lower():  # it would end the <script type="text/plain"> that holds it
        raise ValueError(f"{name} contains '</script'")
    return text


def recorded_run(trainer, record) -> dict[str, Any]:
    data = trainer.data
    losses, accs = record.history()
    dims = [[int(W.shape[0]), int(W.shape[1])] for W, _ in trainer.weights()]
    keys = [{"iteration": it, "params": _b64(np.concatenate([np.concatenate([W.ravel(), b]) for W, b in params]
                                                            or [np.zeros(0)]))}
            for it, params in record.keyframes]  # a grid-drawn script run keeps no weights
    return {"settings": record.settings, "engine": record.engine, "sizes": list(trainer.sizes),
            "boundary": boundary_info(trainer, record.settings),
            "data": {"name": data.name, "n": data.n, "classes": data.classes,
                     "class_names": list(data.class_names), "notices": list(data.notices)},
            "X": _b64(data.X), "y": _b64(data.y), "losses": _b64(losses), "accuracies": _b64(accs),
            "keyframes": keys, "dims": dims}


def export_run(page, trainer, record) -> tuple[str, dict[str, Any]]:
    """``(html, run_json)`` of the page's current run."""
    hello = {"type": "hello", "defaults": DEFAULTS, "default_step": DEFAULT_STEP, "window": WINDOW,
             "limits": {"upload_bytes": MAX_UPLOAD_BYTES, "rows": MAX_ROWS, "history": MAX_HISTORY}}
    payload = {"page": page.json, "entries": page.all_entries(), "run": recorded_run(trainer, record),
               "hello": hello}
    order = module_order()
    modules = "\n".join(
        f'<script type="text/plain" data-module="{name}">\n'
        f'{_module(name)}\n</script>' for name in order)
    css = (STATIC / "style.css").read_text(encoding="utf-8").replace("</", "<\\/")
    data = _script_safe(json.dumps(payload, allow_nan=False, separators=(",", ":")))
    title = f"chainrule · recorded run ({record.iterations} iterations)"
    html = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>\n{css}\n</style>\n</head>\n<body>\n"
        '<div id="cr-root"></div>\n'
        f'<script type="application/json" id="cr-export-data">{data}</script>\n'
        f'<script type="application/json" id="cr-module-order">{json.dumps(order)}</script>\n'
        f"{modules}\n<script>{LOADER}</script>\n</body>\n</html>\n")
    return html, record.run_json(trainer.data.name, trainer.data.n, trainer.data.classes)
