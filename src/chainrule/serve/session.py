"""One page's WebSocket session: control messages in, frames out, training in between.

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
``export``     the run as one self-contained HTML file and its ``run.json``
=============  ==================================================================

Replies: ``hello``, ``run`` (a new or rewound run: settings, data, engine), ``state``
(playing or not, iteration), ``entry``, ``full``, ``export``, ``notice`` and ``error``
(``message``, and the ``option`` it is about), plus binary frames (:mod:`.protocol`).
The server runs no code a page sends: every message is data, checked here.
"""

from __future__ import annotations

import asyncio
import json
import time
from contextlib import suppress
from typing import Any, Optional

import anyio
import numpy as np
from starlette.websockets import WebSocket, WebSocketDisconnect

from chainrule.config import DEFAULT_STEP
from chainrule.errors import ChainruleError
from chainrule.serve import protocol
from chainrule.serve.dataset import edit_points, upload_dataset
from chainrule.serve.record import RunRecord
from chainrule.serve.settings import DEFAULTS, parse_settings
from chainrule.serve.trainer import Trainer, warm_fast_engine

FRAME_INTERVAL = 1 / 60  # the server offers at most 60 frames a second
STALL_SECONDS = 20.0  # frames unacknowledged this long: the page is gone or frozen
MAX_STEP = 10_000  # iterations one ``step`` message may ask for
GONE = (WebSocketDisconnect, ConnectionError, RuntimeError)


