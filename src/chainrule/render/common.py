"""Words and small layouts shared by the renderers (no maths is computed here).

Every renderer says the same thing the same way: the verdict of a step, the
label of what a variable holds, the one-line network summary, the training
summary, and how "Markdown-light" text (``code``, ``$latex$``, ``**bold**``)
is split into pieces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator, Optional, Sequence

from chainrule.cells import cell_of, line_label  # noqa: F401  (line_label: re-exported for the renderers)
from chainrule.render.latex import fmt_err, fmt_num, fmt_percent, fmt_seconds, fmt_shape
from chainrule.report import Report, Step, Training

#: Short label of ``Step.holds`` (what the written variable holds after the line).
HOLDS_LABELS: dict[str, str] = {
    "gradient": "gradient",
    "scaled": "scaled gradient",
    "intermediate": "intermediate",
    "update": "parameter update",
    "wrong": "wrong",
    "error": "error",
}

_NETWORK_KEYS = (
    ("N", "examples"),
    ("D", "inputs"),
    ("h", "hidden units"),
    ("K", "classes"),
)

_INLINE = re.compile(r"(`[^`\n]+`|\$[^$\n]+\$|\*\*[^*\n]+\*\*|\*(?=\S)[^*\n]+(?<=\S)\*)")


@dataclass(frozen=True)
class Piece:
    """A piece of Markdown-light text: ``kind`` is text, code, math, bold or em."""

    kind: str
    text: str


def inline_pieces(text: str) -> Iterator[Piece]:
    """Split Markdown-light text into text / ``code`` / ``$math$`` / ``**bold**`` / ``*em*``."""
    for part in _INLINE.split(text or ""):
        if not part:
            continue
        if len(part) > 2 and part[0] == part[-1] == "`":
            yield Piece("code", part[1:-1])
        elif len(part) > 2 and part[0] == part[-1] == "$":
            yield Piece("math", part[1:-1])
        elif len(part) > 4 and part.startswith("**") and part.endswith("**"):
            yield Piece("bold", part[2:-2])
        elif len(part) > 2 and part[0] == part[-1] == "*":
            yield Piece("em", part[1:-1])
        else:
            yield Piece("text", part)


def paragraphs(text: str) -> list[str]:
    """Split text on blank lines into paragraphs (single newlines kept as spaces)."""
    paras = re.split(r"\n\s*\n", (text or "").strip())
    return [" ".join(p.split("\n")).strip() for p in paras if p.strip()]


def holds_label(step: Step) -> str:
    """Short label of what the variable holds after the step, e.g. ``"scaled gradient"``."""
    label = HOLDS_LABELS.get(step.holds, str(step.holds))
    if step.holds == "scaled" and step.factor is not None:
        label += f" (× {fmt_num(step.factor)})"
    return label


def step_ok(step: Step) -> bool:
    """A step is shown as passing when ``ok`` and it does not hold something wrong."""
    return bool(step.ok) and step.holds not in ("wrong", "error")


def is_checked(step: Step) -> bool:
    """True when at least one relative error was measured for the step."""
    return step.rel_error_fd is not None or step.rel_error_autodiff is not None


def verdict_text(step: Step) -> str:
    """One line: ``"✓ matches finite differences (rel. error 1.2e-10) and autograd (…)"``.

    A failing step gives ``"✗ "`` and its message.  A passing step without any
    measured error says so (``"✓ nothing to check: …"``) rather than invent one.
    """
    if not step_ok(step):
        return "✗ " + (step.message or "this line does not compute what it should")
    if not is_checked(step):
        return "✓ " + (step.message or "no gradient to compare on this line")
    return "✓ " + errors_sentence(step)


def errors_sentence(step: Step) -> str:
    """``"matches finite differences (rel. error 1.2e-10) and autograd (rel. error 3.1e-16)"``."""
    parts = []
    if step.rel_error_fd is not None:
        parts.append(f"finite differences (rel. error {fmt_err(step.rel_error_fd)})")
    if step.rel_error_autodiff is not None:
        parts.append(f"autograd (rel. error {fmt_err(step.rel_error_autodiff)})")
    return "matches " + " and ".join(parts)


def step_heading(index: int, step: Step) -> str:
    """``"Step 2 · Gradient of W2"``."""
    return f"Step {index} · {step.title or step.code}"


def chain_of(step: Step) -> str:
    """The step's chain-rule paragraph, or ``""`` when it only repeats what the step already said."""
    said = {step.holds_text.strip(), step.message.strip()}
    return "" if step.chain.strip() in said else step.chain


