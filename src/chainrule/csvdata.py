"""Load your own data from a CSV file: feature columns, then a label column.

Format::

    x1,x2,label        <- optional header (detected: a non-number in a feature column)
    0.5,-1.2,0
    0.1,0.7,1

The separator may be ``,`` ``;`` or a tab (detected).  Blank lines and lines
starting with ``#`` are skipped.  Rows are numbered like the lines of the file
(1-based, blank and comment lines counted), columns from 1.

Labels that are already ``0..K-1`` are used as they are; other integers
(``1..K``, ``{0, 2, 5}``), integral floats (``1.0``) or text (``red``/``blue``)
are mapped to ``0..K-1`` in sorted order and a one-line notice records the
mapping in :attr:`Dataset.notices`.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import numpy as np

from chainrule.data import Dataset
from chainrule.errors import ChainruleError

DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_INTEGER = re.compile(r"[+-]?\d+")

Row = tuple[int, list[str]]  # (1-based line number, cells)


def load_csv(path: str | Path) -> Dataset:
    """Read a CSV of numeric features and one class label per row.

    Parameters
    ----------
    path : str or Path
        The file; the last column is the label, all others are features.

    Returns
    -------
    Dataset
        ``X`` (N, D) float64, ``y`` (N,) int64 in ``0..K-1``, ``name`` the
        file name, ``class_names`` the original labels.

    Raises
    ------
    ChainruleError
        (exit 2) naming the file, the row and column, and the fix.
    """
    p = Path(path)
    rows = _read_rows(p)
    header, data = _split_header(p, rows)
    width = len(header[1]) if header else len(data[0][1])
    _check_shape(p, header, data, width)
    X = _features(p, data, width)  # (N, D)
    y, names, notice = _labels(p, data, width)  # (N,)
    notices = [notice] if notice else []
    return Dataset(X, y, p.name, len(names), notices, names)


# --------------------------------------------------------------------------- reading

def _read_rows(p: Path) -> list[Row]:
    """All non-blank, non-comment rows of ``p`` with their line numbers."""
    text = _read_text(p)
    delimiter = _sniff(text)
    reader = csv.reader(text.splitlines(), delimiter=delimiter)
    rows: list[Row] = []
    for cells in reader:
        cells = [c.strip() for c in cells]
        if not any(cells) or cells[0].startswith("#"):
            continue
        rows.append((reader.line_num, cells))
    if not rows:
        raise ChainruleError(
            f"{p} has no data: it is empty or holds only blank and comment lines. "
            f"Put one example per row: feature columns, then an integer label column."
        )
    return rows


def _read_text(p: Path) -> str:
    if not p.exists():
        raise ChainruleError(
            f"The data file {p} does not exist. Check the path after --dataset csv: "
            f"(it is relative to the folder you run chainrule in: {Path.cwd()})."
        )
    if p.is_dir():
        raise ChainruleError(
            f"{p} is a folder, not a CSV file. Give the file inside it, e.g. "
            f"--dataset csv:{p / 'data.csv'}."
        )
    try:
        return p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ChainruleError(
            f"{p} is not a UTF-8 text file (byte {exc.start} cannot be decoded). Save it "
            f"as CSV (UTF-8) from your spreadsheet or editor and try again."
        ) from None
    except OSError as exc:
        raise ChainruleError(f"Cannot read {p}: {exc.strerror}. Check the file's permissions.") from None


def _sniff(text: str) -> str:
    """The separator among ``, ; tab`` that splits the first lines most consistently."""
    sample = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")][:50]
    if not sample:
        return ","

    def score(delimiter: str) -> tuple[bool, int, int]:
        widths = [len(cells) for cells in csv.reader(sample, delimiter=delimiter)]
        consistent = len(set(widths)) == 1 and widths[0] > 1
        numeric = sum(_looks_numeric(c) for cells in csv.reader(sample, delimiter=delimiter) for c in cells)
        return consistent, numeric, widths[0]

    return max(DELIMITERS, key=score)  # ties keep the first: comma


def _looks_numeric(cell: str) -> bool:
    """A number, or a decimal-comma number like ``1,5`` (reported later with a hint)."""
    return _is_number(cell.strip()) or bool(_DECIMAL_COMMA.match(cell.strip()))


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- structure

def _split_header(p: Path, rows: list[Row]) -> tuple[Row | None, list[Row]]:
    """Treat the first row as a header if a (non-empty) feature cell in it is not a number."""
    first = rows[0][1]
    has_header = any(c and not _looks_numeric(c) for c in first[:-1])
    header = rows[0] if has_header else None
    data = rows[1:] if has_header else rows
    if len(data) < 2:
        found = "no data rows" if not data else "only 1 data row"
        raise ChainruleError(
            f"{p} has {found}{' after the header' if has_header else ''}; chainrule needs at "
            f"least 2 examples (rows) to train on. Add more rows, one example per row."
        )
    return header, data


def _check_shape(p: Path, header: Row | None, data: list[Row], width: int) -> None:
    ref_line = header[0] if header else data[0][0]
    if width < 2:
        raise ChainruleError(
            f"{p}, row {ref_line}: found 1 column, but chainrule needs at least one feature "
            f"column and a label column. Separate the cells with commas, semicolons or tabs, "
            f"e.g. '0.5,-1.2,0'."
        )
    for line, cells in data:
        if len(cells) != width:
            raise ChainruleError(
                f"{p}, row {line} has {len(cells)} columns but row {ref_line} has {width}. "
                f"Every row needs the same {width - 1} feature column(s) followed by one label "
                f"column; fix or delete row {line}."
            )


def _features(p: Path, data: list[Row], width: int) -> np.ndarray:
    """Parse the feature cells as finite float64.  # (N, D)"""
    X = np.empty((len(data), width - 1))  # (N, D)
    for i, (line, cells) in enumerate(data):
        for j, cell in enumerate(cells[:-1]):
            X[i, j] = _feature(p, line, j + 1, cell)
    return X


