"""Every array reachable from a frame of the learner's code, by the path a learner would write.

:func:`scan` walks a frame's local variables and its module's globals, then (a few levels
deep) the lists, tuples and dicts in them and the attributes of objects of the learner's own
classes: ``W2``, ``parameters["W1"]``, ``self.weights[0]``, ``dense1.weights``.  It returns
path -> array (shallowest path first) and path -> number, and can wrap every plain ``ndarray``
it finds as a :class:`~chainrule.check.record.traced.Traced` view in place (same memory), so
that arrays made before the recorded window (loaded with pickle, made by a library) are
followed too.
"""

from __future__ import annotations

import ctypes
import sys
import types
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np

from chainrule.check.record.traced import Traced

MAX_DEPTH = 4
MAX_ITEMS = 256


@dataclass
class Scan:
    arrays: dict[str, Any] = field(default_factory=dict)  # path -> array (strong references)
    numbers: dict[str, float] = field(default_factory=dict)  # path -> int/float value

    def oid_paths(self) -> dict[int, str]:
        """oid -> the shallowest path of that Traced array."""
        out: dict[int, str] = {}
        for p, a in self.arrays.items():
            if isinstance(a, Traced):
                out.setdefault(a._cr_oid, p)
        return out


def _user_object(obj: Any, is_user: Callable[[str], bool]) -> bool:
    if isinstance(obj, types.SimpleNamespace):
        return True
    mod = sys.modules.get(type(obj).__module__)
    f = getattr(mod, "__file__", None) if mod is not None else None
    return bool(f) and is_user(f) and hasattr(obj, "__dict__")


def _wrappable(v: Any) -> bool:
    return type(v) is np.ndarray and v.dtype.kind in "fiub" and v.size > 0


def scan(frame: types.FrameType, is_user: Callable[[str], bool], wrap: bool = True,
         scalars: frozenset = frozenset(), later: frozenset = frozenset()) -> Scan:
    """Arrays and numbers reachable from ``frame`` (see the module docstring).

    ``later``: local names walked last (loop variables: ``layer`` is also ``self.layers[2]``, and the
    stable name is the better one).  An object reached twice gives its arrays both paths.
    """
    out = Scan()
    seen: set[int] = set()
    first_path: dict[int, str] = {}
    aliases: list[tuple[str, str]] = []
    module_frame = frame.f_code.co_name == "<module>"
    local = frame.f_globals if module_frame else frame.f_locals
    changed: dict[str, Any] = {}
    queue: list[tuple[Any, str, int, Optional[Callable[[Any], None]]]] = []

    def root(d: dict, is_local: bool) -> None:
        for k, v in list(d.items()):
            if not isinstance(k, str) or k.startswith("__"):
                continue
            if is_local and not module_frame:
                setter = (lambda val, k=k: changed.__setitem__(k, val))
            else:
                setter = (lambda val, k=k, d=d: d.__setitem__(k, val))
            queue.append((v, k, 0, setter))

    root(local, True)
    if not module_frame:
        root(frame.f_globals, False)
    if later:
        queue.sort(key=lambda item: item[1] in later)
    i = 0
    while i < len(queue):
        v, path, depth, setter = queue[i]
        i += 1
        if isinstance(v, bool) or v is None:
            continue
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            out.numbers.setdefault(path, v)
            if wrap and path in scalars and setter is not None:
                t = np.asarray(float(v)).view(Traced)
                setter(t)
                out.arrays.setdefault(path, t)
            continue
        if isinstance(v, np.ndarray):
            if id(v) in seen:
                out.arrays.setdefault(path, v)
                continue
            seen.add(id(v))
            if wrap and setter is not None and _wrappable(v):
                v = v.view(Traced)
                setter(v)
            out.arrays.setdefault(path, v)
            continue
        if isinstance(v, (str, bytes, types.ModuleType, type, types.FunctionType, types.MethodType)):
            continue
        if id(v) in seen:
            if id(v) in first_path and first_path[id(v)] != path:
                aliases.append((path, first_path[id(v)]))
            continue
        if depth >= MAX_DEPTH:
            continue
        seen.add(id(v))
        first_path[id(v)] = path
        if isinstance(v, dict) and len(v) <= MAX_ITEMS:
            for k, x in list(v.items()):
                if isinstance(k, (str, int)) and not isinstance(k, bool):
                    key = f'{path}["{k}"]' if isinstance(k, str) else f"{path}[{k}]"
                    queue.append((x, key, depth + 1, (lambda val, k=k, d=v: d.__setitem__(k, val))))
        elif isinstance(v, list) and len(v) <= MAX_ITEMS:
            for j, x in enumerate(v):
                queue.append((x, f"{path}[{j}]", depth + 1, (lambda val, j=j, lst=v: lst.__setitem__(j, val))))
        elif isinstance(v, tuple) and len(v) <= MAX_ITEMS:
            for j, x in enumerate(v):
                queue.append((x, f"{path}[{j}]", depth + 1, _tuple_setter(v, j, setter)))
        elif _user_object(v, is_user):
            for k, x in list(vars(v).items()):
                if not k.startswith("__"):
                    queue.append((x, f"{path}.{k}", depth + 1, (lambda val, k=k, o=v: _setattr(o, k, val))))
    if changed and not module_frame:
        write_locals(frame, changed)
    for new, old in aliases:  # self.layers[2] is also `layer`: its arrays under both names
        for p, a in list(out.arrays.items()):
            if p.startswith(old) and p[len(old):len(old) + 1] in (".", "["):
                out.arrays.setdefault(new + p[len(old):], a)
    return out


def _tuple_setter(tup: tuple, j: int, parent: Optional[Callable[[Any], None]]):
    if parent is None:
        return None
    box = [tup]

    def set_item(val: Any) -> None:
        items = list(box[0])
        items[j] = val
        box[0] = type(tup)(items) if type(tup) is tuple else tup.__class__(*items)
        parent(box[0])
    return set_item


def _setattr(obj: Any, k: str, val: Any) -> None:
    try:
        setattr(obj, k, val)
    except Exception:  # read-only properties, __slots__: leave it plain
        pass


def write_locals(frame: types.FrameType, values: dict[str, Any]) -> None:
    """Set local variables of a running function frame (Python 3.11: through PyFrame_LocalsToFast)."""
    d = frame.f_locals
    d.update(values)
    ctypes.pythonapi.PyFrame_LocalsToFast(ctypes.py_object(frame), ctypes.c_int(0))