def line_column(line: Optional[int], cells: Sequence[tuple[int, int]] = ()) -> str:
    """A table's line column: ``"42"``, in a notebook ``"4, 7"`` (under :func:`line_heading`)."""
    if line is None:
        return ""
    cell, n = cell_of(line, cells)
    return f"{cell}, {n}" if cell is not None else str(n)


def line_heading(cells: Sequence[tuple[int, int]] = ()) -> str:
    return "Cell, line" if cells else "Line"


def network_items(network: dict[str, Any]) -> list[tuple[str, str]]:
    """``[("N", "800 examples"), …, ("activation", "relu"), ("tiny", "N=4, …")]``."""
    out: list[tuple[str, str]] = []
    known = {k for k, _ in _NETWORK_KEYS}
    for key, words in _NETWORK_KEYS:
        if key in network:
            out.append((key, f"{network[key]} {words}"))
    for key, value in network.items():
        if key in known:
            continue
        if value is None or value == "" or value == [] or value == {}:
            continue  # e.g. no params read when the script raised in its first iteration
        out.append(({"loss": "loss variable"}.get(key, key), _plain(value)))
    return out


def _plain(value: Any) -> str:
    """A network value in words, not Python's repr: ``yes``, ``gd, momentum``, ``W1 (2, 30), b1 (1, 30)``, ``N=4, h=3``."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{k} ({', '.join(map(str, v))})" if isinstance(v, (list, tuple)) else f"{k}={_plain(v)}"
                         for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v) for v in value)
    return str(value)


def network_sentence(network: dict[str, Any]) -> str:
    """One line summary of the network, e.g. ``"N = 800 examples · D = 2 inputs · …"``."""
    return " · ".join(f"{k} = {v}" if k in dict(_NETWORK_KEYS) else f"{k}: {v}"
                      for k, v in network_items(network))


def training_sentence(t: Training) -> str:
    """``"Training took 12.3 s: final loss 0.0123, training accuracy 98.5 %."``."""
    return (f"Training took {fmt_seconds(t.seconds)}: final loss {fmt_num(t.final_loss)}, "
            f"training accuracy {fmt_percent(t.train_accuracy)}.")


def even_indices(iterations: list[int], max_rows: int = 8) -> list[int]:
    """Indices of at most ``max_rows`` evenly spaced iterations, first and last included.

    The logged iterations are usually evenly spaced (0, 100, …, 3000); the rows
    keep every k-th one for the smallest k that divides the span, so that the
    table reads 0, 500, 1000, …; an uneven log falls back to rounded strides.
    """
    n = len(iterations)
    if n <= max_rows:
        return list(range(n))
    for k in range(-(-(n - 1) // (max_rows - 1)), n):
        if (n - 1) % k == 0:
            idx = list(range(0, n, k))
            steps = {iterations[b] - iterations[a] for a, b in zip(idx, idx[1:])}
            if len(steps) == 1 and len(idx) >= 3:
                return idx
    stride = (n - 1) / (max_rows - 1)
    return sorted({round(i * stride) for i in range(max_rows)})


def history_rows(t: Training, max_rows: int = 8) -> list[tuple[str, str, str]]:
    """A few evenly spaced (iteration, loss, accuracy) rows of the history, first and last included."""
    n = min(len(t.iterations), len(t.losses))
    if n == 0:
        return []
    idx = even_indices(list(t.iterations[:n]), max_rows)
    acc = t.accuracies
    return [(str(t.iterations[i]), fmt_num(t.losses[i]),
             fmt_percent(acc[i]) if i < len(acc) else "—") for i in idx]


def backward_steps(report: Report) -> list[tuple[int, Step]]:
    """``(1-based index, step)`` of the backward lines: every step except the updates."""
    return [(i, s) for i, s in enumerate(report.steps, 1) if s.holds != "update"]


def update_steps(report: Report) -> list[tuple[int, Step]]:
    return [(i, s) for i, s in enumerate(report.steps, 1) if s.holds == "update"]


def counts(report: Report) -> tuple[int, int]:
    """(passing backward lines, backward lines): the updates are not backward lines."""
    steps = [s for _, s in backward_steps(report)]
    return sum(step_ok(s) for s in steps), len(steps)


def summary_sentence(report: Report) -> str:
    """``"✓ 9 of 9 backward lines check out. The 4 updates each move …"``, or ``""``."""
    ok, n = counts(report)
    if not n:
        return ""
    out = f"{'✓' if ok == n else '✗'} {ok} of {n} backward lines check out."
    ups = [s for _, s in update_steps(report)]
    if ups:
        good = sum(step_ok(s) for s in ups)
        out += (f" The {len(ups)} updates each move a weight by −step_size times its gradient."
                if good == len(ups) else f" {len(ups) - good} of the {len(ups)} updates are wrong.")
    return out


def all_ok(report: Report) -> bool:
    return all(step_ok(s) for s in report.steps)


NOTATION_NAMES = {"code": "your code", "nielsen": "Nielsen", "ng": "Ng"}


def notation_of(report: Report) -> str:
    return report.notation if report.notation in NOTATION_NAMES else "code"


def textbook_order(report: Report) -> list[str]:
    """The textbook notations, the chosen one first."""
    chosen = notation_of(report)
    return sorted(("nielsen", "ng"), key=lambda n: n != chosen)


def formula_in(step: Step, notation: str) -> tuple[str, str]:
    """``(latex, unicode text)`` of the step's formula in ``notation`` (the code's own as a fallback)."""
    tb = step.textbook.get(notation)
    if tb is not None and (tb.latex or tb.text):
        return tb.latex, tb.text
    return step.formula_latex or "", step.formula_text or ""


def textbook_name(step: Step) -> str:
    """``"BP4 · dW^[2]"``: the step's names in Nielsen and Ng (once if equal), or ``""``."""
    names: list[str] = []
    for n in ("nielsen", "ng"):
        if n in step.textbook and step.textbook[n].name not in names:
            names.append(step.textbook[n].name)
    return " · ".join(names)


