"""The reproduction contract: chainrule's numbers are the learner's numbers."""

from __future__ import annotations

import contextlib
import io
import json
import re

import numpy as np
import pytest
from typer.testing import CliRunner

from chainrule.cli import app
from chainrule.config import TrainConfig
from chainrule.errors import DivergenceError
from chainrule.training import prepare, train

# The learner's script, verbatim but for Python 3's print and the indentation the forum lost.
LEARNER = """
import numpy as np
import matplotlib.pyplot as plt
def create_data_set(points, classes):
    X = np.zeros((points*classes, 2))
    y = np.zeros(points*classes, dtype='uint8')
    for class_number in range(classes):
        ix = range(points*class_number, points*(class_number+1))
        r = np.linspace(0.0, 1, points)
        t = np.linspace(class_number*4, (class_number+1)*4, points) + np.random.randn(points)*0.5
        X[ix] = np.c_[r*np.sin(t*1.0), r*np.cos(t*1.0)]
        y[ix] = class_number
    return X, y
X, y = create_data_set(400, 2)
N = 200 # number of points per class
D = 2 # dimensionality
K = 2 # number of classes
h = 1000 # size of hidden layer
W = 0.01 * np.random.randn(D,h)
b = np.zeros((1,h))
W2 = 0.01 * np.random.randn(h,K)
b2 = np.zeros((1,K))
step_size = 1e-0
num_examples = X.shape[0]
ii = []
error = []
#here in for-loop we deply the back propagation alghorithm (gradient descent)
for i in range(3000):
    # evaluate class scores, [N x K]
    hidden_layer = np.maximum(0, np.dot(X, W) + b) # note, ReLU activation
    scores = np.dot(hidden_layer, W2) + b2
    # compute the Softmax class probabilities
    exp_scores = np.exp(scores)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True) # [N x K]
    # compute the loss (cross-entropy loss)
    corect_logprobs = -np.log(probs[range(num_examples),y])
    data_loss = np.sum(corect_logprobs)/num_examples
    #reg_loss = 0.5*reg*np.sum(W*W) + 0.5*reg*np.sum(W2*W2)
    loss = data_loss # + reg_loss
    if i % 100 == 0:
        print("i:", i, "loss: ", loss)
        ii.append(i)
        error.append(loss)
    # compute the gradient on scores
    dscores = probs
    dscores[range(num_examples),y] -= 1
    dscores /= num_examples
    # apply the backpropate alghorithm(BP) the gradient
    # first apply into parameters W2 and b2
    dW2 = np.dot(hidden_layer.T, dscores)
    db2 = np.sum(dscores, axis=0, keepdims=True)
    # next BP into hidden layer
    dhidden = np.dot(dscores, W2.T)
    # backprop the ReLU non-linearity
    dhidden[hidden_layer <= 0] = 0
    # finally into W,b
    dW = np.dot(X.T, dhidden)
    db = np.sum(dhidden, axis=0, keepdims=True)
    # perform a parameter update
    W += -step_size * dW
    b += -step_size * db
    W2 += -step_size * dW2
    b2 += -step_size * db2
"""


def run_learner(seed: int, source: str = LEARNER) -> tuple[list[int], list[float], dict]:
    """Run the learner's script after np.random.seed(seed); parse what it prints."""
    np.random.seed(seed)
    buf, ns = io.StringIO(), {}
    with contextlib.redirect_stdout(buf):
        exec(compile(source, "learner.py", "exec"), ns)  # noqa: S102 - the learner's own code
    rows = re.findall(r"^i: (\d+) loss:  (\S+)$", buf.getvalue(), re.M)
    return [int(i) for i, _ in rows], [float(x) for _, x in rows], ns


@pytest.fixture(scope="session")
def learner_seed0():
    return run_learner(0)


def test_learner_script_in_test_is_the_packaged_one():
    from chainrule import learner

    assert LEARNER.strip() == learner.SOURCE.strip()


@pytest.mark.slow
def test_cli_train_json_reproduces_learner_seed0(learner_seed0, tmp_path):
    iters, losses, ns = learner_seed0
    assert iters == list(range(0, 3000, 100))
    result = CliRunner().invoke(app, ["train", "--seed", "0", "--json", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [h["iteration"] for h in out["history"]] == iters
    mine = np.array([h["loss"] for h in out["history"]])
    np.testing.assert_allclose(mine, losses, rtol=1e-9, atol=0)
    assert out["train_accuracy"] >= 0.99
    assert {"config", "history", "final_loss", "train_accuracy", "seconds", "notes", "warnings",
            "run_dir", "files"} <= set(out)
    assert out["notes"] == [] and out["warnings"] == [] and out["interrupted"] is False
    assert out["config"]["hidden"] == [1000] and out["config"]["points"] == 400
    # the learner's final weights predict exactly what ours do
    learner_pred = np.argmax(np.dot(np.maximum(0, ns["X"] @ ns["W"] + ns["b"]), ns["W2"]) + ns["b2"], 1)
    assert np.mean(learner_pred == ns["y"]) == pytest.approx(out["train_accuracy"])


@pytest.mark.parametrize("seed", [1, 7])
def test_reference_engine_reproduces_learner_other_seeds(seed):
    short = LEARNER.replace("range(3000)", "range(400)")
    iters, losses, _ = run_learner(seed, short)
    res = train(TrainConfig(seed=seed, iterations=400, engine="reference"))
    assert [h["iteration"] for h in res.history] == iters
    np.testing.assert_allclose([h["loss"] for h in res.history], losses, rtol=1e-9, atol=0)


def test_prepare_draws_in_learners_order():
    data, params, _ = prepare(TrainConfig(seed=3))
    np.random.seed(3)
    ns: dict = {}
    exec(LEARNER.split("for i in range")[0], ns)  # noqa: S102 - set-up only
    np.testing.assert_array_equal(data.X, ns["X"])
    np.testing.assert_array_equal(data.y, ns["y"])
    np.testing.assert_array_equal(params[0][0], ns["W"])
    np.testing.assert_array_equal(params[1][0], ns["W2"])


def test_modern_rng_differs_but_is_reproducible():
    a = prepare(TrainConfig(seed=3, rng="modern"))[1][0][0]
    b = prepare(TrainConfig(seed=3, rng="modern"))[1][0][0]
    c = prepare(TrainConfig(seed=3))[1][0][0]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("optimizer", ["gd", "sgd", "momentum", "adam"])
def test_optimizers_learn_a_small_problem(optimizer):
    cfg = TrainConfig(dataset="spiral", points=50, classes=3, hidden=(100,), optimizer=optimizer,
                      iterations=1000, engine="reference", log_every=100,
                      step_size={"adam": 0.02}.get(optimizer))
    res = train(cfg)
    assert res.history[0]["loss"] == pytest.approx(np.log(3), abs=0.01)  # tiny weights: uniform
    assert res.final_loss < 0.25 and res.train_accuracy > 0.88
    assert len(res.history) == 10


def test_divergence_is_reported_with_iteration():
    cfg = TrainConfig(points=50, hidden=(20,), iterations=300, step_size=1e6, init_scale=1.0,
                      engine="reference")
    with pytest.raises(DivergenceError) as info:
        train(cfg)
    assert info.value.iteration < 300
    assert "smaller --step-size" in info.value.message
