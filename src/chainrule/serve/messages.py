"""The page's messages to the server, one handler each (mixed into :class:`.session.PageSession`).

Messages from the page (JSON text, ``{"type": ...}``):

=============  ==================================================================
``ack``        ``seq``: the page has read TRAIN frame ``seq`` (back-pressure)
``settings``   ``settings``: the Train panel's controls → a new run at iteration 0
``play``       train continuously;  ``pause``: stop after the current chunk
``step``       ``n``: train ``n`` iterations (1 for the one-iteration button), then stop
``rewind``     back to the run's initial weights, ready to replay the same losses
``speed``      ``value``: iterations per frame (1–100)
``upload``     ``name``, ``text``: a CSV file of the page's own data
``points``     ``add``: ``[[x, y, class], ...]``, ``remove``: ``[[x, y], ...]`` (nearest point)
``entry``      ``stop``, ``value``, ``index``: the formula of one matrix entry, with numbers
``full``       ``stop``: the full-size arrays of a line, as HEATMAP frames
``full_entry`` ``stop``, ``index``: one entry of the line's full-size result, with the live numbers
``export``     the run as one self-contained HTML file and its ``run.json``
=============  ==================================================================

Replies: ``hello``, ``run`` (a new or rewound run: settings, data, engine), ``state``
(playing or not, iteration), ``entry``, ``full``, ``export``, ``notice`` and ``error``
(``message``, and the ``option`` it is about), plus binary frames (:mod:`.protocol`).
The server runs no code a page sends: every message is data, checked here.
"""

from __future__ import annotations

import time
from typing import Any

import anyio

from chainrule.errors import ChainruleError
from chainrule.serve import protocol
from chainrule.serve.dataset import edit_points, upload_dataset

MAX_STEP = 10_000  # iterations one ``step`` message may ask for


class Handlers:
    """``on_<type>`` for every message type the page may send (all arguments are checked)."""

    async def handle(self, msg: dict[str, Any]) -> None:
        kind = msg.get("type")
        handler = getattr(self, f"on_{kind}", None) if isinstance(kind, str) and kind.isidentifier() else None
        if handler is None:
            raise ChainruleError(f"Unknown message type {kind!r} from the page.")
        await handler(msg)

    async def on_ack(self, msg: dict[str, Any]) -> None:
        self.unacked.discard(msg.get("seq"))
        self.last_ack = time.monotonic()
        if self.dirty and not self.lock.locked():
            await self.offer_frame()

    async def on_settings(self, msg: dict[str, Any]) -> None:
        raw = msg.get("settings")
        if not isinstance(raw, dict):
            raise ChainruleError("A settings message needs a 'settings' object.")
        await self.new_run(raw)

    async def on_play(self, msg: dict[str, Any]) -> None:
        self.playing = True
        self.ensure_training()
        await self.send_state()

    async def on_pause(self, msg: dict[str, Any]) -> None:
        self.playing, self.todo = False, 0
        await self.send_state()

    async def on_step(self, msg: dict[str, Any]) -> None:
        n = msg.get("n", 1)
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= MAX_STEP:
            raise ChainruleError(f"A step is 1 to {MAX_STEP} iterations, got {n!r}.", option="step")
        self.todo += n
        self.ensure_training()

    async def on_rewind(self, msg: dict[str, Any]) -> None:
        self.playing, self.todo = False, 0
        await self.rewind()

    async def on_speed(self, msg: dict[str, Any]) -> None:
        v = msg.get("value")
        if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= 100:
            raise ChainruleError(f"Speed is 1 to 100 iterations per frame, got {v!r}.", option="speed")
        self.speed = v

    async def on_upload(self, msg: dict[str, Any]) -> None:
        self.custom = await anyio.to_thread.run_sync(upload_dataset, msg.get("name"), msg.get("text"))
        await self.new_run({**self.settings, "dataset": "custom", "train": "engine"})

    async def on_points(self, msg: dict[str, Any]) -> None:
        assert self.trainer is not None
        base = self.custom or self.trainer.data
        self.custom = edit_points(base, msg.get("add") or [], msg.get("remove") or [])
        await self.new_run({**self.settings, "dataset": "custom", "train": "engine"})

    async def on_entry(self, msg: dict[str, Any]) -> None:
        out = await anyio.to_thread.run_sync(self.page.entry, msg.get("stop"), msg.get("value"),
                                             msg.get("index"))
        await self.send_json({"type": "entry", **out})

    async def on_full(self, msg: dict[str, Any]) -> None:
        async with self.lock:
            t = self.trainer
            out, grids = await anyio.to_thread.run_sync(self.page.full_size, msg.get("stop"), t)
        seqs = []
        for grid in grids:
            seqs.append(self.next_seq())
            await self.send_bytes(protocol.heatmap_frame(seqs[-1], grid))
        await self.send_json({"type": "full", **out, "seqs": seqs})

    async def on_full_entry(self, msg: dict[str, Any]) -> None:
        async with self.lock:
            out = await anyio.to_thread.run_sync(self.page.full_entry, msg.get("stop"), msg.get("index"),
                                                 self.trainer)
        await self.send_json({"type": "entry", **out})

    async def on_export(self, msg: dict[str, Any]) -> None:
        from chainrule.serve.export import export_run

        async with self.lock:
            t, rec = self.trainer, self.record
            assert t is not None and rec is not None
            html, run = await anyio.to_thread.run_sync(export_run, self.page, t, rec)
        await self.send_json({"type": "export", "html": html, "run": run})

