"""chainrule check when the parameter updates happen in a helper called from the loop
(deeplearning.ai `parameters = update_parameters(parameters, grads, learning_rate)`,
plain `W, b = update(W, b, dW, db, lr)`)."""

from __future__ import annotations

from pathlib import Path

from chainrule.check import check_script

CORPUS = Path(__file__).parent / "check" / "corpus"


def _line_of(path: Path, text: str) -> int:
    return next(no for no, line in enumerate(path.read_text().splitlines(), 1) if line.strip() == text)


def test_ng_update_helper_ok():
    r = check_script(CORPUS / "ok_ng_update_helper.py")
    assert r.ok and r.exit_code == 0
    ups = [d for d in r.lines if d["verdict"] == "update"]
    assert [d["gradient_of"] for d in ups] == ['parameters["W1"]', 'parameters["b1"]',
                                               'parameters["W2"]', 'parameters["b2"]']
    assert [d["line"] for d in ups] == [_line_of(CORPUS / "ok_ng_update_helper.py", t) for t in (
        "W1 = W1 - learning_rate * dW1", "b1 = b1 - learning_rate * db1",
        "W2 = W2 - learning_rate * dW2", "b2 = b2 - learning_rate * db2")]
    assert "parameters__" not in repr(r.to_json()) and "_cr" not in repr(r.to_json())


_IN_PLACE = '''def update_parameters(parameters, grads, learning_rate):
    parameters["W1"] = parameters["W1"] - learning_rate * grads["dW1"]
    parameters["b1"] = parameters["b1"] - learning_rate * grads["db1"]
    parameters["W2"] = parameters["W2"] - learning_rate * grads["dW2"]
    parameters["b2"] = parameters["b2"] - learning_rate * grads["db2"]
    return parameters
'''


def _with_update(tmp_path, new_def: str, sign_bug: bool = False) -> Path:
    src = (CORPUS / "ok_ng_update_helper.py").read_text()
    start = src.index("def update_parameters(")
    end = src.index("parameters = initialize_parameters(")
    if sign_bug:
        new_def = new_def.replace('parameters["b1"] - learning_rate', 'parameters["b1"] + learning_rate')
    p = tmp_path / "v.py"
    p.write_text(src[:start] + new_def + "\n\n" + src[end:])
    return p


def test_in_place_dict_update_helper(tmp_path):
    r = check_script(_with_update(tmp_path, _IN_PLACE))
    assert r.ok
    assert len([d for d in r.lines if d["verdict"] == "update"]) == 4


def test_in_place_dict_update_helper_sign_bug(tmp_path):
    p = _with_update(tmp_path, _IN_PLACE, sign_bug=True)
    r = check_script(p)
    assert not r.ok
    line = next(i for i, t in enumerate(p.read_text().splitlines(), 1) if '"b1"] + learning_rate' in t)
    assert r.culprit_line == line and r.line(line)["gradient_of"] == 'parameters["b1"]'


def test_update_helper_returning_a_dict_literal(tmp_path):
    new = '''def update_parameters(parameters, grads, learning_rate):
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]
    W1 -= learning_rate * grads["dW1"]
    b1 -= learning_rate * grads["db1"]
    W2 -= learning_rate * grads["dW2"]
    b2 -= learning_rate * grads["db2"]
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
'''
    r = check_script(_with_update(tmp_path, new))
    assert r.ok
    assert len([d for d in r.lines if d["verdict"] == "update"]) == 4


_PLAIN = '''"""Plain arrays, updates in a helper returning the new arrays."""
import numpy as np

np.random.seed(0)
N, D, H, K = 60, 2, 8, 3
X = np.random.randn(N, D)
y = np.random.randint(K, size=N)
W = 0.01 * np.random.randn(D, H)
b = np.zeros((1, H))
W2 = 0.01 * np.random.randn(H, K)
b2 = np.zeros((1, K))
step_size = 1e-0


def update(W, b, dW, db, lr):
    W = W - lr * dW
    b = b - lr * db
    return W, b


def step(W2, dW2, lr):
    return W2 - lr * dW2


for i in range(100):
    hidden = np.maximum(0, np.dot(X, W) + b)
    scores = np.dot(hidden, W2) + b2
    exp_scores = np.exp(scores - scores.max(axis=1, keepdims=True))
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    loss = np.sum(-np.log(probs[range(N), y])) / N
    dscores = probs.copy()
    dscores[range(N), y] -= 1
    dscores /= N
    dW2 = np.dot(hidden.T, dscores)
    db2 = np.sum(dscores, axis=0, keepdims=True)
    dhidden = np.dot(dscores, W2.T)
    dhidden[hidden <= 0] = 0
    dW = np.dot(X.T, dhidden)
    db = np.sum(dhidden, axis=0, keepdims=True)
    W, b = update(W, b, dW, db, step_size)
    W2 = step(W2, dW2, step_size)
    b2 = step(b2, db2, step_size)
'''


def test_plain_variable_update_helpers(tmp_path):
    p = tmp_path / "plain.py"
    p.write_text(_PLAIN)
    r = check_script(p)
    assert r.ok
    assert sorted(d["gradient_of"] for d in r.lines if d["verdict"] == "update") == ["W", "W2", "b", "b2"]


def test_plain_variable_update_helper_sign_bug(tmp_path):
    p = tmp_path / "plain.py"
    p.write_text(_PLAIN.replace("    b = b - lr * db\n", "    b = b + lr * db\n"))
    r = check_script(p)
    assert not r.ok
    line = next(i for i, t in enumerate(p.read_text().splitlines(), 1) if t.strip() == "b = b + lr * db")
    assert r.culprit_line == line and "gradient ascent" in r.line(line)["message"]


def test_forward_helper_reassigning_its_argument_is_not_an_update(tmp_path):
    # `hidden = relu(hidden)` must stay an ordinary (inlined) forward helper
    src = _PLAIN.replace("    hidden = np.maximum(0, np.dot(X, W) + b)\n",
                         "    hidden = np.dot(X, W) + b\n    hidden = relu(hidden)\n")
    src = src.replace("def step(", "def relu(h):\n    return np.maximum(0, h)\n\n\ndef step(")
    p = tmp_path / "relu.py"
    p.write_text(src)
    assert check_script(p).ok
