"""Helpers shared by every renderer: numbers, matrices, LaTeX and MathML.

This is the one home for "how does chainrule print a number / a matrix / a
formula".  The renderers never compute maths; they only format what a
:class:`chainrule.report.Report` already holds.
"""

from __future__ import annotations

import html
import math
import re
from numbers import Number
from typing import Any, Optional

NA = "—"
#: Largest tiny-example matrix shown in full; bigger ones are cut with "…".
MAX_ROWS = 8
MAX_COLS = 8
ELLIPSIS = "…"

_XMLNS = re.compile(r'\s+xmlns="[^"]*"')
#: Chromium's MathML ignores ``mathvariant`` except on ``<mi>``: write the characters themselves.
_MATHVARIANT_FIXES = (
    ('<mn mathvariant="double-struck">1</mn>', '<mi mathvariant="normal">\U0001D7D9</mi>'),  # 𝟙
    ('<mn mathvariant="bold">1</mn>', '<mn>\U0001D7CF</mn>'),  # 𝟏, the column of ones
    ('<mtext mathvariant="monospace">', '<mtext class="cr-tt">'),  # \texttt: monospace by CSS
)


# --------------------------------------------------------------------- numbers
def _as_float(x: Any) -> Optional[float]:
    """Return ``x`` as a float, or None when it is not a real number."""
    if isinstance(x, bool) or x is None:
        return None
    if isinstance(x, Number):
        try:
            return float(x)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
    return None


def fmt_num(x: Any, sig: int = 4) -> str:
    """Format one matrix entry with ``sig`` significant digits.

    Parameters
    ----------
    x : Any
        A number (int, float, numpy scalar), None or anything else.
    sig : int
        Significant digits (4 in every renderer).

    Returns
    -------
    str
        ``"0.1235"``, ``"-3"``, ``"1.5e-07"``, ``"nan"``, ``"inf"`` or ``"—"``
        for None; non-numbers are shown with ``str``.
    """
    if x is None:
        return NA
    if isinstance(x, bool):
        return str(x)
    f = _as_float(x)
    if f is None:
        return str(x)
    if math.isnan(f):
        return "nan"
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    if f == 0:
        return "0"
    return f"{f:.{sig}g}"


def fmt_err(x: Any) -> str:
    """Format a relative error as ``1.2e-10`` (``"0"`` for exact, ``"n/a"`` for None)."""
    f = _as_float(x)
    if f is None:
        return "n/a"
    if math.isnan(f) or math.isinf(f):
        return fmt_num(f)
    if f == 0:
        return "0"
    return f"{f:.1e}"


def fmt_seconds(x: Any) -> str:
    """Format a duration: ``"0.42 s"``, ``"12.3 s"``, ``"2 min 5 s"``."""
    f = _as_float(x)
    if f is None or not math.isfinite(f):
        return NA
    if f < 10:
        return f"{f:.2f} s"
    if f < 120:
        return f"{f:.1f} s"
    return f"{int(f // 60)} min {int(round(f % 60))} s"


def fmt_percent(x: Any) -> str:
    """Format an accuracy given as a fraction in [0, 1] as ``"98.5 %"``."""
    f = _as_float(x)
    if f is None or not math.isfinite(f):
        return NA
    return f"{100 * f:.1f} %"


def fmt_shape(shape: Any) -> str:
    """``[3, 2]`` -> ``"(3, 2)"``; ``[5]`` -> ``"(5,)"``; ``[]`` -> ``"scalar"``."""
    if shape is None:
        return NA
    dims = list(shape)
    if not dims:
        return "scalar"
    if len(dims) == 1:
        return f"({dims[0]},)"
    return "(" + ", ".join(str(d) for d in dims) + ")"


# -------------------------------------------------------------------- matrices
def as_rows(data: Any) -> list[list[Any]]:
    """Normalise a scalar, a vector or a matrix (nested lists) to a list of rows.

    A vector becomes one row; deeper nesting is kept as the cell value.
    """
    if not isinstance(data, (list, tuple)):
        return [[data]]
    if not data:
        return []
    if not isinstance(data[0], (list, tuple)):
        return [list(data)]
    return [list(r) if isinstance(r, (list, tuple)) else [r] for r in data]