def symbol_in(step: Step, notation: str) -> str:
    """What the written variable holds in ``notation`` (e.g. ``"dZ^[2]ᵀ/m"``), or ``""``."""
    tb = step.textbook.get(notation)
    return tb.symbol if tb is not None else ""


def written_shape(step: Step) -> str:
    """Shape of what the line writes (full size), e.g. ``"(1000, 2)"``, or ``""``."""
    shape = step.shapes.get(step.writes)
    return fmt_shape(shape) if shape is not None else ""


def network_lines(report: Report) -> str:
    """The network in plain words when the report has them, else the ``key = value`` line."""
    return report.network_text or (network_sentence(report.network) if report.network else "")


def graph_text(report: Report) -> list[str]:
    """The graph as two short text lines: the forward chain, and the backward pass with line numbers."""
    g = report.graph
    if g is None or not g.nodes:
        return []
    notation = notation_of(report)
    nodes = {n.id: n for n in g.nodes}
    chain = [n for n in g.nodes if n.kind != "param"]
    forward = " → ".join(n.label for n in chain)
    parts = []
    for node in reversed(chain):
        edge_in = [e for e in g.edges if e.src == node.id and e.backward_lines]
        params = [e for e in g.edges if e.dst == node.id and e.backward_lines and
                  nodes[e.src].kind == "param"]
        if not edge_in and not params:
            continue
        sym = node.grad_symbols.get(notation) or f"∂L/∂{node.label}"
        group = f"{sym} ({lines_text(edge_in[0].backward_lines, report.cells)})" if edge_in else ""
        extra = ", ".join(f"{nodes[e.src].grad_symbols.get(notation) or nodes[e.src].label} "
                          f"({lines_text(e.backward_lines, report.cells)})" for e in params)
        parts.append(group + (" ⇒ " + extra if extra and group else extra))
    numbers = "cell: line numbers" if report.cells else "line numbers"
    return [f"Forward: {forward}", f"Backward ({numbers}): " + "  ⇒  ".join(parts)]


def lines_text(lines: list[int], cells: Sequence[tuple[int, int]] = ()) -> str:
    """``"34–35"``; in a notebook ``"cell 5: 11–12"``."""
    (c0, a), (c1, b) = cell_of(lines[0], cells), cell_of(lines[-1], cells)
    if c0 is None:
        return str(a) if len(lines) == 1 else f"{a}–{b}"
    if len(lines) == 1 or a == b and c0 == c1:
        return f"cell {c0}: {a}"
    return f"cell {c0}: {a}–{b}" if c0 == c1 else f"cell {c0}: {a} – cell {c1}: {b}"


def badge_text(step: Step) -> str:
    """Verdict badge: ``"✓ correct"``, ``"✗ wrong"``, ``"✗ error"``, ``"✗ check failed"``."""
    if step_ok(step):
        return "✓ correct"
    if step.holds in ("wrong", "error"):
        return f"✗ {step.holds}"
    return "✗ check failed"
