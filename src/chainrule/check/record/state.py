"""The record of one run: nodes (one per numpy operation), the clock, and the recorder's mode.

A :class:`Node` is one operation the script ran on arrays: its op-table name (``"matmul"``,
``"add"``, ``"getitem"``, ``"setitem"``, ``"sum"``, ...), its inputs (other nodes or plain
Python values), the array it produced (a plain ``ndarray`` view of the script's own array:
no copy) and the place in the script that ran it (:class:`Site`).  An in-place edit
(``W -= ...``, ``d[mask] = 0``, ``out=``) makes a new *version* of the same array object: a
new node with the same ``obj``; the old version's value is copied first (only then, and
only if that version was recorded), so the record never rewrites history.

There is one recorder per process (:data:`REC`); the run stage (``record.run``) switches it
on for the script and off afterwards.  Nodes are kept only for the part of the run that is
being recorded; :meth:`Recorder.reset` drops everything before a new window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np


SEARCH, SKIP, ANALYSE, DONE = "search", "skip", "analyse", "done"  # the tracer's modes


class StopScript(BaseException):
    """Raised into the script once the analysed iteration is over (never caught by ``except Exception``)."""


@dataclass(frozen=True, slots=True)
class Site:
    """Where an operation ran: the innermost frame of the learner's own code."""

    file: str
    line: int  # line of the instruction
    col: int
    end_line: int
    end_col: int
    execution: int  # which execution of its statement (a counter of line events)
    frame: int  # which call of the function (a counter of calls)


@dataclass(eq=False, slots=True)
class Node:
    id: int  # the clock when it was made: nodes are in execution order
    op: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    value: Any = None  # plain ndarray (or None for a failed op)
    site: Optional[Site] = None
    obj: int = 0  # identity of the array object; versions share it
    prev: Optional["Node"] = None  # the version this in-place op replaced
    birth: int = 0  # clock when the array object was created (for leaves: before the window)
    error: Optional[BaseException] = None
    stale: bool = False  # dropped by a reset: treat as a fresh leaf when used again
    dirty: bool = False  # its value was copied because its memory was written in place

    @property
    def shape(self) -> tuple:
        return tuple(np.shape(self.value)) if self.value is not None else ()

    @property
    def is_leaf(self) -> bool:
        return self.op in ("leaf", "const")

    def inputs(self) -> list["Node"]:
        """The nodes among the arguments (also inside tuples/lists, keyword arguments and index keys)."""
        out: list[Node] = []
        _collect(self.args, out)
        _collect(tuple(self.kwargs.values()), out)
        return out

    def __repr__(self) -> str:  # short, for debugging
        where = f"{self.site.line}" if self.site else "?"
        return f"<{self.id} {self.op} {self.shape} @{where}>"


def _collect(items, out: list) -> None:
    for a in items:
        if isinstance(a, Node):
            out.append(a)
        elif isinstance(a, (tuple, list)):
            _collect(a, out)
        elif isinstance(a, slice):
            _collect((a.start, a.stop, a.step), out)


def upstream(roots, since: int = 0, through=None):
    """Every node the ``roots`` are computed from (inputs and earlier versions), each once.

    Nodes made before clock ``since`` are yielded but not walked past; ``through(node)`` may stop the
    walk at other nodes too.
    """
    stack, seen = list(roots), set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        yield n
        if n.id < since or (through is not None and not through(n)):
            continue
        stack.extend(n.inputs())
        if n.prev is not None:
            stack.append(n.prev)


def ultimate_base(a: np.ndarray) -> np.ndarray:
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


class Recorder:
    """The process-wide recorder state (see the module docstring)."""

    def __init__(self) -> None:
        self.active = False  # the script is running under chainrule
        self.recording = False  # nodes are being made
        self.stopped = False  # the analysed iteration is over: every numpy call stops the script
        self.paused = 0  # >0 while chainrule itself evaluates something inside the script
        self.clock = 0
        self.oids = 0
        self.nodes: list[Node] = []
        self.base = 0  # clock at the last reset
        self.views: dict[int, list[Node]] = {}  # id(ultimate base) -> nodes whose value views it
        self.consts: dict[int, Node] = {}  # id(plain array) -> its node (arrays written through out=)
        self.keep: list[Any] = []  # plain arrays whose id is a key above (kept alive)
        self.site_of = None  # callable() -> Site (installed by the tracer)
        self.on_op = None  # callable(node) after every recorded op (update detection)

    def tick(self) -> int:
        self.clock += 1
        return self.clock

    def new_oid(self) -> int:
        self.oids += 1
        return self.oids

    def reset(self) -> None:
        """Drop every node: arrays made before now become leaves when they are used again."""
        for n in self.nodes:
            n.stale = True
            n.args, n.kwargs, n.value, n.prev = (), {}, None, None
        self.nodes = []
        self.views = {}
        self.consts = {}
        self.keep = []
        self.base = self.tick()

    def add(self, node: Node) -> Node:
        self.nodes.append(node)
        v = node.value
        if isinstance(v, np.ndarray):
            self.views.setdefault(id(ultimate_base(v)), []).append(node)
        return node

    def before_write(self, target: np.ndarray) -> None:
        """``target`` is about to be written in place: copy every recorded value that shares its memory."""
        key = id(ultimate_base(target))
        nodes = self.views.get(key)
        if not nodes:
            return
        keep = []
        for n in nodes:
            v = n.value
            if v is None:
                continue
            if np.may_share_memory(v, target):
                n.value = v.copy()  # this version keeps the value it had
                n.dirty = True
            else:
                keep.append(n)
        self.views[key] = keep

    def clear(self) -> None:
        self.__init__()


REC = Recorder()
