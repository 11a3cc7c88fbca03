"""``chainrule check`` on the corpus: every correct script passes, every mutant's culprit is its own line.

The real CLI runs in a subprocess (``python -m chainrule check <script> --json`` with this tree's
``src`` first on ``PYTHONPATH``). JSON contract: ``{"ok": bool, "culprit": null | {"file": <relative
to the script's folder>, "line": int, "cell": int | null, "code": str}, "culprit_line": ...,
"loss": {"inferred": bool, ...}, ...}``; for a notebook ``cell`` counts every cell from 1 and
``line`` is the line in that cell.

Off until the rebuilt engine lands: it runs with ``CHAINRULE_CORPUS_CHECK=1`` or once
``chainrule.check.ENGINE_VERSION >= 2``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from catalog import CASES, MUTANTS
from mutants import culprit, write_mutant
from spec import Case

SRC = Path(__file__).resolve().parents[2] / "src"
BY_SCRIPT = {case.script: case for case in CASES}


def _engine_ready() -> bool:
    if os.environ.get("CHAINRULE_CORPUS_CHECK") == "1":
        return True
    try:
        import chainrule.check as check
    except Exception:  # an unimportable checker is not ready either
        return False
    return getattr(check, "ENGINE_VERSION", 0) >= 2


pytestmark = [
    pytest.mark.corpus_check,
    pytest.mark.skipif(
        not _engine_ready(),
        reason="the corpus check waits for the rebuilt engine (chainrule.check.ENGINE_VERSION >= 2); "
        "set CHAINRULE_CORPUS_CHECK=1 to run it against today's checker",
    ),
]


def run_check(script: Path) -> tuple[int, dict]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]))
    env["MPLBACKEND"] = "Agg"
    proc = subprocess.run(
        [sys.executable, "-m", "chainrule", "check", str(script), "--json"],
        capture_output=True, text=True, timeout=600, env=env, cwd=script.parent.parent,
    )
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"exit {proc.returncode}, no JSON on stdout; stderr: {proc.stderr[-1500:]}")
    return proc.returncode, report


def _summary(report: dict) -> str:
    wrong = [(d.get("line"), d.get("message")) for d in report.get("lines", []) if d.get("verdict") in ("wrong", "error")]
    return json.dumps({k: report.get(k) for k in ("ok", "culprit", "culprit_line", "error")}, default=str) + f" {wrong[:3]}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_correct_script_passes(case: Case):
    code, report = run_check(case.path)
    assert code == 0 and report.get("ok") is True, _summary(report)
    assert report.get("culprit") is None
    if not case.computes_loss:
        assert report["loss"]["inferred"] is True, report.get("loss")


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_mutant_culprit_is_its_line(mutant, tmp_path):
    case = BY_SCRIPT[mutant.base]
    folder = tmp_path / "mutant"
    folder.mkdir()
    script = write_mutant(case, mutant, folder)
    expected = culprit(case, mutant, folder)
    code, report = run_check(script)
    assert code == 1 and report.get("ok") is False, _summary(report)
    got = report.get("culprit") or {}
    assert {k: got.get(k) for k in ("file", "line", "cell")} == expected, _summary(report)
