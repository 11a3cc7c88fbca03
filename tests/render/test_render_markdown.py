"""Markdown output: LaTeX in $…$ / $$…$$, fenced python, tables, inlined plots."""

from __future__ import annotations

import base64
import re

from chainrule.render import render, report_repr_markdown
from chainrule.render.markdown import fence, table, value_markdown
from chainrule.report import Value


def test_every_formula_and_code_line_is_there(report):
    md = render(report, "md")
    assert md.startswith(f"# {report.title}\n")
    for step in report.steps:
        assert f"$$\n{step.formula_latex}\n$$" in md
        assert f"$$\n{step.index_latex}\n$$" in md
        assert f"```python\n{step.code}\n```" in md
        assert step.holds_text in md
        assert step.chain in md
    for f in report.forward:
        assert f"`{f.code}`" in md
        assert f"${f.formula_latex}$" in md


def test_matrices_verdicts_and_shapes(report):
    md = render(report, "md")
    assert md.count(r"\begin{bmatrix}") == sum(len(s.values) for s in report.steps)
    assert r"\texttt{hidden\_layer.T} = \begin{bmatrix}" in md
    assert "| `dW2` | (1000, 2) |" in md
    assert md.count("✓ matches finite differences (rel. error ") == len(report.steps)
    assert "**Verdict:** 5 of 5 backward lines check out." in md


def test_pitfall_and_training(report):
    md = render(report, "md")
    p = report.pitfalls[0]
    assert f"### ⚠ {p.title}" in md
    assert fence(p.code) in md and fence(p.fix) in md
    assert "same array: True" in md
    pngs = re.findall(r"!\[[^\]]*\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", md)
    assert len(pngs) == 2
    assert all(base64.b64decode(p).startswith(b"\x89PNG") for p in pngs)


def test_no_png_no_image(report):
    report.training.loss_png = b""
    report.training.boundary_png = b""
    md = render(report, "md")
    assert "data:image" not in md and "## Training" in md


def test_wrong_step_and_repr(bad_report):
    md = report_repr_markdown(bad_report)
    assert "✗ dW2 has shape (2, 1000)" in md
    assert "**Verdict:** 4 of 5 backward lines check out." in md
    assert r"\mathrm{nan}" in md  # the NaN entry of the matrix
    assert "| 60 | nan | 96.7 % |" in md  # the NaN loss in the history
    assert "<script>" not in md and "&lt;script>alert" in md
    assert "&lt;img src=x" in md


def test_helpers():
    assert fence("a = '```'") == "````python\na = '```'\n````"
    assert table(("a", "b"), [("x|y", "1")]) == "| a | b |\n|---|---|\n| x\\|y | 1 |"
    v = Value("my_var", [2], [1e-7, 2.0], "note")
    assert value_markdown(v) == ("`my_var` (2,) — note\n\n$$\n\\texttt{my\\_var} = "
                                 "\\begin{bmatrix}1\\times 10^{-7} & 2\\end{bmatrix}\n$$")


def test_minimal(minimal_report):
    assert render(minimal_report, "md") == "# Nothing yet\n"
