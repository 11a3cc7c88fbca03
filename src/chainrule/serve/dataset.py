"""The page's own data: a CSV upload, and points added or removed by clicking.

Both give a :class:`chainrule.data.Dataset`, checked against the page's limits
(:data:`~chainrule.serve.protocol.MAX_UPLOAD_BYTES`, :data:`~chainrule.serve.protocol.MAX_ROWS`,
two features, two to six classes) with a one-paragraph message naming the file and the fix.
An upload is read by :func:`chainrule.csvdata.load_csv` from a private temporary folder
(the file name is reduced to a plain base name first), so its messages name the learner's file.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from chainrule.csvdata import load_csv
from chainrule.data import Dataset
from chainrule.errors import ChainruleError
from chainrule.serve.protocol import MAX_ROWS, MAX_UPLOAD_BYTES
from chainrule.serve.settings import MAX_CLASSES


def safe_name(name: Any) -> str:
    """A plain base name for an uploaded file (no folders, no odd characters)."""
    base = Path(str(name or "")).name if isinstance(name, str) else ""
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "upload"
    return base[:80] if base.lower().endswith(".csv") else base[:76] + ".csv"


def upload_dataset(name: Any, text: Any) -> Dataset:
    """Read an uploaded CSV (features, then a label column) into a 2-D Dataset."""
    fname = safe_name(name)
    if not isinstance(text, str):
        raise ChainruleError(f"The upload of {fname} held no text: choose a CSV file.", file=fname)
    size = len(text.encode("utf-8"))
    if size > MAX_UPLOAD_BYTES:
        raise ChainruleError(
            f"{fname} is {size / 1e6:.1f} MB; the page takes CSV files up to "
            f"{MAX_UPLOAD_BYTES / 1e6:.0f} MB and {MAX_ROWS} rows. Train on a bigger file with "
            f"`chainrule train --dataset csv:{fname}`.", file=fname)
    with tempfile.TemporaryDirectory(prefix="chainrule-upload-") as tmp:
        path = Path(tmp) / fname
        path.write_text(text, encoding="utf-8")
        data = load_csv(path)
    data.name = fname
    check_dataset(data, fname)
    return data


def check_dataset(data: Dataset, what: str) -> None:
    if data.dim != 2:
        raise ChainruleError(
            f"{what} has {data.dim} feature columns; the page draws points in the plane, so it "
            "needs exactly 2 (x, y) before the label column. `chainrule train --dataset "
            f"csv:{what}` trains on any number of features.", file=what)
    if data.n > MAX_ROWS:
        raise ChainruleError(f"{what} has {data.n} rows; the page takes at most {MAX_ROWS}. Keep a "
                             "sample of the rows, or train on the whole file with `chainrule train`.",
                             file=what)
    if not 2 <= data.classes <= MAX_CLASSES:
        raise ChainruleError(f"{what} has {data.classes} classes; the page draws 2 to {MAX_CLASSES}.",
                             file=what)


def _pairs(items: Any, width: int, what: str) -> np.ndarray:
    try:
        arr = np.asarray(items, dtype=float).reshape(-1, width)
    except (TypeError, ValueError):
        raise ChainruleError(f"The page sent points to {what} that are not [x, y"
                             f"{', class' if width == 3 else ''}] lists.") from None
    if not np.all(np.isfinite(arr)):
        raise ChainruleError(f"The page sent a point to {what} that is not a finite number.")
    return arr


def edit_points(base: Dataset, add: Sequence[Any], remove: Sequence[Any]) -> Dataset:
    """``base`` with points added (``[x, y, class]``) and the nearest point to each ``[x, y]`` removed."""
    X, y = base.X.copy(), base.y.copy()
    names = list(base.class_names)
    for x0, y0 in _pairs(remove, 2, "remove"):
        if len(y):
            k = int(np.argmin((X[:, 0] - x0) ** 2 + (X[:, 1] - y0) ** 2))
            X, y = np.delete(X, k, axis=0), np.delete(y, k)
    new = _pairs(add, 3, "add")
    if len(new):
        labels = new[:, 2]
        if np.any(labels != np.round(labels)) or labels.min() < 0 or labels.max() >= MAX_CLASSES:
            raise ChainruleError(f"A clicked point's class must be a whole number from 0 to {MAX_CLASSES - 1}.")
        X = np.vstack([X, new[:, :2]])
        y = np.concatenate([y, labels.astype(y.dtype)])
    classes = max(base.classes, int(y.max()) + 1 if len(y) else 0)
    names += [str(k) for k in range(len(names), classes)]
    if len(y) > MAX_ROWS:
        raise ChainruleError(f"The page keeps at most {MAX_ROWS} points; remove some before adding more.")
    if len(np.unique(y)) < 2:
        raise ChainruleError("Keep points of at least two classes: a classifier needs two.")
    name = base.name if base.name.endswith("(edited)") else f"{base.name} (edited)"
    return Dataset(X, y.astype(np.int64), name, classes, [], names)
