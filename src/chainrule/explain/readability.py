"""How easy the walkthrough's English is to read: sentences, words, and where the prose lives.

The reader's first language is often not English, so the walkthrough keeps its
sentences short (:data:`MAX_AVERAGE` words on average, none over
:data:`MAX_WORDS`).  :func:`sentences` splits Markdown-light prose into
sentences and counts what is not English apart: a ```code``` span or a ``$maths$`` span
reads as one word (a name), tokens made of formula symbols (``∂L/∂S``, ``=``)
are not words.
:func:`report_prose` collects every piece of prose a
:class:`~chainrule.report.Report` carries, so a test can measure all of it.

>>> [len(s) for s in sentences("Sum over `axis=0`. It keeps (1, K), e.g. the shape of b.")]
[3, 9]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from chainrule.report import Report

#: The limits the walkthrough keeps (a test measures them).
MAX_AVERAGE = 16.0
MAX_WORDS = 35

_CODE = re.compile(r"``[^`]+``|`[^`\n]+`")
_MATH = re.compile(r"\$[^$\n]+\$")
_ABBREV = re.compile(r"\b(e\.g|i\.e|vs|etc|cf|approx)\.", re.IGNORECASE)
_END = re.compile(r"(?<=[.!?])[\"'”)\]]*\s+(?=[\"'“(\[A-Z0-9§∂δ])|\n\s*\n|\n(?=\s*[-*•] )")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*|\d+(?:[.,]\d+)*")
#: A token holding one of these is a formula, not a word.
_FORMULA_CHARS = set("∂Σ⊙=/·^_×−+<>≤≥←→ᵀ√∈{}|⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉δηλσ′")


def _words(sentence: str) -> list[str]:
    out = []
    for token in sentence.split():
        core = token.strip(".,;:!?\"'“”‘’*()[]")
        if "§" in core:  # a code or maths span reads as one word
            out.append("§")
            continue
        if not core or any(c in _FORMULA_CHARS for c in core):
            continue
        out.extend(_WORD.findall(core)[:1])
    return out


def sentences(text: str) -> list[list[str]]:
    """The sentences of ``text``, each as its list of English words (code and maths dropped).

    A code span or a formula inside a sentence is left out of its words but
    does not end the sentence; sentences with no words at all are dropped.
    """
    text = _CODE.sub(" § ", text or "")  # § holds a code or maths span's place: one word
    text = _MATH.sub(" § ", text)
    text = _ABBREV.sub(lambda m: m.group(1), text)
    out = []
    for part in _END.split(text):
        words = _words(part or "")
        if words:
            out.append(words)
    return out


@dataclass(frozen=True)
class ProseStats:
    """Sentence statistics of some prose."""

    words: int
    sentences: int
    average: float
    longest: int
    longest_sentence: str

    def within_limits(self) -> bool:
        return self.average <= MAX_AVERAGE and self.longest <= MAX_WORDS


def stats(texts: list[str]) -> ProseStats:
    """Word count, sentence count, average and longest sentence of ``texts``."""
    all_s = [s for t in texts for s in sentences(t)]
    if not all_s:
        return ProseStats(0, 0, 0.0, 0, "")
    longest = max(all_s, key=len)
    words = sum(len(s) for s in all_s)
    return ProseStats(words, len(all_s), words / len(all_s), len(longest), " ".join(longest))


def report_prose(report: Report) -> Iterator[tuple[str, str]]:
    """Every piece of English prose in ``report`` as ``(where, text)`` (code and data left out)."""
    yield "intro", report.intro
    for k, f in enumerate(report.forward):
        yield f"forward[{k}].note", getattr(f, "note", "")
        for v in f.values:
            yield f"forward[{k}].value", v.note
    for k, s in enumerate(report.steps):
        for attr in ("title", "holds_text", "chain", "shape_reason", "message"):
            yield f"steps[{k}].{attr}", getattr(s, attr)
        for v in s.values:
            yield f"steps[{k}].value", v.note
        for name, tb in s.textbook.items():
            yield f"steps[{k}].textbook[{name}]", tb.translation
    for p in report.pitfalls:
        yield f"pitfall[{p.id}]", p.title + ". " + p.explanation
    bridge = getattr(report, "bridge", None)
    if bridge is not None:
        yield "bridge.intro", bridge.intro
        for k, rule in enumerate(bridge.rules):
            yield f"bridge.rules[{k}]", rule.title + ". " + rule.text
        for k, proof in enumerate(bridge.proofs):
            yield f"bridge.proofs[{k}]", proof.explanation
    for k, g in enumerate(getattr(report, "glossary", []) or []):
        yield f"glossary[{k}]", g.meaning


def report_stats(report: Report, backward_only: bool = False) -> ProseStats:
    """:func:`stats` over all of ``report``'s prose (or only its backward steps)."""
    texts = [t for where, t in report_prose(report)
             if t and (not backward_only or where.startswith("steps["))]
    return stats(texts)
