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
