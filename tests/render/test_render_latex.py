"""Number, matrix and formula helpers shared by the renderers."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from chainrule.render.common import history_rows, inline_pieces, verdict_text
from chainrule.render.latex import (as_rows, bmatrix, fmt_err, fmt_num, fmt_percent,
                                    fmt_shape, latex_to_unicode, matrix_cells)
from chainrule.report import Step, Training


def test_numbers():
    assert fmt_num(0.123456) == "0.1235"
    assert fmt_num(-3) == "-3"
    assert fmt_num(0.0) == "0" and fmt_num(-0.0) == "0"
    assert fmt_num(1.5e-7) == "1.5e-07"
    assert fmt_num(float("nan")) == "nan" and fmt_num(-math.inf) == "-inf"
    assert fmt_num(None) == "—" and fmt_num(True) == "True"
    assert fmt_err(1.234e-10) == "1.2e-10" and fmt_err(0.0) == "0" and fmt_err(None) == "n/a"
    assert fmt_percent(0.985) == "98.5 %"
    assert fmt_shape([3, 2]) == "(3, 2)" and fmt_shape([5]) == "(5,)" and fmt_shape([]) == "scalar"


def test_matrices():
    assert as_rows(2.0) == [[2.0]] and as_rows([1, 2]) == [[1, 2]] and as_rows([]) == []
    cells = matrix_cells([[float(i * 10 + j) for j in range(12)] for i in range(12)])
    assert len(cells) == 8 and all(len(r) == 8 for r in cells)
    assert cells[0][-1] == "…" and cells[-1] == ["…"] * 8
    assert matrix_cells([[1, 2], [3]]) == [["1", "2"], ["3", "—"]]
    assert bmatrix([[1, 2.5], [1e-9, -1]]) == \
        r"\begin{bmatrix}1 & 2.5 \\ 1\times 10^{-9} & -1\end{bmatrix}"


@given(st.lists(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1,
                         max_size=12), min_size=1, max_size=12))
def test_matrix_cells_never_fail(rows):
    cells = matrix_cells(rows)
    assert len({len(r) for r in cells}) == 1 and len(cells) <= 8


def test_latex_to_unicode():
    assert latex_to_unicode(r"\frac{\partial L}{\partial W_2} = H^{\top} \frac{\partial L}"
                            r"{\partial S}") == "∂L/∂W₂ = Hᵀ ∂L/∂S"
    assert latex_to_unicode(r"\frac{") == r"\frac{"


def test_inline_pieces():
    kinds = [(p.kind, p.text) for p in inline_pieces("a `b` $c$ **d** e *f* 2 * 3 * 4")]
    assert kinds == [("text", "a "), ("code", "b"), ("text", " "), ("math", "c"),
                     ("text", " "), ("bold", "d"), ("text", " e "), ("em", "f"),
                     ("text", " 2 * 3 * 4")]


def test_verdicts():
    step = Step(code="x", writes="x", holds="update", gradient_of=None, factor=None,
                title="t", holds_text="")
    assert verdict_text(step) == "✓ no gradient to compare on this line"
    step.rel_error_fd = 3e-9
    assert verdict_text(step) == "✓ matches finite differences (rel. error 3.0e-09)"
    step.ok, step.message = False, "wrong sign"
    assert verdict_text(step) == "✗ wrong sign"


def test_history_rows_keep_first_and_last():
    t = Training(iterations=list(range(0, 3000, 100)), losses=[1.0 / (i + 1) for i in range(30)],
                 accuracies=[0.5] * 30, final_loss=0.03, train_accuracy=0.99, seconds=1.0)
    rows = history_rows(t)
    assert len(rows) == 8 and rows[0][0] == "0" and rows[-1][0] == "2900"
