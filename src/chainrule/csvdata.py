"""Load your own data from a CSV file: feature columns, then a label column.

Format::

    x1,x2,label        <- optional header (detected: a non-number in a feature column)
    0.5,-1.2,0
    0.1,0.7,1

The separator may be ``,`` ``;`` or a tab (detected; a file that mixes them is
refused).  Blank lines and lines starting with ``#`` are skipped.  Rows are
numbered like the lines of the file (1-based, blank and comment lines
counted), columns from 1.  ``~`` in the path is your home folder.  The label
column is read exactly by :mod:`chainrule.csvlabels`.

Two readers, one answer: a plain numeric file (no quotes, no comments) is
parsed by numpy's C reader (a 200 MB file in a few seconds); anything else,
and any file the fast reader stumbles on, is read row by row with
:mod:`csv`, which names the file, row and column of every problem.
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path
from typing import Optional

import numpy as np

from chainrule.csvlabels import is_number, labels, shown
from chainrule.data import Dataset
from chainrule.errors import ChainruleError

DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
_DECIMAL_COMMA = re.compile(r"^[+-]?[0-9]+,[0-9]+$")

FAST_MIN_CHARS = 1 << 16  # smaller files are read row by row (as quick, and the messages are the same)

Row = tuple[int, list[str]]  # (1-based line number, cells)


def load_csv(path: str | Path) -> Dataset:
    """Read a CSV of numeric features and one class label per row.

    Parameters
    ----------
    path : str or Path
        The file (``~`` expanded); the last column is the label, all others are features.

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
    p = Path(path).expanduser()
    text = _read_text(p)
    delimiter = _sniff(text)
    data = _fast(p, text, delimiter)
    if data is not None:
        return data
    rows = _read_rows(p, text, delimiter)
    header, body = _split_header(p, rows)
    width = len(header[1]) if header else len(body[0][1])
    _check_shape(p, header, body, width)
    X = _features(p, body, width, delimiter)  # (N, D)
    y, names, note = labels(p, [cells[-1] for _, cells in body], [line for line, _ in body], width, delimiter)
    return Dataset(X, y, p.name, len(names), [note] if note else [], names)


# --------------------------------------------------------------------------- reading

def _read_text(p: Path) -> str:
    if not p.exists():
        raise ChainruleError(
            f"The data file {p} does not exist. Check the path after --dataset csv: "
            f"(it is relative to the folder you run chainrule in: {Path.cwd()}).", file=str(p))
    if p.is_dir():
        raise ChainruleError(
            f"{p} is a folder, not a CSV file. Give the file inside it, e.g. "
            f"--dataset csv:{p / 'data.csv'}.", file=str(p))
    try:
        return p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ChainruleError(
            f"{p} is not a UTF-8 text file (byte {exc.start} cannot be decoded). Save it "
            f"as CSV (UTF-8) from your spreadsheet or editor and try again.", file=str(p)) from None
    except OSError as exc:
        raise ChainruleError(f"Cannot read {p}: {exc.strerror}. Check the file's permissions.",
                             file=str(p)) from None


def _sniff(text: str) -> str:
    """The separator among ``, ; tab`` that splits the first lines most consistently."""
    sample = []
    for line in io.StringIO(text[:1 << 16]):
        if line.strip() and not line.lstrip().startswith("#"):
            sample.append(line.rstrip("\r\n"))
        if len(sample) == 50:
            break
    if not sample:
        return ","

    def score(delimiter: str) -> tuple[bool, int, int]:
        rows = list(csv.reader(sample, delimiter=delimiter))
        widths = [len(cells) for cells in rows]
        consistent = len(set(widths)) == 1 and widths[0] > 1
        numeric = sum(_looks_numeric(c) for cells in rows for c in cells)
        return consistent, numeric, widths[0]

    return max(DELIMITERS, key=score)  # ties keep the first: comma


def _read_rows(p: Path, text: str, delimiter: str) -> list[Row]:
    """All non-blank, non-comment rows of ``p`` with their line numbers (the row-by-row reader)."""
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))  # a 10 MB cell is read (and then explained), not refused
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[Row] = []
    last = 0
    try:
        for cells in reader:
            last = reader.line_num
            cells = [c.strip() for c in cells]
            if not any(cells) or cells[0].startswith("#"):
                continue
            rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise _quote_error(p, text, last, exc) from None
    finally:
        csv.field_size_limit(limit)
    if not rows:
        raise ChainruleError(
            f"{p} has no data: it is empty or holds only blank and comment lines. "
            f"Put one example per row: feature columns, then an integer label column.", file=str(p))
    return rows


def _quote_error(p: Path, text: str, last: int, exc: csv.Error) -> ChainruleError:
    """A quote that never closes (or stray text after a closing quote), with the row it starts on."""
    lines = text.splitlines()
    row = next((i + 1 for i in range(last, len(lines)) if '"' in lines[i]), last + 1)
    if "end of data" in str(exc) or "EOF" in str(exc):
        what = ("a quote (\") opens a cell that is never closed, so the rest of the file would be one cell. "
                "Close the quote or remove it")
    else:
        what = f"the quotes are not balanced ({exc}). A quoted cell must be a whole cell, like \"red\""
    return ChainruleError(f"{p}, row {row}: {what}.", file=str(p), line=row)


