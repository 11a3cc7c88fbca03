"""One page's WebSocket session: control messages in, frames out, training in between.

The page's messages and what each does are in :mod:`.messages` (the ``on_*`` handlers this
class inherits); this module holds the machinery: sending (one ASGI send at a time), the
back-pressure window (:data:`~chainrule.serve.protocol.WINDOW` TRAIN frames unacknowledged at
most; newer weights are dropped, never queued, and their losses ride along in the next
frame), runs (a :class:`~chainrule.serve.trainer.Trainer` and its
:class:`~chainrule.serve.record.RunRecord`), the training loop in a worker thread (at most
60 frames a second) and the clean-up when the page goes away.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from contextlib import suppress
from typing import Any, Optional

import anyio
import numpy as np
from starlette.websockets import WebSocket, WebSocketDisconnect

from chainrule.config import DEFAULT_STEP
from chainrule.errors import ChainruleError
from chainrule.serve import protocol
from chainrule.serve.messages import Handlers
from chainrule.serve.record import RunRecord
from chainrule.serve.settings import DEFAULTS, parse_settings
from chainrule.serve.scripttrainer import ScriptTrainer, boundary_info
from chainrule.serve.trainer import Trainer, warm_fast_engine

FRAME_INTERVAL = 1 / 60  # the server offers at most 60 frames a second
STALL_SECONDS = 20.0  # frames unacknowledged this long: the page is gone or frozen
GONE = (WebSocketDisconnect, ConnectionError, RuntimeError)


class PageSession(Handlers):
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
        self.last_printed = 0.0

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
        grid = self.trainer.boundary() if hasattr(self.trainer, "boundary") else None
        if grid is not None:
            await self.send_bytes(protocol.boundary_frame(self.next_seq(), self.trainer.iteration, grid[0],
                                                          grid[1], self.trainer.data.classes))
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
                              "sent": self.sent, "dropped": self.dropped,
                              "finished": getattr(t, "finished", ""), "printed": getattr(t, "printed", [])[-6:]})

    # ------------------------------------------------------------------ runs
    async def new_run(self, raw: dict[str, Any]) -> None:
        """Validate ``raw`` settings and start a new run at iteration 0 (keeps playing if it was)."""
        if raw.get("dataset") != "custom":
            self.custom = None  # the page went back to a generated data set
        settings, config = parse_settings({**self.defaults, **raw}, self.custom)
        if settings["train"] == "script":
            plan = getattr(self.page, "plan", None)
            if plan is None or not plan.streamable:
                raise ChainruleError(plan.why[:1].upper() + plan.why[1:] + "." if plan is not None else
                                     "There is no script to run: start `chainrule serve YOUR_SCRIPT.py`.",
                                     option="train")
            trainer = await anyio.to_thread.run_sync(ScriptTrainer, plan, settings["seed"] or 0)
        else:
            trainer = await anyio.to_thread.run_sync(Trainer, config, self.custom)
        async with self.lock:
            old = self.trainer
            self.settings, self.trainer = settings, trainer
            self.record = RunRecord(settings, trainer.engine)
            self.pending, self.pending_first = [], 0
        if hasattr(old, "close"):
            old.close()
        await self.announce_run()
        if trainer.engine == "reference":
            warm_fast_engine(config)

    async def announce_run(self) -> None:
        t = self.trainer
        assert t is not None and self.record is not None
        data = t.data
        await self.send_json({
            "type": "run", "settings": self.settings, "engine": t.engine, "iteration": t.iteration,
            "sizes": list(t.sizes), "boundary": boundary_info(t, self.settings),
            "data": {"name": data.name, "n": data.n, "classes": data.classes,
                     "class_names": list(data.class_names), "notices": list(data.notices)
                     + list(getattr(t, "notes", []))}})
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
                    warning = t.take_warning() if hasattr(t, "take_warning") else ""
                    if warning:
                        await self.send_json({"type": "notice", "message": warning})
                    if getattr(t, "finished", ""):  # the learner's script: its training loop is over
                        self.playing, self.todo = False, 0
                        await self.send_json({"type": "notice", "message": f"{t.plan.name}: {t.finished} "
                                              f"after {t.iteration} iterations, as python {t.plan.name} would."})
                        break
                    if getattr(t, "printed", None) and time.monotonic() - self.last_printed > 0.25:
                        self.last_printed = time.monotonic()
                        await self.send_json({"type": "printed", "lines": t.printed[-6:]})
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
        except GONE:
            raise
        except Exception as exc:  # a bug of ours: say so on the page and in the terminal, keep serving
            print(f"chainrule serve: internal error on a {msg.get('type')!r} message: "
                  f"{type(exc).__name__}: {exc}", file=sys.stderr)
            await self.error(f"chainrule hit an internal error ({type(exc).__name__}: {exc}). This is a "
                             "bug in chainrule, not in what you did; please report it.")

    async def close(self) -> None:
        """Stop training and let go of everything this page held."""
        self.closed = True
        self.playing, self.todo = False, 0
        task, self.task = self.task, None
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError, *GONE):
                await task
        if hasattr(self.trainer, "close"):
            self.trainer.close()  # a learner's script: its child process goes with the page
        self.trainer = self.record = self.custom = None
        self.pending = []
