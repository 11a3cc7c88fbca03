"""The HTML page: parses, MathML, no remote resources, no scripts, escaped text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule.render import render, report_repr_html
from chainrule.render.html import render_html
from chainrule.render.latex import to_mathml
from chainrule.report import Report, Step

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class _Collect(HTMLParser):
    """Collects tags and checks that non-void elements are balanced."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}>, open: {self.stack[-3:]}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> _Collect:
    p = _Collect()
    p.feed(html)
    p.close()
    assert p.errors == [] and p.stack == [], (p.errors, p.stack)
    return p


def _remote(tags) -> list[str]:
    out = []
    for _, attrs in tags:
        for key in ("src", "href", "srcset", "poster", "data"):
            value = (attrs.get(key) or "").strip().lower()
            if value and not (value.startswith("#") or value.startswith("data:")):
                out.append(value)
    return out


def test_page_is_well_formed_and_self_contained(report):
    html = render(report, "html")
    assert html.startswith("<!DOCTYPE html>")
    p = parse(html)
    names = [t for t, _ in p.tags]
    assert names.count("math") >= 2 * len(report.steps) + len(report.forward)
    assert "script" not in names and "link" not in names and "iframe" not in names
    assert _remote(p.tags) == []
    assert "http://" not in html and "https://" not in html
    assert "@import" not in html and "url(" not in html and "@font-face" not in html
    assert "<script" not in html.lower()


def test_main_formulas_are_display_block(report):
    html = render_html(report)
    blocks = re.findall(r'<math display="block">', html)
    expected = sum(bool(s.formula_latex) + bool(s.index_latex) for s in report.steps)
    assert len(blocks) >= expected + len(report.forward)


def test_content_is_there(report):
    html = render_html(report)
    text = "".join(parse(html).text)
    for step in report.steps:
        assert step.title in text
        assert step.writes in text
    assert text.count("Correct.") == len(report.steps)
    assert "2.7e-10" in text
    assert "Only Hᵀ·dS gives it" in text
    assert "Matrix form" in text and "Index form" in text and "Chain rule" in text
    assert "same array: True" in text
    assert html.count('src="data:image/png;base64,') == 2
    assert html.count('<article class="cr-step') == len(report.steps)
    assert '<nav class="cr-toc"' in html
    for i in range(1, len(report.steps) + 1):
        assert f'href="#cr-step-{i}"' in html and f'id="cr-step-{i}"' in html


def test_code_lines_are_highlighted(report):
    html = render_html(report)
    assert html.count('<div class="cr-hl">') >= len(report.steps) + len(report.forward)
    assert ".cr-report .cr-hl .k" in html  # pygments style defs, scoped


def test_escaping_and_fallbacks(bad_report):
    html = render_html(bad_report)
    parse(html)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror" in html
    assert '<code class="cr-latex" title="LaTeX">\\frac{</code>' in html
    assert 'class="cr-verdict cr-bad"' in html and "✗ wrong" in html
    assert "<code>dscores</code> &lt;b&gt;" in html
    assert "<td>nan</td>" in html


def test_no_png_no_img(report):
    report.training.loss_png = b""
    report.training.boundary_png = b""
    html = render_html(report)
    assert "<img" not in html and "Training took" in html


def test_minimal_report(minimal_report):
    html = render_html(minimal_report)
    parse(html)
    assert "Nothing yet" in html and "<nav" not in html


def test_repr_fragment_is_scoped(report):
    frag = report_repr_html(report)
    assert not frag.lstrip().lower().startswith(("<!doctype", "<html"))
    assert "<body" not in frag and "<html" not in frag
    parse(frag)
    css = re.search(r"<style>(.*?)</style>", frag, re.S).group(1)
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"@media[^{]*\{", "", css)  # media queries wrap scoped rules
    selectors = [s.strip() for block in re.findall(r"([^{}]+)\{[^{}]*\}", css)
                 for s in block.split(",")]
    assert selectors and all(s.startswith(".cr-report") for s in selectors if s), \
        [s for s in selectors if not s.startswith(".cr-report")][:5]
    ids_a = set(re.findall(r' id="([^"]+)"', frag))
    ids_b = set(re.findall(r' id="([^"]+)"', report_repr_html(report)))
    assert ids_a and not ids_a & ids_b


def test_to_mathml_never_raises():
    assert to_mathml(r"\frac{") .startswith('<code class="cr-latex"')
    assert to_mathml("") == ""
    assert to_mathml(None) == ""
    good = to_mathml("x^2", display=True)
    assert good.startswith('<math display="block">') and "xmlns" not in good


@settings(max_examples=40, deadline=None)
@given(title=st.text(max_size=40), code=st.text(max_size=40), latex=st.text(max_size=30),
       holds=st.text(max_size=40))
def test_any_text_is_escaped(title, code, latex, holds):
    step = Step(code=code, writes="x", holds="gradient", gradient_of=None, factor=None,
                title=title, holds_text=holds, formula_latex=latex, index_latex=latex,
                formula_text=latex)
    r = Report(title=title, intro=holds, network={"N": 1}, steps=[step])
    html = render_html(r)
    p = parse(html)
    assert "script" not in [t for t, _ in p.tags]
    assert _remote(p.tags) == []
    assert render(r, "md") and render(r, "terminal") and render(r, "json")


def test_whole_script_with_line_links(report):
    report.source = "\n".join(f"x{i} = {i}" for i in range(1, 60))
    html = render_html(report)
    parse(html)
    assert '<a class="cr-lineno" href="#cr-L-45">line 45</a>' in html
    assert 'id="cr-L-45"' in html
    assert "Your whole script (59 lines)" in html
    assert '<a href="#cr-source">Your script</a>' in html
