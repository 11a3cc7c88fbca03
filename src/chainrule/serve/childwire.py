"""Messages between the server and the child process that runs a learner's script.

One message is a JSON header and the raw bytes of its arrays (no pickle: either side only
ever decodes numbers and plain JSON)::

    u32 header length | header JSON {"type": ..., "arrays": [[dtype, shape], ...], ...} | array bytes ...

Server → child: ``plan`` (what to follow, with the analysed iteration's starting weights),
``go`` (``n`` more iterations).  Child → server: ``ready`` (at the first iteration, its
weights), ``frame`` (the weights after ``iteration`` iterations, the losses and the lines the
script printed since the last frame), ``end`` (the training loop is over) and ``error``.
"""

from __future__ import annotations

import json
import struct
from typing import Any, BinaryIO, Optional

import numpy as np

LENGTH = struct.Struct("<I")
MAX_HEADER = 4_000_000
DTYPES = ("<f8", "<f4", "<i8", "|b1")


class WireClosed(Exception):
    """The other side went away (end of file on the pipe)."""


def send(out: BinaryIO, header: dict[str, Any], arrays: tuple[np.ndarray, ...] | list = ()) -> None:
    """Write one message and flush it."""
    plain = [np.array(a, dtype="<f8" if a.dtype.kind in "fc" else "<i8", order="C")  # 0-d stays 0-d
             for a in map(np.asarray, arrays)]
    head = dict(header, arrays=[[a.dtype.str, list(a.shape)] for a in plain])
    text = json.dumps(head, allow_nan=True, separators=(",", ":")).encode("utf-8")
    out.write(LENGTH.pack(len(text)) + text + b"".join(a.tobytes() for a in plain))
    out.flush()


def _exactly(inp: BinaryIO, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        b = inp.read(n - got)
        if not b:
            raise WireClosed()
        chunks.append(b)
        got += len(b)
    return b"".join(chunks)


def receive(inp: BinaryIO) -> tuple[dict[str, Any], list[np.ndarray]]:
    """Read one message: ``(header, arrays)``; :class:`WireClosed` at the end of the pipe."""
    (size,) = LENGTH.unpack(_exactly(inp, LENGTH.size))
    if size > MAX_HEADER:
        raise ValueError(f"a message header of {size} bytes")
    head = json.loads(_exactly(inp, size).decode("utf-8"))
    arrays = []
    for dtype, shape in head.pop("arrays", []):
        if dtype not in DTYPES:
            raise ValueError(f"an array of type {dtype!r}")
        count = int(np.prod(shape, dtype=np.int64))
        dt = np.dtype(dtype)
        arrays.append(np.frombuffer(_exactly(inp, count * dt.itemsize), dt).reshape(shape))
    return head, arrays


def number(v: Any) -> Optional[float]:
    """A loss as a plain float (a 0-d or one-element array, numpy scalar, int), or None."""
    try:
        a = np.asarray(v, dtype=float)
    except (TypeError, ValueError):
        return None
    return float(a.reshape(-1)[0]) if a.size == 1 else None
