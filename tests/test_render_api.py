"""The public face of chainrule.render: the dispatcher and the Jupyter helpers."""

from __future__ import annotations

import json

import pytest

from chainrule.errors import ChainruleError
from chainrule.render import (FORMATS, ReportReprMixin, render, report_repr_html,
                              report_repr_markdown)
from chainrule.report import Report, Step


@pytest.fixture
def small() -> Report:
    step = Step(code="dW2 = np.dot(hidden_layer.T, dscores)", writes="dW2", holds="gradient",
                gradient_of="W2", factor=1.0, title="Gradient of W2",
                holds_text="`dW2` holds the gradient.", formula_latex=r"dW_2 = H^{\top} dS",
                index_latex=r"dW_{2,jk} = \sum_i H_{ij} dS_{ik}", formula_text="dW2 = Hᵀ·dS",
                rel_error_fd=1.234e-10, rel_error_autodiff=2e-16)
    return Report(title="Small", intro="One step.", network={"N": 8}, steps=[step])


def test_formats():
    assert FORMATS == ("terminal", "md", "html", "ipynb", "json")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_returns_text(small, fmt):
    out = render(small, fmt)
    assert isinstance(out, str) and "Gradient of W2" in out or fmt == "json"
    if fmt in ("json", "ipynb"):
        json.loads(out)


def test_unknown_format_is_a_friendly_error(small):
    with pytest.raises(ChainruleError, match="choose one of terminal, md, html, ipynb, json"):
        render(small, "pdf")


def test_relative_errors_are_formatted_alike(small):
    for fmt in ("terminal", "md", "html"):
        assert "1.2e-10" in render(small, fmt)


def test_jupyter_helpers(small):
    class Shown(ReportReprMixin):
        def __init__(self, report):
            self.report = report

    shown = Shown(small)
    assert shown._repr_html_().startswith("<style>")
    assert '<div class="cr-report cr-embedded"' in report_repr_html(small)
    assert shown._repr_markdown_() == report_repr_markdown(small)
    assert "$$\ndW_2 = H^{\\top} dS\n$$" in report_repr_markdown(small)
