"""The terminal prints no LaTeX: every string the terminal renderer prints, code left aside."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console
from rich.text import Text

import chainrule.render.terminal as terminal
import chainrule.render.terminal_parts as parts

LATEX = re.compile(r"\\[A-Za-z]+|\^\{|_\{|\\[,;!]|(?<![A-Za-z])[A-Za-z]_\d")


@pytest.fixture(scope="module")
def explained():
    from chainrule.explain import build_report

    return build_report(train=False)


def _prose_only(report, monkeypatch, width=100) -> str:
    """The terminal output with every code block and code line replaced by a marker."""
    def marker(code):
        return Text("<code>")

    for mod in (terminal, parts):
        monkeypatch.setattr(mod, "code_syntax", marker, raising=False)
        monkeypatch.setattr(mod, "code_text", marker, raising=False)
    console = Console(file=io.StringIO(), width=width, record=True, color_system=None)
    terminal.render_terminal(report, console)
    return console.export_text()


@pytest.mark.parametrize("notation", ["code", "nielsen", "ng"])
def test_no_latex_commands_in_the_terminal(explained, monkeypatch, notation):
    explained.notation = notation
    try:
        text = _prose_only(explained, monkeypatch)
    finally:
        explained.notation = "code"
    assert "<code>" in text  # the markers are there: code was left aside, prose was not
    found = sorted(set(LATEX.findall(text)))
    assert found == [], found
    assert "e^(S[i,c])" in text and "1/2 λΣ W²" in text  # the two that used to leak


def test_the_scan_would_catch_latex(explained, monkeypatch):
    explained.pitfalls[0].explanation += r" $\tilde{x}_{ij}$"
    try:
        text = _prose_only(explained, monkeypatch)
    finally:
        explained.pitfalls[0].explanation = explained.pitfalls[0].explanation.rsplit(" $", 1)[0]
    assert LATEX.search(text)