def _feature(p: Path, line: int, column: int, cell: str) -> float:
    where = f"{p}, row {line}, column {column}"
    if not cell:
        raise ChainruleError(f"{where} is empty. Every feature cell needs a number; fill it in or delete row {line}.")
    try:
        value = float(cell)
    except ValueError:
        hint = (" It looks like a decimal comma: write decimals with a point (e.g. 1.5) "
                "and separate cells with ';' or ','.") if _DECIMAL_COMMA.match(cell) else ""
        raise ChainruleError(
            f"{where} is {cell!r}, which is not a number. Feature columns (all but the last) "
            f"must hold numbers; a header is only allowed on the first row.{hint} Fix the cell "
            f"or delete row {line}."
        ) from None
    if not math.isfinite(value):
        raise ChainruleError(
            f"{where} is {cell!r}: chainrule needs finite numbers, not NaN or infinity. "
            f"Fill in the missing value or delete row {line}."
        )
    return value


# --------------------------------------------------------------------------- labels

def _labels(p: Path, data: list[Row], width: int) -> tuple[np.ndarray, list[str], str | None]:
    """Labels as int64 ``0..K-1``, the class names, and a remapping notice (or None)."""
    cells = [(line, cells[-1]) for line, cells in data]
    for line, cell in cells:
        if not cell:
            raise ChainruleError(
                f"{p}, row {line}, column {width}: the label is empty. The last column must "
                f"hold each example's class; fill it in or delete row {line}."
            )
    numeric = [_is_number(cell) for _, cell in cells]
    if all(numeric):
        keys, names, is_float = _numeric_labels(p, cells, width)
    elif not any(numeric):
        keys, names, is_float = [cell for _, cell in cells], None, False
    else:
        line, cell = cells[numeric.index(not numeric[0])]
        raise ChainruleError(
            f"{p}, row {line}, column {width}: the label {cell!r} is "
            f"{'text' if numeric[0] else 'a number'} but the label on row {cells[0][0]} is "
            f"{'a number' if numeric[0] else 'text'} ({cells[0][1]!r}). Use one kind of label "
            f"for every row (class numbers 0, 1, ... or names)."
        )
    classes = sorted(set(keys))
    if len(classes) < 2:
        raise ChainruleError(
            f"{p}, column {width}: every row has the label {cells[0][1]!r}, so there is only one "
            f"class. A classifier needs at least 2 classes; add examples of another class."
        )
    index = {key: k for k, key in enumerate(classes)}
    y = np.array([index[key] for key in keys], dtype=np.int64)  # (N,)
    shown = names or {key: str(key) for key in classes}
    class_names = [shown[key] for key in classes]
    notice = None
    if is_float or classes != list(range(len(classes))):
        notice = (f"labels {{{', '.join(class_names)}}} were mapped to "
                  f"{{{', '.join(str(k) for k in range(len(classes)))}}}")
    return y, class_names, notice


def _numeric_labels(p: Path, cells: list[tuple[int, str]], width: int) -> tuple[list[int], dict[int, str], bool]:
    """Integral labels as ints, their display names, and whether any was written as a float.

    Raises :class:`ChainruleError` on NaN/inf or a fraction like ``0.5``.
    """
    keys: list[int] = []
    is_float = False
    for line, cell in cells:
        value = float(cell)
        if not math.isfinite(value) or value != int(value):
            raise ChainruleError(
                f"{p}, row {line}, column {width}: the label {cell!r} is not a whole number. "
                f"The last column holds classes (0, 1, 2, ... or names), not measurements; "
                f"if this column is a feature, add a label column after it."
            )
        keys.append(int(value))
        is_float = is_float or not _INTEGER.fullmatch(cell)
    names = {key: (str(float(key)) if is_float else str(key)) for key in keys}
    return keys, names, is_float
