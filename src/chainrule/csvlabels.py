"""The label column of a CSV file: class numbers or names → ``0..K-1``, exactly.

Labels that are already ``0..K-1`` are used as they are; other integers
(``1..K``, ``{0, 2, 5}``, ``99999999999999999999998``), integral decimals
(``1.0``, ``2e0``) or text (``red``/``blue``) are mapped to ``0..K-1`` in
sorted order, and a one-line note records the mapping.  Numbers are read with
:class:`decimal.Decimal`, never through a float, so two labels that differ in
the 20th digit stay two classes.
"""

from __future__ import annotations

import decimal
import re
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from chainrule.errors import ChainruleError

_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?(?:nan|inf|infinity)",
                     re.IGNORECASE)  # unambiguous: linear time even on a 10 MB cell
MAX_NUMBER_CHARS = 400  # no longer cell is a number (a float64 needs at most ~30 characters)


def is_number(cell: str) -> bool:
    """A decimal number (or nan/inf) as a CSV file writes it; a cell this long is never one."""
    return len(cell) <= MAX_NUMBER_CHARS and bool(_NUMBER.fullmatch(cell))
MAX_SHOWN = 40  # characters of a cell shown in a message or a note


def shown(cell: str) -> str:
    """``repr`` of a cell, cut to :data:`MAX_SHOWN` characters (a 10 MB cell stays readable)."""
    if len(cell) <= MAX_SHOWN:
        return repr(cell)
    return repr(cell[:MAX_SHOWN]) + f"… ({len(cell)} characters)"


def labels(p: Path, cells: Sequence, lines: Optional[Sequence[int]], width: int,
           delimiter: str) -> tuple[np.ndarray, list[str], Optional[str]]:
    """``y`` (N,) int64 in ``0..K-1``, the class names, and the mapping note (or None).

    ``cells``: the label of each row, stripped text (or an int64 array from
    the fast reader); ``lines``: their 1-based line numbers (None: the row
    numbers are the data rows').  Raises :class:`ChainruleError` naming the row.
    """
    arr = cells if isinstance(cells, np.ndarray) else np.asarray(cells, dtype=object)
    uniq_array, first_index, inverse = np.unique(arr, return_index=True, return_inverse=True)
    first, inverse = first_index.tolist(), inverse.ravel()
    row_of = lambda u: lines[first[u]] if lines else first[u] + 1  # noqa: E731
    where = lambda u: f"{p}, row {row_of(u)}, column {width}"  # noqa: E731
    if arr.dtype.kind == "i":  # the fast reader's whole numbers
        keys = uniq_array.tolist()
        names, is_float = [str(key) for key in keys], False
    else:
        keys, names, is_float = _text_keys(p, [str(u) for u in uniq_array.tolist()], first, inverse, where,
                                           lines, width, delimiter, str(arr[0]))
    return _classes(p, keys, names, is_float, inverse, len(arr), str(arr[0]), width)


def _text_keys(p, uniq, first, inverse, where, lines, width, delimiter, ref):
    """Keys (exact ints, or the text itself) of the distinct label cells; the checks that name a row."""
    for u, cell in enumerate(uniq):
        if not cell:
            raise ChainruleError(f"{where(u)}: the label is empty. The last column must hold each example's "
                                 f"class; fill it in or delete that row.", file=str(p))
        others = [d for d in ",;\t" if d != delimiter and d in cell]
        if others:
            raise ChainruleError(f"{where(u)}: the label {shown(cell)} contains a {_name(others[0])}, but "
                                 f"the file separates its cells with {_name(delimiter)}s: it mixes two "
                                 f"separators. Use one separator for every cell of every row.", file=str(p))
    numeric = [bool(is_number(c)) for c in uniq]
    if all(numeric):
        return _numbers(uniq, where)
    if not any(numeric):
        return list(uniq), list(uniq), False
    ref_numeric = numeric[int(inverse[0])]
    odd = min(u for u in range(len(uniq)) if numeric[u] != ref_numeric)
    ref_kind, kind = ("a number", "text") if ref_numeric else ("text", "a number")
    raise ChainruleError(
        f"{where(odd)}: the label {shown(uniq[odd])} is {kind} but the label on row "
        f"{lines[0] if lines else 1} is {ref_kind} ({shown(ref)}). Use one kind of label for every row "
        f"(class numbers 0, 1, ... or names).", file=str(p))


def _classes(p, keys, names, is_float, inverse, n, ref, width):
    """Number the classes 0..K-1 in sorted order; refuse one class, or a class per row."""
    classes = sorted(set(keys))
    k = len(classes)
    if k < 2:
        raise ChainruleError(
            f"{p}, column {width}: every row has the label {shown(ref)}, so there is only one class. "
            f"A classifier needs at least 2 classes; add examples of another class.", file=str(p))
    if n >= 20 and k > n // 2:
        raise ChainruleError(
            f"{p}, column {width}: the label column has {k} different values in {n} rows, so most classes "
            f"would have a single example. The last column must hold the class of each row (a few values "
            f"such as 0, 1, 2); if it is a measurement or an ID, add a class column after it.", file=str(p))
    index = {key: c for c, key in enumerate(classes)}
    display = dict(zip(keys, names))
    y = np.array([index[key] for key in keys], dtype=np.int64)[inverse]  # (N,)
    class_names = [display[key] for key in classes]
    note = None
    if is_float or classes != list(range(k)):
        cut = [c if len(c) <= MAX_SHOWN else c[:MAX_SHOWN] + "…" for c in class_names]
        more = ", …" if k > 20 else ""
        note = (f"labels {{{', '.join(cut[:20])}{more}}} were mapped to "
                f"{{{', '.join(str(c) for c in range(min(k, 20)))}{more}}}")
    return y, class_names, note


def _numbers(uniq, where) -> tuple[list, list[str], bool]:
    """Exact integer keys of numeric labels, their display names, and whether any was written as a decimal."""
    keys, is_float = [], False
    for u, cell in enumerate(uniq):
        try:
            value = decimal.Decimal(cell)
        except decimal.InvalidOperation:  # pragma: no cover - NUMBER matched
            value = decimal.Decimal("nan")
        if not value.is_finite() or abs(value.adjusted()) > 1000 or value != value.to_integral_value():
            raise ChainruleError(
                f"{where(u)}: the label {shown(cell)} is not a whole number. The last column holds classes "
                f"(0, 1, 2, ... or names), not measurements; if this column is a feature, add a label column "
                f"after it.")
        keys.append(int(value))
        is_float = is_float or not _INTEGER.fullmatch(cell)
    names = [(f"{key}.0" if is_float else str(key)) for key in keys]
    return keys, names, is_float


def _name(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab"}[delimiter]
