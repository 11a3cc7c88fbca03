"""Plain English for a reader whose first language is not English: short sentences, no idioms,
no paragraph twice, every term in the glossary once."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from chainrule.explain import build_report
from chainrule.explain.readability import (MAX_AVERAGE, MAX_WORDS, report_prose, report_stats,
                                           sentences, stats)

IDIOMS = ("kink", "bought", "gets away", "get away", "for free", "under the hood", "boils down",
          "in a nutshell", "on the fly", "rule of thumb", "each time round", "costs nothing")


def test_splitter_ignores_code_and_formulas():
    s = sentences("The line `dW2 = np.dot(hidden_layer.T, dscores)` sums over i. "
                  "Then ∂L/∂W₂ = Hᵀ · ∂L/∂S holds, e.g. for W2. $x^2$ is small.")
    assert [len(x) for x in s] == [6, 5, 3]  # a code or maths span is one word; ∂L/∂W₂ is none
    assert sentences("Shape (N, K) = (800, 2). Next.") == [["Shape", "N", "K", "800", "2"], ["Next"]]
    assert len(sentences("a " * 40)) == 1 and stats(["a " * 40]).longest == 40


@pytest.mark.parametrize("kwargs", [{}, {"tiny": (6, 4, 3), "seed": 3}])
def test_sentences_are_short(kwargs):
    report = build_report(train=False, **kwargs)
    st = report_stats(report)
    assert st.average <= MAX_AVERAGE, st
    assert st.longest <= MAX_WORDS, st.longest_sentence
    assert report_stats(report, backward_only=True).average <= MAX_AVERAGE
    assert st.words > 1500  # the measure sees the whole walkthrough


def test_no_idioms(report):
    for where, text in report_prose(report):
        low = (text or "").lower()
        for idiom in IDIOMS:
            assert idiom not in low, (where, idiom)


def test_no_paragraph_twice(report):
    paras = [p.strip() for _, t in report_prose(report) for p in re.split(r"\n\s*\n", t or "")
             if len(p.split()) >= 8]
    twice = [p for p, n in Counter(paras).items() if n > 1]
    assert twice == []


def test_glossary_defines_each_term_once(report):
    terms = [g.term for g in report.glossary]
    assert len(terms) == len(set(terms)) >= 10
    for needed in ("gradient", "upstream gradient", "local derivative", "one-hot", "broadcast",
                   "mask", "finite differences", "subgradient"):
        assert needed in terms
    assert all(len(sentences(g.meaning)) <= 3 for g in report.glossary)
