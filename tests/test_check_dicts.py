"""chainrule check on parameters kept in a dict (CS231n `model["W1"]`, deeplearning.ai `parameters`/`grads`)."""

from __future__ import annotations

from pathlib import Path

from chainrule.check import check_script

CORPUS = Path(__file__).parent / "check" / "corpus"


def test_dict_params_shown_with_learner_names():
    r = check_script(CORPUS / "ok_dict_params.py")
    text = repr(r.to_json())
    assert "model__" not in text and "grads__" not in text
    ups = [d for d in r.lines if d["verdict"] == "update"]
    assert [d["gradient_of"] for d in ups] == ['model["W1"]', 'model["b1"]', 'model["W2"]', 'model["b2"]']


def test_ng_style_gradients_and_updates():
    r = check_script(CORPUS / "ok_ng_style.py")
    assert r.ok
    grads = {d["gradient_of"] for d in r.lines if d["verdict"] == "gradient"}
    assert {'parameters["W1"]', 'parameters["b1"]', 'parameters["W2"]', 'parameters["b2"]'} <= grads


def _variant(tmp_path, old, new, name="v.py") -> Path:
    src = (CORPUS / "ok_dict_params.py").read_text()
    assert old in src
    p = tmp_path / name
    p.write_text(src.replace(old, new))
    return p


def test_dict_update_ascent(tmp_path):
    p = _variant(tmp_path, 'model["W1"] += -step_size * grads["W1"]', 'model["W1"] += step_size * grads["W1"]')
    r = check_script(p)
    line = next(i for i, t in enumerate(p.read_text().splitlines(), 1) if 'model["W1"] += step_size' in t)
    assert r.culprit_line == line and "gradient ascent" in r.line(line)["message"]


def test_ng_style_missing_tanh_derivative(tmp_path):
    src = (CORPUS / "ok_ng_style.py").read_text()
    old = "dZ1 = np.dot(W2.T, dZ2) * (1 - np.power(A1, 2))"
    assert old in src
    p = tmp_path / "ng.py"
    p.write_text(src.replace(old, "dZ1 = np.dot(W2.T, dZ2)"))
    r = check_script(p)
    line = next(i for i, t in enumerate(p.read_text().splitlines(), 1) if t.strip() == "dZ1 = np.dot(W2.T, dZ2)")
    # dZ1 holds (m ×) ∂L/∂A1, but dW1 and db1 use it as ∂L/∂Z1: the tanh derivative is missing on this line
    assert not r.ok and r.culprit_line == line
    assert "tanh derivative is missing" in r.line(line)["message"]
    assert 'parameters["W1"]' in r.line(line + 1)["message"]


def test_explain_script_shows_dict_entries_as_written():
    import json as _json
    from dataclasses import asdict

    from chainrule.check import explain_script

    rep = explain_script(str(CORPUS / "ok_dict_params.py"))
    text = _json.dumps(asdict(rep), default=str)
    assert "model__" not in text and "grads__" not in text
    assert any(s.writes == 'grads["W2"]' and s.gradient_of == 'model["W2"]' for s in rep.steps)