def cell_text(x: Any, sig: int = 4) -> str:
    """Text of one cell; nested lists (3-D data) are shown bracketed."""
    if isinstance(x, (list, tuple)):
        return "[" + ", ".join(cell_text(v, sig) for v in x) + "]"
    return fmt_num(x, sig)


def matrix_cells(data: Any, sig: int = 4, max_rows: int = MAX_ROWS,
                 max_cols: int = MAX_COLS) -> list[list[str]]:
    """Formatted cells of a matrix, cut to ``max_rows`` x ``max_cols`` with ``…``.

    Returns
    -------
    list of list of str
        Rows of equal length; a cut row or column holds ``"…"``.
    """
    rows = as_rows(data)
    width = max((len(r) for r in rows), default=0)
    rows = [r + [None] * (width - len(r)) for r in rows]
    cut_cols = width > max_cols
    out: list[list[str]] = []
    for r in rows[:max_rows] if len(rows) > max_rows else rows:
        cells = [cell_text(v, sig) for v in (r[: max_cols - 1] if cut_cols else r)]
        if cut_cols:
            cells.append(ELLIPSIS)
        out.append(cells)
    if len(rows) > max_rows:
        out[-1] = [ELLIPSIS] * len(out[-1])
    return out


def latex_escape_text(s: str) -> str:
    """Escape text for use inside ``\\texttt{}`` / ``\\text{}``."""
    repl = {"\\": r"\textbackslash{}", "_": r"\_", "{": r"\{", "}": r"\}",
            "#": r"\#", "$": r"\$", "%": r"\%", "&": r"\&", "^": r"\^{}", "~": r"\~{}"}
    return "".join(repl.get(c, c) for c in s)


def bmatrix(data: Any, sig: int = 4) -> str:
    """LaTeX ``\\begin{bmatrix}…\\end{bmatrix}`` of a (small) matrix."""
    cells = matrix_cells(data, sig)
    body = r" \\ ".join(" & ".join(_latex_cell(c) for c in row) for row in cells)
    return r"\begin{bmatrix}" + body + r"\end{bmatrix}"


def _latex_cell(c: str) -> str:
    if c == ELLIPSIS:
        return r"\cdots"
    m = re.fullmatch(r"(-?[\d.]+)e([+-])0*(\d+)", c)
    if m:
        sign = "-" if m.group(2) == "-" else ""
        return rf"{m.group(1)}\times 10^{{{sign}{m.group(3)}}}"
    return {"nan": r"\mathrm{nan}", "inf": r"\infty", "-inf": r"-\infty", NA: r"\cdot"}.get(c, c)


# --------------------------------------------------------------------- MathML
def to_mathml(latex: Optional[str], display: bool = False) -> str:
    """Convert LaTeX to a MathML element, or fall back to ``<code>`` with the LaTeX.

    Never raises: latex2mathml errors (and an unavailable converter) give the
    escaped LaTeX in ``<code class="cr-latex">``.  The ``xmlns`` attribute is
    dropped (HTML5 puts ``<math>`` in the MathML namespace by itself), so the
    page holds no ``http`` URL at all.

    Parameters
    ----------
    latex : str or None
        The formula; empty or None gives ``""``.
    display : bool
        ``display="block"`` (a centred formula on its own line) when true.
    """
    if not latex or not latex.strip():
        return ""
    try:
        from latex2mathml.converter import convert

        out = convert(latex, display="block" if display else "inline")
    except Exception:  # any converter failure: show the LaTeX, never crash
        return latex_fallback(latex)
    if "<math" not in out:
        return latex_fallback(latex)
    for old, new in _MATHVARIANT_FIXES:
        out = out.replace(old, new)
    return _XMLNS.sub("", out, count=1)


def latex_fallback(latex: str) -> str:
    """The escaped LaTeX source in a ``<code>`` (when MathML conversion fails)."""
    return f'<code class="cr-latex" title="LaTeX">{html.escape(latex)}</code>'


