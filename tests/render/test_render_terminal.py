"""The rich terminal layout (100 columns, plain text when not a TTY)."""

from __future__ import annotations

import io

from rich.console import Console

from chainrule.render import render, render_terminal


def _record(report, width: int = 100) -> str:
    console = Console(record=True, width=width, file=io.StringIO())
    render_terminal(report, console)
    return console.export_text()


def test_code_formulas_and_checks(report):
    text = _record(report)
    for step in report.steps:
        assert step.code in text
        assert step.formula_text in text
    wide = _record(report, width=140)
    for f in report.forward:
        assert f.formula_text in wide
        assert f.formula_text.split(" / ")[0] in text  # wraps at 100 columns, still there
    assert text.count("✓ matches finite differences (rel. error ") == len(report.steps)
    assert "2.7e-10" in text
    assert "✓ 5 of 5 backward lines check out" in text
    assert "⚠ dscores = probs does not copy" in text
    assert "Training took" in text and "99.2 %" in text


def test_fits_100_columns_and_matrices_have_4_digits(report):
    text = _record(report)
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "0.5081" in text and "0.07482" in text  # 4 significant digits
    assert "0.50810" not in text


def test_inline_latex_becomes_unicode(report):
    text = _record(report)
    assert "exactly ∂L/∂S" in text
    assert r"\partial" not in text


def test_plain_text_when_not_a_tty(report):
    text = render(report, "terminal")
    assert "\x1b[" not in text
    assert report.steps[2].code in text


def test_colours_on_a_terminal(report):
    console = Console(record=True, width=100, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor")
    render_terminal(report, console)
    assert "\x1b[" in console.file.getvalue()


def test_wrong_step_and_markup_in_text(bad_report):
    bad_report.steps[0].holds_text = "[bold]not markup[/bold] and [Z > 0]"
    text = _record(bad_report)
    assert "✗ dW2 has shape (2, 1000)" in text
    assert "✗ 4 of 5 backward lines check out" in text
    assert "[bold]not markup[/bold] and [Z > 0]" in text
    assert "<script>alert('x')</script>" in text  # terminal shows text as is
    assert "nan" in text


def test_wide_console_gets_a_shape_column(report):
    text = _record(report, width=140)
    assert "Shape" in text and "Maths and shape" not in text


def test_minimal(minimal_report):
    assert "Nothing yet" in _record(minimal_report)
