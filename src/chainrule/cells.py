"""Where a line of a notebook is: its cell and its line inside that cell.

A notebook's code cells are joined into one program (``chainrule.check.source``); ``cells`` lists
``(cell number, first line of that cell in the program)``.  Scripts have no cells: a line is itself.
"""

from __future__ import annotations

from typing import Optional, Sequence

Cells = Sequence[tuple[int, int]]


def cell_of(line: int, cells: Cells = ()) -> tuple[Optional[int], int]:
    """(cell number or None, line within the cell) of a line of the joined program."""
    found: tuple[Optional[int], int] = (None, line)
    for number, first in cells:
        if first <= line:
            found = (number, line - first + 1)
    return found


def line_label(line: Optional[int], cells: Cells = ()) -> str:
    """``"line 42"``, in a notebook ``"cell 4, line 7"``, or ``""``."""
    if line is None:
        return ""
    cell, n = cell_of(line, cells)
    return f"cell {cell}, line {n}" if cell is not None else f"line {n}"
