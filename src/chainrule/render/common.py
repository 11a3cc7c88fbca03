"""Words and small layouts shared by the renderers (no maths is computed here).

Every renderer says the same thing the same way: the verdict of a step, the
label of what a variable holds, the one-line network summary, the training
summary, and how "Markdown-light" text (``code``, ``$latex$``, ``**bold**``)
is split into pieces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator, Optional

from chainrule.render.latex import fmt_err, fmt_num, fmt_percent, fmt_seconds
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


def line_label(line: Optional[int]) -> str:
    """``"line 42"`` or ``""``."""
    return f"line {line}" if line is not None else ""


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
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        out.append((key, str(value)))
    return out


def network_sentence(network: dict[str, Any]) -> str:
    """One line summary of the network, e.g. ``"N = 800 examples · D = 2 inputs · …"``."""
    return " · ".join(f"{k} = {v}" if k in dict(_NETWORK_KEYS) else f"{k}: {v}"
                      for k, v in network_items(network))


def training_sentence(t: Training) -> str:
    """``"Training took 12.3 s: final loss 0.0123, training accuracy 98.5 %."``."""
    return (f"Training took {fmt_seconds(t.seconds)}: final loss {fmt_num(t.final_loss)}, "
            f"training accuracy {fmt_percent(t.train_accuracy)}.")


def history_rows(t: Training, max_rows: int = 8) -> list[tuple[str, str, str]]:
    """A few (iteration, loss, accuracy) rows of the history, first and last included."""
    n = min(len(t.iterations), len(t.losses))
    if n == 0:
        return []
    if n <= max_rows:
        idx = list(range(n))
    else:
        stride = (n - 1) / (max_rows - 1)
        idx = sorted({round(i * stride) for i in range(max_rows)})
    acc = t.accuracies
    return [(str(t.iterations[i]), fmt_num(t.losses[i]),
             fmt_percent(acc[i]) if i < len(acc) else "—") for i in idx]


def counts(report: Report) -> tuple[int, int]:
    """(number of passing steps, number of steps)."""
    return sum(step_ok(s) for s in report.steps), len(report.steps)


def badge_text(step: Step) -> str:
    """Verdict badge: ``"✓ correct"``, ``"✗ wrong"``, ``"✗ error"``, ``"✗ check failed"``."""
    if step_ok(step):
        return "✓ correct"
    if step.holds in ("wrong", "error"):
        return f"✗ {step.holds}"
    return "✗ check failed"
