"""The corpus proves itself: every correct script takes the true optimizer step, every mutant does not.

Independent of chainrule: the scripts run under :mod:`scriptrun`, the true gradient comes from
autograd on the catalog's losses (:mod:`oracle`), cross-checked by finite differences.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from catalog import CASES, MUTANTS
from mutants import culprit, write_mutant
from optimizers import SGD, Adam, Momentum, Nesterov, RMSProp
from proof import prove
from scriptrun import cell_of, find_line, source_lines
from spec import CORPUS, FAMILIES

BY_SCRIPT = {case.script: case for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_correct_script_takes_the_true_step(case):
    proof = prove(case)
    assert proof.run.error is None, f"{case.name} raised {proof.run.error!r} at {proof.run.error_line}"
    assert proof.verdict == "right", proof.summary()


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_mutant_does_not(mutant, tmp_path):
    case = BY_SCRIPT[mutant.base]
    write_mutant(case, mutant, tmp_path)
    where = culprit(case, mutant, tmp_path)
    assert where["file"] == (mutant.file or case.path.name)
    proof = prove(case, tmp_path, stop_early=True)
    assert proof.verdict == "wrong", proof.summary()


# ---- the catalog itself ------------------------------------------------------------------
def test_corpus_has_45_scripts_in_12_styles():
    assert len(CASES) >= 45
    assert len({case.style for case in CASES}) >= 12
    assert len({case.script for case in CASES}) == len(CASES)


def test_every_mistake_family_twice_in_two_styles():
    styles = defaultdict(set)
    count = defaultdict(int)
    for mutant in MUTANTS:
        assert mutant.family in FAMILIES, mutant.family
        assert mutant.base in BY_SCRIPT, mutant.base
        styles[mutant.family].add(BY_SCRIPT[mutant.base].style)
        count[mutant.family] += 1
    for family in FAMILIES:
        # notebooks are one input form: there the "styles" are the distinct notebooks
        kinds = {m.base for m in MUTANTS if m.family == family} if family == "notebook_cell" else styles[family]
        assert count[family] >= 2 and len(kinds) >= 2, (family, count[family], kinds)
    assert len({m.name for m in MUTANTS}) == len(MUTANTS)


def test_every_corpus_file_belongs_to_a_case():
    on_disk = {
        str(p.relative_to(CORPUS))
        for p in CORPUS.glob("*/*")
        if p.suffix in (".py", ".ipynb") and "__pycache__" not in p.parts
    }
    known = {str(Path(case.script).parent / name) for case in CASES for name in case.files}
    assert on_disk == known


def test_mutants_change_exactly_one_line(tmp_path):
    for number, mutant in enumerate(MUTANTS):
        case = BY_SCRIPT[mutant.base]
        assert mutant.old.strip() != mutant.new.strip()
        assert (mutant.file or case.path.name) in case.files
        folder = tmp_path / str(number)
        folder.mkdir()
        write_mutant(case, mutant, folder)
        for name in case.files:
            before = source_lines(case.path.parent / name)
            after = source_lines(folder / name)
            changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
            expected = 1 if name == (mutant.file or case.path.name) else 0
            assert len(before) == len(after) and len(changed) == expected, (mutant.name, name, changed)


def _run_plain(case) -> tuple[str, int, str]:
    env = dict(os.environ, MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, case.path.name], cwd=case.path.parent, env=env,
                          capture_output=True, text=True, timeout=120)
    return case.name, proc.returncode, proc.stderr[-800:]


def test_runnable_scripts_run_with_plain_python():
    """`python script.py` works for every script that is meant to (all but notebooks and magics)."""
    runnable = [case for case in CASES if case.runs_plain]
    assert len(runnable) >= 45
    with ThreadPoolExecutor(max_workers=2) as pool:
        failures = [r for r in pool.map(_run_plain, runnable) if r[1] != 0]
    assert not failures, failures


# ---- the harness can fail ----------------------------------------------------------------
def test_a_wrong_learning_rate_is_proven_wrong():
    case = BY_SCRIPT["cs231n/learner_seed.py"]
    proof = prove(dataclasses.replace(case, opt=SGD(0.5)), stop_early=True)
    assert proof.verdict == "wrong" and abs(proof.worst - 0.5) < 1e-9  # |Δ - Δ/2| / |Δ| = 1/2


def test_momentum_is_not_plain_sgd_at_the_second_step():
    case = BY_SCRIPT["optimizers/momentum_vars.py"]
    proof = prove(dataclasses.replace(case, opt=SGD(0.5)), stop_early=True)
    assert proof.verdict == "wrong"
    assert max(v for k, v in proof.errors.items() if k.startswith("0:")) < 1e-12  # step 1: v = -lr·g
    assert max(v for k, v in proof.errors.items() if k.startswith("1:")) > 0.1


def test_a_crashing_mutant_is_wrong_and_names_its_line(tmp_path):
    case = BY_SCRIPT["cs231n/learner_seed.py"]
    bad = dataclasses.replace(MUTANTS[0], base=case.script, family="missing_transpose", file="",
                              old="dW2 = np.dot(hidden_layer.T, dscores)", new="dW2 = np.dot(hidden_layer, dscores)")
    write_mutant(case, bad, tmp_path)
    proof = prove(case, tmp_path, stop_early=True)
    assert proof.verdict == "wrong" and "ValueError" in proof.reason
    assert proof.run.error_line == ("learner_seed.py", culprit(case, bad, tmp_path)["line"])


def test_optimizer_steps_by_hand():
    g = np.array([2.0, -0.5])
    assert np.allclose(SGD(0.1).stepper()("w", g, 0), [-0.2, 0.05])
    assert np.isclose(SGD(1.0, decay=0.5).rate(2), 0.5)
    momentum = Momentum(0.1, mu=0.9).stepper()
    assert np.allclose(momentum("w", g, 0), [-0.2, 0.05])
    assert np.allclose(momentum("w", g, 1), [-0.38, 0.095])  # 0.9·(-0.2) - 0.2
    assert np.allclose(Nesterov(0.1, mu=0.9).stepper()("w", g, 0), [-0.38, 0.095])  # -(1 + μ)·lr·g
    assert np.allclose(RMSProp(0.1, rho=0.9, eps=0.0).stepper()("w", g, 0), [-0.1 / np.sqrt(0.1), 0.1 / np.sqrt(0.1)])
    assert np.allclose(Adam(0.1, eps=0.0).stepper()("w", g, 0), [-0.1, 0.1])  # m̂/√v̂ = sign(g)
    raw = Adam(0.1, eps=0.0, bias_correction=False).stepper()("w", g, 0)
    assert np.allclose(raw, [-0.1 * 0.1 / np.sqrt(0.001), 0.1 * 0.1 / np.sqrt(0.001)])


# ---- inputs as learners have them ----------------------------------------------------------
def test_magic_and_shell_lines_become_pass():
    lines = source_lines(CORPUS / "py_export/pasted_magics.py")
    assert lines[1] == "pass" and lines[2] == "pass" and lines[3] == "pass"
    assert "        pass" in lines  # the %time inside the loop keeps its indentation


def test_bom_is_dropped():
    raw = (CORPUS / "dtypes/bom_utf8.py").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert source_lines(CORPUS / "dtypes/bom_utf8.py")[0].startswith("# Rückwärtsrechnung")


def test_notebook_lines_map_back_to_cells():
    notebook = CORPUS / "notebook/spiral_notebook.ipynb"
    line = find_line(notebook, "for i in range(200):")
    assert cell_of(notebook, line) == (9, 1)  # the 9th cell (markdown cells count), its first line
    assert cell_of(notebook, find_line(notebook, "import matplotlib.pyplot as plt")) == (3, 2)
    assert cell_of(CORPUS / "cs231n/learner_seed.py", 12) == (None, 12)