def _looks_numeric(cell: str) -> bool:
    """A number, or a decimal-comma number like ``1,5`` (reported later with a hint)."""
    cell = cell.strip()
    return bool(is_number(cell) or _DECIMAL_COMMA.match(cell))


# --------------------------------------------------------------------------- the fast reader

def _fast(p: Path, text: str, delimiter: str) -> Optional[Dataset]:
    """numpy's C reader for a plain numeric file; None if the file needs the row-by-row reader."""
    if '"' in text or "#" in text or not text[:1].strip() or len(text) < FAST_MIN_CHARS:
        return None  # quotes, comments, a leading blank line; small files are quick either way
    first = text[:text.find("\n")] if "\n" in text else text
    cells = [c.strip() for c in first.split(delimiter)]
    width = len(cells)
    header = any(c and not _looks_numeric(c) for c in cells[:-1])
    try:
        X = np.loadtxt(io.StringIO(text), delimiter=delimiter, skiprows=int(header), usecols=range(width - 1),
                       dtype=np.float64, comments=None, ndmin=2)  # (N, D)
        if width < 2 or len(X) < 2 or not np.all(np.isfinite(X)):
            return None
        y, names, note = labels(p, _fast_labels(text, delimiter, int(header), width - 1), None, width, delimiter)
    except (ValueError, ChainruleError):
        return None
    return Dataset(X, y, p.name, len(names), [note] if note else [], names)


def _fast_labels(text: str, delimiter: str, skip: int, column: int) -> np.ndarray:
    """The label column: int64 if every label is a whole number that fits, else stripped text.  # (N,)"""
    def read(dtype):
        return np.loadtxt(io.StringIO(text), delimiter=delimiter, skiprows=skip, usecols=(column,), dtype=dtype,
                          comments=None, ndmin=1)
    try:
        return read(np.int64)
    except (ValueError, OverflowError):
        raw = np.char.strip(read(f"U{_LABEL_CHARS}"))
    if np.any(np.char.str_len(raw) >= _LABEL_CHARS - 1):
        raise ValueError("a long label: read row by row")  # it may have been cut
    return raw


_LABEL_CHARS = 64


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
            f"least 2 examples (rows) to train on. Add more rows, one example per row.", file=str(p))
    return header, data


def _check_shape(p: Path, header: Row | None, data: list[Row], width: int) -> None:
    ref_line = header[0] if header else data[0][0]
    if width < 2:
        raise ChainruleError(
            f"{p}, row {ref_line}: found 1 column, but chainrule needs at least one feature "
            f"column and a label column. Separate the cells with commas, semicolons or tabs, "
            f"e.g. '0.5,-1.2,0'.", file=str(p), line=ref_line)
    for line, cells in data:
        if len(cells) != width:
            raise ChainruleError(
                f"{p}, row {line} has {len(cells)} columns but row {ref_line} has {width}. "
                f"Every row needs the same {width - 1} feature column(s) followed by one label "
                f"column; fix or delete row {line}.", file=str(p), line=line)


def _features(p: Path, data: list[Row], width: int, delimiter: str) -> np.ndarray:
    """Parse the feature cells as finite float64.  # (N, D)"""
    X = np.empty((len(data), width - 1))  # (N, D)
    for i, (line, cells) in enumerate(data):
        for j, cell in enumerate(cells[:-1]):
            X[i, j] = _feature(p, line, j + 1, cell, delimiter)
    return X


def _feature(p: Path, line: int, column: int, cell: str, delimiter: str) -> float:
    where = f"{p}, row {line}, column {column}"
    fail = lambda why: ChainruleError(f"{where} {why}", file=str(p), line=line)  # noqa: E731
    if not cell:
        raise fail(f"is empty. Every feature cell needs a number; fill it in or delete row {line}.")
    if not is_number(cell):
        others = [d for d in DELIMITERS if d != delimiter and d in cell]
        if _DECIMAL_COMMA.match(cell):
            hint = (" It looks like a decimal comma: write decimals with a point (e.g. 1.5) "
                    "and separate cells with ';' or ','.")
        elif others:
            hint = (f" It contains a {_DELIMITER_NAMES[others[0]]}, but the file separates its cells with "
                    f"{_DELIMITER_NAMES[delimiter]}s: it mixes two separators. Use one for every cell.")
        elif "_" in cell and is_number(cell.replace("_", "")):
            hint = f" Write the number without '_' separators ({cell.replace('_', '')})."
        else:
            hint = ""
        raise fail(f"is {shown(cell)}, which is not a number. Feature columns (all but the last) must hold "
                   f"numbers; a header is only allowed on the first row.{hint} Fix the cell or delete row {line}.")
    value = float(cell)
    if not math.isfinite(value):
        size = " (too large for a float64)" if cell.strip("+-").lower() not in ("nan", "inf", "infinity") else ""
        raise fail(f"is {shown(cell)}{size}: chainrule needs finite numbers, not NaN or infinity. "
                   f"Fill in the missing value or delete row {line}.")
    return value
