"""The formula table: every op's forward and backward rule, as data.

Each :class:`Formula` carries the maths three ways, so that every renderer
(terminal, Markdown, HTML, notebook) shows the same thing and a test can prove
the maths equals the code:

* ``matrix``  - LaTeX, matrix form (what the numpy line computes);
* ``index``   - LaTeX, index form (one entry at a time);
* ``text``    - the same in plain unicode for a terminal;
* ``reason``  - one line of plain words: why this is the rule;
* ``numpy``   - the numpy expression of the matrix form, over the names in
  ``symbols`` (``tests/test_formulas.py`` evaluates it against the op code);
* ``einsum``  - where the index form is a sum of products, its einsum spec
  over ``einsum_operands`` (also evaluated by the tests, independently of the
  matrix form).

The table itself lives next to the code: each op in :mod:`chainrule.layers`
and :mod:`chainrule.losses` declares its formulas, and :func:`register`
collects them into :data:`FORMULAS` keyed by ``"op.quantity"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Formula:
    """One rule of the chain: ``key`` is ``"<op>.<what>"``, e.g. ``"linear.dW"``."""

    key: str
    title: str
    matrix: str
    index: str
    text: str
    reason: str
    numpy: str
    einsum: str | None = None
    symbols: tuple[str, ...] = field(default_factory=tuple)
    operands: tuple[str, ...] = field(default_factory=tuple)  # einsum operands, if not the symbols

    @property
    def einsum_operands(self) -> tuple[str, ...]:
        return self.operands or self.symbols


FORMULAS: dict[str, Formula] = {}


def register(*formulas: Formula) -> dict[str, Formula]:
    """Add formulas to the global table and return them keyed by their last part."""
    out = {}
    for f in formulas:
        if f.key in FORMULAS and FORMULAS[f.key] != f:
            raise ValueError(f"formula {f.key!r} registered twice with different content")
        FORMULAS[f.key] = f
        out[f.key.split(".", 1)[1]] = f
    return out


def get(key: str) -> Formula:
    """Look a formula up by key, importing the ops so the table is complete."""
    from chainrule import layers, losses  # noqa: F401  (registers their formulas)

    return FORMULAS[key]


def all_formulas() -> dict[str, Formula]:
    """The complete table (imports every op module first)."""
    from chainrule import layers, losses  # noqa: F401

    return dict(FORMULAS)
