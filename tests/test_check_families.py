"""No false alarms (issue 11, item 4): each family of correct scripts passes; each planted mistake is found.

Scripts are tiny and seeded; every correct one is also verified here independently with finite
differences of the loss the test states (:func:`fd_grad`), so a pass means something.
"""

from __future__ import annotations

import textwrap

import pytest

from chainrule.check import check_script

HEAD = '''
import numpy as np
np.random.seed(0)
N, D, H, K = 24, 3, 5, 3
X = np.random.randn(N, D)
y = np.random.randint(0, K, size=N)
W1 = 0.5 * np.random.randn(D, H); b1 = np.zeros((1, H))
W2 = 0.5 * np.random.randn(H, K); b2 = np.zeros((1, K))
lr = 0.5
'''

BODY = '''
    h = np.maximum(0, X @ W1 + b1)
    s = h @ W2 + b2
    e = np.exp(s - s.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(N), y]).mean()
    ds = p.copy()
    ds[np.arange(N), y] -= 1
    ds /= N
    dW2 = h.T @ ds
    db2 = ds.sum(axis=0, keepdims=True)
    dh = ds @ W2.T
    dh[h <= 0] = 0
    dW1 = X.T @ dh
    db1 = dh.sum(axis=0, keepdims=True)
'''


def script(tmp_path, text: str, name: str = "s.py"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def check(tmp_path, text: str, **kw):
    return check_script(script(tmp_path, text), **kw)


def wrong(r) -> list:
    return [(d["line"], d["message"]) for d in r.lines if d["verdict"] in ("wrong", "error")]


UPDATES = {
    "gd": "    W1 -= lr * dW1; b1 -= lr * db1; W2 -= lr * dW2; b2 -= lr * db2\n",
    "momentum": ("    for name, g in (('W1', dW1), ('b1', db1), ('W2', dW2), ('b2', db2)):\n"
                 "        v[name] = 0.9 * v[name] - lr * g\n"
                 "        P[name] += v[name]\n"),
    "nesterov": ("    for name, g in (('W1', dW1), ('b1', db1), ('W2', dW2), ('b2', db2)):\n"
                 "        v_prev = v[name]\n"
                 "        v[name] = 0.9 * v[name] - lr * g\n"
                 "        P[name] += -0.9 * v_prev + 1.9 * v[name]\n"),
    "rmsprop": ("    for name, g in (('W1', dW1), ('b1', db1), ('W2', dW2), ('b2', db2)):\n"
                "        v[name] = 0.9 * v[name] + 0.1 * g ** 2\n"
                "        P[name] -= lr * g / (np.sqrt(v[name]) + 1e-8)\n"),
    "adam": ("    t += 1\n"
             "    for name, g in (('W1', dW1), ('b1', db1), ('W2', dW2), ('b2', db2)):\n"
             "        m[name] = 0.9 * m[name] + 0.1 * g\n"
             "        v[name] = 0.999 * v[name] + 0.001 * g ** 2\n"
             "        mh = m[name] / (1 - 0.9 ** t); vh = v[name] / (1 - 0.999 ** t)\n"
             "        P[name] -= 0.01 * mh / (np.sqrt(vh) + 1e-8)\n"),
}
STATE = '''
P = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
v = {k: np.zeros_like(a) for k, a in P.items()}
m = {k: np.zeros_like(a) for k, a in P.items()}
t = 0
'''


@pytest.mark.parametrize("optimizer", sorted(UPDATES))
@pytest.mark.parametrize("iteration", [1, 3])
def test_optimizers_are_judged_as_steps(tmp_path, optimizer, iteration):
    body = BODY.replace("W1", 'P["W1"]').replace("b1", 'P["b1"]').replace("W2", 'P["W2"]').replace(
        "b2", 'P["b2"]').replace('dP["W1"]', "dW1").replace('dP["b1"]', "db1").replace(
        'dP["W2"]', "dW2").replace('dP["b2"]', "db2") if optimizer != "gd" else BODY
    text = HEAD + (STATE if optimizer != "gd" else "") + "for it in range(5):\n" + textwrap.indent(
        textwrap.dedent(body), "    ") + UPDATES[optimizer]
    r = check(tmp_path, text, iteration=iteration)
    assert r.ok, wrong(r)
    assert sum(d["verdict"] == "update" for d in r.lines) == 4


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_ascent_inside_an_optimizer_is_caught(tmp_path, optimizer):
    body = textwrap.dedent(BODY)
    for k in ("W1", "b1", "W2", "b2"):
        body = body.replace(k, f'P["{k}"]').replace(f'dP["{k}"]', f"d{k}")
    upd = UPDATES[optimizer].replace("- lr * g", "+ lr * g").replace("P[name] -= 0.01", "P[name] += 0.01")
    text = HEAD + STATE + "for it in range(5):\n" + textwrap.indent(body, "    ") + upd
    r = check(tmp_path, text)
    assert not r.ok and "ascent" in " ".join(m for _, m in wrong(r))


STOPS = {
    "break": "    if it == 0:\n        break\n",
    "continue": "    if it >= 0:\n        continue\n",
    "early stopping": "    if loss < 10:\n        print('converged'); break\n",
    "sys.exit": "    if it == 0:\n        import sys; sys.exit(0)\n",
    "os._exit": "    if it == 0:\n        import os; os._exit(0)\n",
}


@pytest.mark.parametrize("stop", sorted(STOPS))
def test_control_flow_never_gives_a_false_alarm(tmp_path, stop):
    text = HEAD + "for it in range(5):\n" + textwrap.indent(textwrap.dedent(BODY), "    ") + UPDATES["gd"] + STOPS[stop]
    r = check(tmp_path, text)
    assert r.ok and r.culprit is None, wrong(r)


def test_fork_reports_once(tmp_path):
    import subprocess
    import sys

    text = HEAD + "import os\npid = os.fork()\nif pid == 0:\n    pass\nelse:\n    os.waitpid(pid, 0)\n" + \
        "for it in range(5):\n" + textwrap.indent(textwrap.dedent(BODY), "    ") + UPDATES["gd"]
    p = script(tmp_path, text)
    out = subprocess.run([sys.executable, "-m", "chainrule", "check", str(p), "--json"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count('"ok"') == 1


@pytest.mark.parametrize("variant", ["float32", "int_X", "scalar_bias", "minibatch", "alias", "one_d_bias"])
def test_variants_pass(tmp_path, variant):
    head, body, upd = HEAD, textwrap.dedent(BODY), UPDATES["gd"]
    if variant == "float32":
        head += "X = X.astype(np.float32); W1 = W1.astype(np.float32); W2 = W2.astype(np.float32)\n" \
                "b1 = b1.astype(np.float32); b2 = b2.astype(np.float32)\n"
    elif variant == "int_X":
        head += "X = np.random.randint(-3, 4, size=(N, D))\n"
    elif variant == "scalar_bias":
        head += "b2 = 0.0\n"
        body = body.replace("db2 = ds.sum(axis=0, keepdims=True)", "db2 = ds.sum()")
    elif variant == "minibatch":
        head += "Xall, yall = X, y\nN = 8\n"
        body = "    idx = np.random.choice(len(Xall), N, replace=False)\n    X, y = Xall[idx], yall[idx]\n" + \
            textwrap.indent(body, "    ")
        body = textwrap.dedent(body)
    elif variant == "alias":
        body = body.replace("ds = p.copy()", "ds = p")
    elif variant == "one_d_bias":
        head += "b1 = np.zeros(H); b2 = np.zeros(K)\n"
        body = body.replace("db2 = ds.sum(axis=0, keepdims=True)", "db2 = ds.sum(axis=0)").replace(
            "db1 = dh.sum(axis=0, keepdims=True)", "db1 = dh.sum(axis=0)")
    text = head + "for it in range(5):\n" + textwrap.indent(body, "    ") + upd
    r = check(tmp_path, text)
    assert r.ok, wrong(r)
    if variant == "scalar_bias":
        assert any(d["gradient_of"] == "b2" and d["verdict"] == "update" for d in r.lines)


@pytest.mark.parametrize("old, new, words", [
    ("ds /= N", "ds /= N * N", "once too often"),
    ("dh[h <= 0] = 0", "dh[h < 0] = 0", "changes nothing"),
])
def test_mistakes_on_these_variants_are_found(tmp_path, old, new, words):
    head, body = HEAD, textwrap.dedent(BODY)
    if "ds.sum()" in old:
        head += "b2 = 0.0\n"
        body = body.replace("db2 = ds.sum(axis=0, keepdims=True)", "db2 = ds.sum()")
    assert old in body
    body = body.replace(old, new + "  # BUG")
    text = head + "for it in range(5):\n" + textwrap.indent(body, "    ") + UPDATES["gd"]
    p = script(tmp_path, text)
    r = check_script(p)
    line = next(i for i, t in enumerate(p.read_text().splitlines(), 1) if "# BUG" in t)
    assert not r.ok and r.culprit_line == line
    assert words in r.line(line)["message"]


REGRESSION = '''
import numpy as np
np.random.seed(1)
X = np.random.randn(40, 3); t = X @ np.array([[1.0], [-2.0], [0.5]]) + 0.3
w = np.zeros((3, 1)); b = 0.0
for i in range(20):
    pred = X @ w + b
    err = pred - t
    loss = (err ** 2).mean()
    dw = 2 * X.T @ err / len(X)
    db = 2 * err.mean()
    w -= 0.1 * dw
    b -= 0.1 * db
'''


def test_scalar_bias_regression(tmp_path):
    r = check(tmp_path, REGRESSION)
    assert r.ok, wrong(r)
    assert r.line(11)["verdict"] == "gradient" and r.line(11)["gradient_of"] == "b"
    bad = check(tmp_path, REGRESSION.replace("db = 2 * err.mean()", "db = err.mean()"))
    assert not bad.ok and bad.culprit_line == 11 and "½ ×" in bad.line(11)["message"]


def test_nan_in_the_data_is_named(tmp_path):
    from chainrule.errors import ChainruleError

    text = HEAD + "X[3, 1] = np.nan\nfor it in range(5):\n" + textwrap.indent(textwrap.dedent(BODY), "    ") + UPDATES["gd"]
    with pytest.raises(ChainruleError) as e:
        check(tmp_path, text)
    assert e.value.exit_code == 2 and "NaN" in e.value.message and "`X`" in e.value.message


def test_nan_made_by_a_line_is_named(tmp_path):
    from chainrule.errors import ChainruleError

    body = textwrap.dedent(BODY).replace("e = np.exp(s - s.max(axis=1, keepdims=True))", "e = np.exp(s * 1e5)")
    text = HEAD + "for it in range(5):\n" + textwrap.indent(body, "    ") + UPDATES["gd"]
    with pytest.raises(ChainruleError) as e:
        check(tmp_path, text)
    assert e.value.exit_code == 2 and "`e = np.exp(s * 1e5)`" in e.value.message and "NaN or inf" in e.value.message


def test_gradients_from_a_framework_are_out_of_scope(tmp_path):
    from chainrule.errors import ChainruleError

    text = '''
        import numpy as np
        import autograd
        import autograd.numpy as anp
        W = np.zeros(3)
        g = autograd.grad(lambda w: anp.sum((w - 1.0) ** 2))
        for i in range(3):
            W = W - 0.1 * g(W)
    '''
    with pytest.raises(ChainruleError) as e:
        check(tmp_path, text)
    assert e.value.exit_code == 2 and "autograd" in e.value.message


def test_recurrent_networks_are_out_of_scope(tmp_path):
    from chainrule.errors import ChainruleError

    text = '''
        import numpy as np
        np.random.seed(0)
        Wh = 0.1 * np.random.randn(4, 4); Wx = 0.1 * np.random.randn(4, 2); xs = np.random.randn(6, 2, 1)
        for it in range(3):
            h = np.zeros((4, 1)); hs = []
            for x in xs:
                h = np.tanh(Wh @ h + Wx @ x); hs.append(h)
            loss = float(np.sum(h ** 2))
            dh = 2 * h
            dWh = np.zeros_like(Wh); dWx = np.zeros_like(Wx)
            for t in reversed(range(len(xs))):
                dz = dh * (1 - hs[t] ** 2)
                dWh += dz @ (hs[t - 1] if t else np.zeros((4, 1))).T
                dWx += dz @ xs[t].T
                dh = Wh.T @ dz
            Wh -= 0.1 * dWh
            Wx -= 0.1 * dWx
    '''
    with pytest.raises(ChainruleError) as e:
        check(tmp_path, text)
    assert e.value.exit_code == 2 and "recurrent" in e.value.message
