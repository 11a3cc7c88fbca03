"""The page's WebSocket protocol: binary frames for numbers, JSON for control.

One WebSocket per page (``/ws``).  Text messages are JSON objects with a ``"type"``;
binary messages are *frames*, little-endian, every field 4-byte aligned so that the
page reads the numbers with ``Float32Array`` views, without copying::

    offset  type     field
    0       u8       kind       1 = TRAIN, 2 = DATA, 3 = HEATMAP, 4 = BOUNDARY
    1       u8       version    1
    2       u16      count      TRAIN: layers;  DATA: classes;  HEATMAP: 0;  BOUNDARY: classes
    4       u32      seq        frame number of this page (acknowledged by the page)
    8       u32      a          TRAIN: iteration after the frame (weights are those of it)
                                DATA: N points;        HEATMAP, BOUNDARY: rows of the grid
    12      u32      b          TRAIN: first iteration of the losses below
                                DATA: 0;               HEATMAP, BOUNDARY: columns of the grid
    16      u32      c          TRAIN: n, the number of losses;  BOUNDARY: iteration;  else 0
    20      ...      TRAIN: count × (u32 fan_in, u32 fan_out), then f32 losses[n],
                     f32 accuracies[n], then per layer f32 W[fan_in·fan_out] (row-major)
                     and f32 b[fan_out]
                     DATA: f32 X[N·2] (row-major), f32 y[N]
                     HEATMAP: f32 grid[rows·cols] (row-major)
                     BOUNDARY: f32 class[rows·cols], f32 probability[rows·cols] (row-major, top row
                     first): the decision boundary the server computed (a script's forward pass
                     replayed on a grid); sent just before the TRAIN frame of the same weights

The page answers every TRAIN frame with ``{"type": "ack", "seq": seq}``; the server keeps
at most :data:`WINDOW` frames unacknowledged and *drops* (does not queue) the weights of
any frame it cannot send; the losses of dropped frames ride along in the next one.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Sequence

import numpy as np

TRAIN, DATA, HEATMAP, BOUNDARY = 1, 2, 3, 4
VERSION = 1
HEADER = struct.Struct("<BBHIIII")  # kind, version, count, seq, a, b, c
WINDOW = 2  # TRAIN frames in flight before the server drops

#: Limits that bound the memory and work of one page.
MAX_UPLOAD_BYTES = 1_000_000  # a CSV upload
MAX_ROWS = 5_000  # points of a data set (uploaded, generated or clicked)
MAX_MESSAGE_BYTES = 1_500_000  # any WebSocket message (uvicorn's ws_max_size)
MAX_HISTORY = 200_000  # iterations of loss/accuracy kept per run
MAX_KEYFRAMES = 240  # weight snapshots kept for the export's replay ...
MAX_KEYFRAME_BYTES = 24_000_000  # ... and at most this many bytes of them (float32)
MAX_PAGES = 16  # pages connected at once


@dataclass
class TrainFrame:
    """A decoded TRAIN frame (what the page reads)."""

    seq: int
    iteration: int
    first: int
    losses: np.ndarray  # (n,) float32
    accuracies: np.ndarray  # (n,) float32
    params: list[tuple[np.ndarray, np.ndarray]]  # [(W (fan_in, fan_out), b (fan_out,))]


def train_frame(seq: int, iteration: int, first: int, losses: Sequence[float],
                accuracies: Sequence[float], params: Sequence[tuple[np.ndarray, np.ndarray]]) -> bytes:
    """Encode the weights after ``iteration`` and the losses of iterations ``first..``."""
    if len(losses) != len(accuracies):
        raise ValueError("one accuracy per loss")
    shapes = [np.shape(W) for W, _ in params]
    head = HEADER.pack(TRAIN, VERSION, len(params), seq, iteration, first, len(losses))
    dims = struct.pack(f"<{2 * len(shapes)}I", *(d for s in shapes for d in s))
    parts = [head, dims, np.asarray(losses, "<f4").tobytes(), np.asarray(accuracies, "<f4").tobytes()]
    for W, b in params:
        parts.append(np.ascontiguousarray(W, "<f4").tobytes())
        parts.append(np.ascontiguousarray(b, "<f4").ravel().tobytes())
    return b"".join(parts)


def data_frame(seq: int, X: np.ndarray, y: np.ndarray, classes: int) -> bytes:
    """Encode a 2-D data set: ``X`` (N, 2) and labels ``y`` (N,) in ``0..classes-1``."""
    X = np.ascontiguousarray(X, "<f4")
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"the page draws 2-D data, got X of shape {X.shape}")
    head = HEADER.pack(DATA, VERSION, classes, seq, X.shape[0], 0, 0)
    return head + X.tobytes() + np.asarray(y, "<f4").tobytes()


def heatmap_frame(seq: int, grid: np.ndarray) -> bytes:
    """Encode a 2-D grid of floats (a down-sampled full-size array)."""
    g = np.ascontiguousarray(np.atleast_2d(grid), "<f4")
    return HEADER.pack(HEATMAP, VERSION, 0, seq, g.shape[0], g.shape[1], 0) + g.tobytes()


def boundary_frame(seq: int, iteration: int, cls: np.ndarray, prob: np.ndarray, classes: int) -> bytes:
    """Encode a decision boundary: the class and its probability in each cell of a square grid."""
    G = int(round(np.sqrt(np.size(cls))))
    head = HEADER.pack(BOUNDARY, VERSION, classes, seq, G, G, iteration)
    return head + np.asarray(cls, "<f4").tobytes() + np.asarray(prob, "<f4").tobytes()


def decode_boundary(frame: bytes) -> tuple[np.ndarray, np.ndarray, int, int]:
    """``(class grid, probability grid, classes, iteration)`` of a BOUNDARY frame."""
    kind, _, classes, _, rows, cols, iteration = HEADER.unpack_from(frame, 0)
    if kind != BOUNDARY:
        raise ValueError(f"not a BOUNDARY frame: kind {kind}")
    f32 = np.frombuffer(frame, "<f4", offset=HEADER.size)
    n = rows * cols
    return f32[:n].reshape(rows, cols), f32[n:2 * n].reshape(rows, cols), classes, iteration


def kind_of(frame: bytes) -> int:
    return frame[0]


def decode_train(frame: bytes) -> TrainFrame:
    """The inverse of :func:`train_frame` (used by the tests and the export)."""
    kind, version, layers, seq, iteration, first, n = HEADER.unpack_from(frame, 0)
    if kind != TRAIN or version != VERSION:
        raise ValueError(f"not a TRAIN frame of version {VERSION}: kind {kind}, version {version}")
    off = HEADER.size
    dims = struct.unpack_from(f"<{2 * layers}I", frame, off)
    off += 8 * layers
    f32 = np.frombuffer(frame, "<f4", offset=off)
    losses, accs = f32[:n], f32[n:2 * n]
    pos = 2 * n
    params = []
    for k in range(layers):
        fi, fo = dims[2 * k], dims[2 * k + 1]
        W = f32[pos:pos + fi * fo].reshape(fi, fo)
        pos += fi * fo
        params.append((W, f32[pos:pos + fo]))
        pos += fo
    if pos != len(f32):
        raise ValueError("TRAIN frame length does not match its header")
    return TrainFrame(seq, iteration, first, losses, accs, params)


def decode_data(frame: bytes) -> tuple[np.ndarray, np.ndarray, int]:
    kind, _, classes, _, n, _, _ = HEADER.unpack_from(frame, 0)
    if kind != DATA:
        raise ValueError(f"not a DATA frame: kind {kind}")
    f32 = np.frombuffer(frame, "<f4", offset=HEADER.size)
    return f32[:2 * n].reshape(n, 2), f32[2 * n:3 * n], classes


def decode_heatmap(frame: bytes) -> np.ndarray:
    kind, _, _, _, rows, cols, _ = HEADER.unpack_from(frame, 0)
    if kind != HEATMAP:
        raise ValueError(f"not a HEATMAP frame: kind {kind}")
    return np.frombuffer(frame, "<f4", offset=HEADER.size).reshape(rows, cols)