class PageSession:
    """The state of one connected page (see the module docstring for the messages)."""

    def __init__(self, ws: WebSocket, page: Any) -> None:
        self.ws, self.page = ws, page  # page: the app's PageData (walkthrough, substitution)
        self.seq = 0
        self.unacked: set[int] = set()
        self.sent = self.dropped = 0
        self.dirty = False
        self.pending: list[tuple[np.ndarray, np.ndarray]] = []
        self.pending_first = 0
        self.playing, self.todo, self.speed = False, 0, 1
        self.task: Optional[asyncio.Task] = None
        self.lock = asyncio.Lock()  # one trainer operation at a time
        self.send_lock = asyncio.Lock()  # one ASGI send at a time
        self.last_ack = time.monotonic()
        self.custom = None  # the page's own Dataset (upload, clicked points), or None
        self.defaults: dict[str, Any] = {**DEFAULTS, **getattr(page, "train_defaults", {})}
        self.settings: dict[str, Any] = dict(self.defaults)
        self.trainer: Optional[Trainer] = None
        self.record: Optional[RunRecord] = None
        self.closed = False

    # ------------------------------------------------------------------ sending
    async def send_json(self, msg: dict[str, Any]) -> None:
        async with self.send_lock:
            await self.ws.send_text(json.dumps(msg, allow_nan=False))

    async def send_bytes(self, data: bytes) -> None:
        async with self.send_lock:
            await self.ws.send_bytes(data)

    async def error(self, message: str, option: Optional[str] = None) -> None:
        await self.send_json({"type": "error", "message": " ".join(message.split()), "option": option})

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    async def offer_frame(self) -> None:
        """Send the newest weights if fewer than WINDOW frames are in flight; else drop them."""
        if not self.dirty or self.trainer is None:
            return
        if len(self.unacked) >= protocol.WINDOW:
            self.dropped += 1
            return
        losses = np.concatenate([p[0] for p in self.pending]) if self.pending else np.zeros(0)
        accs = np.concatenate([p[1] for p in self.pending]) if self.pending else np.zeros(0)
        seq = self.next_seq()
        frame = protocol.train_frame(seq, self.trainer.iteration, self.pending_first, losses, accs,
                                     self.trainer.weights())
        self.pending, self.pending_first, self.dirty = [], self.trainer.iteration, False
        self.unacked.add(seq)
        self.sent += 1
        await self.send_bytes(frame)

    async def send_state(self) -> None:
        t = self.trainer
        await self.send_json({"type": "state", "playing": self.playing or self.todo > 0,
                              "iteration": t.iteration if t else 0, "speed": self.speed,
                              "sent": self.sent, "dropped": self.dropped})

    # ------------------------------------------------------------------ runs
    async def new_run(self, raw: dict[str, Any]) -> None:
        """Validate ``raw`` settings and start a new run at iteration 0 (keeps playing if it was)."""
        if raw.get("dataset") != "custom":
            self.custom = None  # the page went back to a generated data set
        settings, config = parse_settings({**self.defaults, **raw}, self.custom)
        trainer = await anyio.to_thread.run_sync(Trainer, config, self.custom)
        async with self.lock:
            self.settings, self.trainer = settings, trainer
            self.record = RunRecord(settings, trainer.engine)
            self.pending, self.pending_first = [], 0
        await self.announce_run()
        if trainer.engine == "reference":
            warm_fast_engine(config)

    async def announce_run(self) -> None:
        t = self.trainer
        assert t is not None and self.record is not None
        data = t.data
        await self.send_json({
            "type": "run", "settings": self.settings, "engine": t.engine, "iteration": t.iteration,
            "sizes": [data.dim, *t.config.hidden, data.classes],
            "data": {"name": data.name, "n": data.n, "classes": data.classes,
                     "class_names": list(data.class_names), "notices": list(data.notices)}})
        await self.send_bytes(protocol.data_frame(self.next_seq(), data.X, data.y, data.classes))
        self.record.keyframe(t.iteration, t.weights())
        self.dirty = True
        self.unacked.clear()
        await self.offer_frame()
        await self.send_state()

    async def rewind(self) -> None:
        async with self.lock:
            assert self.trainer is not None
            await anyio.to_thread.run_sync(self.trainer.rewind)
            self.record = RunRecord(self.settings, self.trainer.engine)
            self.pending, self.pending_first = [], 0
        await self.announce_run()

    # ------------------------------------------------------------------ training
    def ensure_training(self) -> None:
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self.train_loop())

    async def train_loop(self) -> None:
        next_tick = time.monotonic()
        try:
            while (self.playing or self.todo > 0) and not self.closed:
                if not await self.can_continue():
                    break
                n = self.speed if self.playing else min(self.speed, self.todo)
                async with self.lock:
                    t, rec = self.trainer, self.record
                    assert t is not None and rec is not None
                    try:
                        losses, accs = await anyio.to_thread.run_sync(t.step, n)
                    except ChainruleError as exc:  # divergence: say so, stop
                        self.playing, self.todo = False, 0
                        await self.error(exc.message)
                        break
                    rec.add(losses, accs)
                    rec.keyframe(t.iteration, t.weights())
                    self.pending.append((losses, accs))
                    self.dirty = True
                    if not self.playing:
                        self.todo = max(0, self.todo - n)
                    await self.offer_frame()
                now = time.monotonic()
                next_tick = max(next_tick + FRAME_INTERVAL, now)
                await asyncio.sleep(next_tick - now)
        except GONE:
            return
        if not self.closed:
            with suppress(*GONE):
                await self.send_state()

    async def can_continue(self) -> bool:
        """Stop at the history cap, and when the page has not answered for STALL_SECONDS."""
        rec = self.record
        if rec is not None and rec.full:
            self.playing, self.todo = False, 0
            await self.send_json({"type": "notice", "message": f"The page keeps {protocol.MAX_HISTORY:,} "
                                  "iterations of one run; rewind or change a setting to start again."})
            return False
        if self.unacked and time.monotonic() - self.last_ack > STALL_SECONDS:
            self.playing, self.todo = False, 0
            return False
        return True

    # ------------------------------------------------------------------ messages
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
        await self.new_run({**self.settings, "dataset": "custom"})

    async def on_points(self, msg: dict[str, Any]) -> None:
        assert self.trainer is not None
        base = self.custom or self.trainer.data
        self.custom = edit_points(base, msg.get("add") or [], msg.get("remove") or [])
        await self.new_run({**self.settings, "dataset": "custom"})

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

    async def on_export(self, msg: dict[str, Any]) -> None:
        from chainrule.serve.export import export_run

        async with self.lock:
            t, rec = self.trainer, self.record
            assert t is not None and rec is not None
            html, run = await anyio.to_thread.run_sync(export_run, self.page, t, rec)
        await self.send_json({"type": "export", "html": html, "run": run})

    # ------------------------------------------------------------------ lifetime
    async def serve(self) -> None:
        await self.ws.accept()
        try:
            await self.send_json({"type": "hello", "defaults": self.defaults, "default_step": DEFAULT_STEP,
                                  "note": getattr(self.page, "train_note", ""),
                                  "limits": {"upload_bytes": protocol.MAX_UPLOAD_BYTES,
                                             "rows": protocol.MAX_ROWS,
                                             "history": protocol.MAX_HISTORY},
                                  "window": protocol.WINDOW})
            while True:
                message = await self.ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                await self.dispatch(message)
        except GONE:
            pass
        finally:
            await self.close()

    async def dispatch(self, message: dict[str, Any]) -> None:
        text = message.get("text")
        if text is None:
            await self.error("The page sends JSON text messages only.")
            return
        if len(text) > protocol.MAX_MESSAGE_BYTES:
            await self.error("That message is too large for the page's server.")
            return
        try:
            msg = json.loads(text)
            if not isinstance(msg, dict):
                raise ValueError
        except ValueError:
            await self.error("The page sent a message that is not a JSON object.")
            return
        try:
            await self.handle(msg)
        except ChainruleError as exc:
            await self.error(exc.message, exc.option)

    async def close(self) -> None:
        """Stop training and let go of everything this page held."""
        self.closed = True
        self.playing, self.todo = False, 0
        task, self.task = self.task, None
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError, *GONE):
                await task
        self.trainer = self.record = self.custom = None
        self.pending = []