# ----------------------------------------------------------- LaTeX -> unicode
_TEX_WORDS = {
    r"\partial": "∂", r"\top": "ᵀ", r"\odot": "⊙", r"\cdot": "·", r"\times": "×",
    r"\sum": "Σ", r"\prod": "Π", r"\alpha": "α", r"\beta": "β", r"\sigma": "σ",
    r"\lambda": "λ", r"\Delta": "Δ", r"\delta": "δ", r"\epsilon": "ε", r"\leq": "≤",
    r"\le": "≤", r"\geq": "≥", r"\ge": "≥", r"\neq": "≠", r"\ne": "≠", r"\infty": "∞",
    r"\in": "∈", r"\to": "→", r"\quad": "  ", r"\qquad": "    ", r"\left": "",
    r"\right": "", r"\log": "log ", r"\exp": "exp ", r"\max": "max", r"\min": "min",
    r"\tanh": "tanh ", r"\mathbb{1}": "𝟙", r"\mathbf{1}": "𝟏", r"\cdots": "…", r"\ldots": "…",
    r"\eta": "η", r"\nabla": "∇", r"\prime": "′", r"\rightarrow": "→", r"\leftarrow": "←",
    r"\Rightarrow": "⇒", r"\approx": "≈", r"\mid": "|", r"\mu": "μ", r"\alpha": "α",
}
_SUB = dict(zip("0123456789+-=()aehijklmnoprstuvx",
                "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
_SUP = dict(zip("0123456789+-=()niT", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵀ"))
_WORD_RE = re.compile("|".join(re.escape(k) + (r"(?![A-Za-z])" if k[-1].isalpha() else "")
                               for k in sorted(_TEX_WORDS, key=len, reverse=True)))
_FRAC = re.compile(r"\\[td]?frac\{([^{}]*)\}\{([^{}]*)\}")
_WRAP = re.compile(r"\\(?:text|mathrm|operatorname|mathbf|mathit|texttt|mathcal)\{([^{}]*)\}")
_SCRIPT = re.compile(r"([_^])(\{[^{}]*\}|\\?.)")


def _script(m: re.Match) -> str:
    body = m.group(2).strip("{}")
    table = _SUB if m.group(1) == "_" else _SUP
    if body and all(c in table for c in body):
        return "".join(table[c] for c in body)
    if m.group(1) == "^" and body in ("ᵀ", "′"):
        return body
    if m.group(1) == "^" and body.endswith(("ᵀ", "′")) and all(c in table for c in body[:-1]):
        return "".join(table[c] for c in body[:-1]) + body[-1]
    if len(body) == 1 or body[0] in "[(":
        return m.group(1) + body  # no braces in terminal text: "^[2]", "_c"
    return m.group(1) + "\x01" + body + "\x02"  # "(…)" once the loop is done (not scripted again)


def latex_to_unicode(latex: str) -> str:
    """Best-effort plain-unicode reading of a small LaTeX formula (for the terminal).

    ``\\partial L/\\partial W_2`` -> ``∂L/∂W₂``; ``\\frac{1}{N}`` -> ``1/N``.
    Unknown commands are left as they are; never raises.
    """
    try:
        s = _WORD_RE.sub(lambda m: _TEX_WORDS[m.group(0)], latex)
        s = re.sub(r"∂\s+", "∂", s)
        for _ in range(4):
            s = _WRAP.sub(r"\1", s)
            s = _SCRIPT.sub(_script, s)
            s = _FRAC.sub(lambda m: f"{_group(m.group(1))}/{_group(m.group(2))} ", s)
        s = s.replace("\x01", "(").replace("\x02", ")")
        s = re.sub(r"\\[,;:! ]", " ", s)
        s = re.sub(r"[ \t]+([)\],.])", r"\1", s)
        s = re.sub(r"(?<=\S)[ \t]+\[", "[", s)  # "∂L/∂W₂ [0,0]" -> "∂L/∂W₂[0,0]" (an entry of)
        s = re.sub(r"·[ \t]+", "·", s)
        return re.sub(r"[ \t]{2,}", " ", s).strip()
    except Exception:  # pragma: no cover - formatting must never crash a report
        return latex


def _group(s: str) -> str:
    s = s.strip()
    return f"({s})" if re.search(r"[\s+\-]", s) else s
