"""What a page's run has produced: every iteration's loss and accuracy, and weight keyframes.

Bounded by construction: at most :data:`~chainrule.serve.protocol.MAX_HISTORY` iterations
(the trainer stops there) and :data:`~chainrule.serve.protocol.MAX_KEYFRAMES` weight
snapshots, fewer for a big network (:data:`~chainrule.serve.protocol.MAX_KEYFRAME_BYTES`);
when full, every other one is dropped and snapshots are taken half as often,
so the export of a long run replays it at a coarser grain instead of growing without end.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.serve import protocol
from chainrule.serve.protocol import MAX_HISTORY
from chainrule.training import Params


def _plain(x: float) -> Any:
    """A number for JSON: None where it was not measured (a script's accuracy between frames)."""
    return float(x) if np.isfinite(x) else None


class RunRecord:
    """Losses, accuracies and keyframes ``(iteration, float32 weights)`` of one run."""

    def __init__(self, settings: dict[str, Any], engine: str) -> None:
        self.settings, self.engine = dict(settings), engine
        self.losses = np.zeros(0, np.float32)
        self.accuracies = np.zeros(0, np.float32)
        self._buf_l: list[np.ndarray] = []
        self._buf_a: list[np.ndarray] = []
        self.keyframes: list[tuple[int, Params]] = []
        self.every = 1  # take a keyframe every `every` iterations

    @property
    def iterations(self) -> int:
        return len(self.losses) + sum(len(b) for b in self._buf_l)

    @property
    def full(self) -> bool:
        return self.iterations >= MAX_HISTORY

    def add(self, losses: np.ndarray, accuracies: np.ndarray) -> None:
        self._buf_l.append(np.asarray(losses, np.float32))
        self._buf_a.append(np.asarray(accuracies, np.float32))
        if len(self._buf_l) > 64:
            self._flush()

    def _flush(self) -> None:
        if self._buf_l:
            self.losses = np.concatenate([self.losses, *self._buf_l])
            self.accuracies = np.concatenate([self.accuracies, *self._buf_a])
            self._buf_l, self._buf_a = [], []

    def history(self) -> tuple[np.ndarray, np.ndarray]:
        self._flush()
        return self.losses, self.accuracies

    def keyframe(self, iteration: int, params: Params) -> None:
        """Keep the weights after ``iteration`` if it falls on the current grain."""
        if iteration % self.every and iteration != 0:
            return
        self.keyframes.append((iteration, [(np.asarray(W, np.float32).copy(),
                                            np.asarray(b, np.float32).ravel().copy())
                                           for W, b in params]))
        size = sum(W.nbytes + b.nbytes for W, b in self.keyframes[-1][1])
        cap = max(2, min(protocol.MAX_KEYFRAMES, protocol.MAX_KEYFRAME_BYTES // max(1, size)))
        if len(self.keyframes) > cap:
            self.every *= 2
            self.keyframes = [k for k in self.keyframes if k[0] % self.every == 0]

    def run_json(self, data_name: str, n_points: int, classes: int) -> dict[str, Any]:
        """The ``run.json`` of the export: settings, data, per-iteration history."""
        losses, accs = self.history()
        return {"chainrule": "run", "version": 1, "settings": self.settings, "engine": self.engine,
                "data": {"name": data_name, "points": n_points, "classes": classes},
                "iterations": int(len(losses)),
                "losses": [_plain(x) for x in losses], "accuracies": [_plain(x) for x in accs],
                "keyframes": [k[0] for k in self.keyframes]}
