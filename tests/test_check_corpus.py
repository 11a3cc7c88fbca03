"""chainrule check on the corpus: correct variants pass, each mutant's culprit line is found."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from chainrule.check import check_script, explain_script

CORPUS = Path(__file__).parent / "check" / "corpus"
OK = sorted(p.name for p in CORPUS.glob("ok_*.py")) + ["learner.py"]


def bug_line(name: str) -> int:
    for no, line in enumerate((CORPUS / name).read_text().splitlines(), 1):
        if "# BUG" in line:
            return no
    raise AssertionError(f"{name} has no # BUG marker")


@pytest.mark.parametrize("name", OK)
def test_correct_scripts_pass(name):
    r = check_script(CORPUS / name)
    assert r.ok, [(d["line"], d["message"]) for d in r.lines if d["verdict"] in ("wrong", "error")]
    assert r.exit_code == 0 and r.culprit_line is None
    assert any(d["verdict"] == "gradient" for d in r.lines)
    assert sum(d["verdict"] == "update" for d in r.lines) >= 4


MUTANTS = {
    # file: (verdict on the culprit line, words the message must contain)
    "mut_no_divide.py": ("wrong", "division by num_examples"),
    "mut_divide_twice.py": ("wrong", "once too often"),
    "mut_no_relu_mask.py": ("wrong", "relu derivative is missing"),
    "mut_inverted_mask.py": ("wrong", "inverted"),
    "mut_mask_noop.py": ("wrong", "changes nothing"),
    "mut_wrong_axis.py": ("wrong", "shape (90, 1)"),
    "mut_no_transpose.py": ("error", "hidden_layer.T"),
    "mut_shape_error.py": ("error", "W2.T"),
    "mut_doubled_reg.py": ("wrong", "too much regularisation"),
    "mut_sign_update.py": ("wrong", "gradient ascent"),
    "mut_factor2.py": ("wrong", "2 ×"),
    "mut_sign_db.py": ("wrong", "sign is flipped"),
    "mut_update_order.py": ("wrong", "after the update"),
    "mut_tanh_deriv.py": ("wrong", "1 − H"),
    "mut_divide_by_len_twice.py": ("wrong", "divided by len(X) (= 120) once too often"),
    "mut_svm_correct_class.py": ("wrong", "matches no gradient"),
    "mut_sigmoid_deriv.py": ("wrong", "wrong sigmoid derivative"),
    "mut_dict_params_sign.py": ("wrong", "sign is flipped"),
    "mut_ng_update_helper.py": ("wrong", "gradient ascent"),
}
GRADIENT_OF = {  # mutants whose culprit must also be named as the learner wrote the quantity
    "mut_dict_params_sign.py": 'model["b2"]',
    "mut_ng_update_helper.py": 'parameters["W2"]',
}


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_mutants_culprit(name):
    verdict, words = MUTANTS[name]
    r = check_script(CORPUS / name)
    assert not r.ok and r.exit_code == 1
    assert r.culprit_line == bug_line(name)
    entry = r.line(r.culprit_line)
    assert entry["verdict"] == verdict
    assert words in entry["message"], entry["message"]
    if name in GRADIENT_OF:
        assert entry["gradient_of"] == GRADIENT_OF[name]


def test_svm_scaled_intermediate_is_not_blamed():
    """``binary = (margins > 0)`` is N × ∂L/∂margins; the bug is the line after it."""
    r = check_script(CORPUS / "mut_svm_correct_class.py")
    first = r.line(bug_line("mut_svm_correct_class.py") - 2)
    assert first["verdict"] == "scaled"


def test_missing_reg_gradient_points_at_dw2():
    r = check_script(CORPUS / "mut_no_reg_grad.py")
    text = (CORPUS / "mut_no_reg_grad.py").read_text().splitlines()
    line = next(i for i, t in enumerate(text, 1) if t.strip() == "dW2 = np.dot(hidden_layer.T, dscores)")
    assert r.culprit_line == line
    assert "lacks the regularisation gradient" in r.line(line)["message"]


def test_no_divide_factor_is_n():
    r = check_script(CORPUS / "mut_no_divide.py")
    e = r.line(bug_line("mut_no_divide.py"))
    assert e["gradient_of"] == "scores" and e["factor"] == pytest.approx(90.0)


def test_learner_details():
    r = check_script(CORPUS / "learner.py")
    j = r.to_json()
    assert j["loss"]["name"] == "loss" and j["loss"]["line"] == 38 and j["loss"]["inferred"] is False
    by = {d["line"]: d for d in j["lines"]}
    assert by[44]["verdict"] == "intermediate" and "alias" not in by[44]["message"] or "same array" in by[44]["message"]
    assert by[45]["verdict"] == "scaled" and by[45]["factor"] == pytest.approx(800.0)
    assert by[46]["verdict"] == "gradient" and by[46]["gradient_of"] == "scores"
    assert by[54]["gradient_of"] == "np.dot(X, W) + b"
    assert by[49]["gradient_of"] == "W2" and by[49]["rel_error"] < 1e-10
    assert all(by[n]["verdict"] == "update" for n in (59, 60, 61, 62))
    # the points at the origin: one per class, exactly at the ReLU kink
    assert j["kinks"] and j["kinks"][0]["line"] == 29 and j["kinks"][0]["rows"] == [0, 400]
    assert j["kinks"][0]["subgradient"] == 0


def test_json_cli_only_json_and_exit_codes():
    out = subprocess.run([sys.executable, "-m", "chainrule", "check", str(CORPUS / "mut_sign_update.py"), "--json"],
                         capture_output=True, text=True)
    assert out.returncode == 1
    data = json.loads(out.stdout)
    assert set(data) == {"ok", "culprit", "loss", "culprit_line", "lines", "kinks", "notes"}
    assert data["culprit_line"] == bug_line("mut_sign_update.py")
    assert data["culprit"] == {"file": "mut_sign_update.py", "line": bug_line("mut_sign_update.py"), "cell": None,
                               "code": "W2 += step_size * dW2"}
    ok = subprocess.run([sys.executable, "-m", "chainrule", "check", str(CORPUS / "ok_tanh.py")],
                        capture_output=True, text=True)
    assert ok.returncode == 0 and "✓" in ok.stdout


def test_explain_script_report():
    rep = explain_script(CORPUS / "learner.py")
    assert rep.source.startswith("import numpy")
    dw2 = next(s for s in rep.steps if s.code.startswith("dW2 ="))
    assert dw2.holds == "gradient" and dw2.formula_keys == ["linear.dW"] and dw2.line == 49
    mask = next(s for s in rep.steps if s.line == 54)
    assert mask.formula_keys == ["relu.backward"]
    assert rep.kinks and len(rep.forward) >= 5
