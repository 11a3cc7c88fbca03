"""The corpus scripts added for ``chainrule explain SCRIPT``: the mutants' culprits.

(The correct ``ok_*.py`` scripts are picked up by ``tests/test_check_corpus.py``.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chainrule.check import check_script

CORPUS = Path(__file__).parent / "check" / "corpus"

MUTANTS = {
    "mut_svm_correct_class.py": ("wrong", "matches no gradient"),
    "mut_sigmoid_deriv.py": ("wrong", "wrong sigmoid derivative"),
}


def bug_line(name: str) -> int:
    for no, line in enumerate((CORPUS / name).read_text().splitlines(), 1):
        if "# BUG" in line:
            return no
    raise AssertionError(f"{name} has no # BUG marker")


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_new_mutants_culprit(name):
    verdict, words = MUTANTS[name]
    r = check_script(CORPUS / name)
    assert not r.ok and r.exit_code == 1
    assert r.culprit_line == bug_line(name)
    entry = r.line(r.culprit_line)
    assert entry["verdict"] == verdict and words in entry["message"], entry


def test_svm_scaled_intermediate_is_not_blamed():
    """``binary = (margins > 0)`` is N × ∂L/∂margins; the bug is the line after it."""
    r = check_script(CORPUS / "mut_svm_correct_class.py")
    first = r.line(bug_line("mut_svm_correct_class.py") - 2)
    assert first["verdict"] == "scaled"


@pytest.mark.parametrize("name", ["ok_svm.py", "ok_sigmoid.py", "ok_leaky.py", "ok_spiral_mean.py",
                                  "ok_tuple_helpers.py"])
def test_new_correct_scripts_pass(name):
    r = check_script(CORPUS / name)
    assert r.ok and r.culprit_line is None, [(d["line"], d["message"]) for d in r.lines if d["verdict"] == "wrong"]
