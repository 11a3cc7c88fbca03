"""Run & record: Traced arrays give numpy's numbers, every op is recorded with its line, the loop is found by behaviour."""

from __future__ import annotations

import os
import textwrap

import numpy as np
import pytest

from chainrule.check.record import run_script
from chainrule.check.record.files import FileInfo, UserFiles
from chainrule.check.record.state import REC
from chainrule.check.record.traced import Traced, node_of
from chainrule.check.source import load_script


def record(tmp_path, text: str, iteration: int = 1, files: dict | None = None):
    for name, body in (files or {}).items():
        (tmp_path / name).write_text(textwrap.dedent(body))
    p = tmp_path / "s.py"
    p.write_text(textwrap.dedent(text))
    s = load_script(p)
    uf = UserFiles(str(tmp_path), FileInfo.parse(s.path, s.text, s.tree))
    return run_script(s.path, compile(s.tree, s.path, "exec"), uf, iteration=iteration)


@pytest.fixture
def recording():
    REC.clear()
    REC.active = REC.recording = True
    yield REC
    REC.clear()


EXPRESSIONS = ["a @ b", "np.dot(a, b)", "a.dot(b)", "a.T", "a.sum()", "a.sum(axis=0, keepdims=True)", "np.mean(a, 1)",
               "a.max(axis=1)", "np.maximum(0, a - 2)", "a[0]", "a[a > 2]", "a.reshape(3, 2)", "a.copy()",
               "a.astype(np.float32)", "np.exp(a)", "a.ravel()", "np.where(a > 1, a, 0)", "np.c_[a, a]", "-a",
               "a ** 2", "np.clip(a, 1, 4)", "np.tanh(a)", "np.outer(a[0], a[0])", "np.einsum('ij,jk->ik', a, b)",
               "np.linalg.norm(a)", "np.concatenate([a, a], axis=0)", "a[[0, 1], [2, 0]]", "a / a.sum(axis=1, keepdims=True)"]


@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_traced_ops_give_numpys_numbers_and_a_node(recording, expr):
    pa = np.arange(6.0).reshape(2, 3)
    pb = np.linspace(-1, 1, 6).reshape(3, 2)
    a, b = pa.view(Traced), pb.view(Traced)
    got = eval(expr, {"np": np, "a": a, "b": b})
    want = eval(expr, {"np": np, "a": pa, "b": pb})
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=0, atol=0)
    assert isinstance(got, Traced) and got._cr_node is not None
    assert got._cr_node.value is not None and np.array_equal(got._cr_node.value, np.asarray(want))


def test_in_place_edits_make_versions_and_keep_history(recording):
    x = np.ones((2, 2)).view(Traced)
    first = node_of(x)
    x -= 0.5
    x[0, 0] = 7.0
    v1 = x._cr_node
    assert v1.op == "setitem" and v1.prev is not None and v1.prev.op == "subtract"
    assert v1.prev.prev is first
    np.testing.assert_array_equal(first.value, np.ones((2, 2)))  # copied before the write
    np.testing.assert_array_equal(v1.prev.value, np.full((2, 2), 0.5))
    np.testing.assert_array_equal(v1.value, [[7.0, 0.5], [0.5, 0.5]])


def test_aliases_share_the_version_and_float_leaves_the_graph(recording):
    p = np.array([[0.2, 0.8], [0.6, 0.4]]).view(Traced)
    probs = p / p.sum(axis=1, keepdims=True)
    before = probs._cr_node
    d = probs
    d[[0, 1], [1, 0]] -= 1
    assert d._cr_node is probs._cr_node and d._cr_node.prev is before
    np.testing.assert_allclose(before.value, [[0.2, 0.8], [0.6, 0.4]])
    loss = np.sum(probs)
    assert isinstance(loss, Traced) and loss.ndim == 0 and loss._cr_node.op == "sum"
    assert isinstance(float(loss), float) and f"{loss:.2f}" == f"{float(loss):.2f}"


def test_loop_found_and_update_slots_named(tmp_path):
    run = record(tmp_path, '''
        import numpy as np
        np.random.seed(0)
        X = np.random.randn(6, 3); y = np.random.randn(6, 1)
        params = {"W1": np.random.randn(3, 1)}
        for epoch in range(2):
            for i in range(3):
                err = X @ params["W" + str(1)] - y
                params["W" + str(1)] = params["W" + str(1)] - 0.1 * X.T @ err
    ''')
    tr = run.tracer
    assert tr.train_loop.header == 7  # the inner loop, not the epoch loop
    assert [u.path for u in tr.updates] == ['params["W1"]']
    assert not tr.updates[0].in_place


def test_per_example_accumulation_is_not_the_training_loop(tmp_path):
    run = record(tmp_path, '''
        import numpy as np
        np.random.seed(1)
        data = [(np.random.randn(2, 1), np.random.randn(1, 1)) for _ in range(8)]
        w = np.random.randn(1, 2)
        for batch_start in range(0, 8, 4):
            nabla = np.zeros(w.shape)
            for x, y in data[batch_start:batch_start + 4]:
                nabla = nabla + (w @ x - y) @ x.T
            w = w - 0.1 * nabla
    ''')
    tr = run.tracer
    assert tr.train_loop.header == 6 and [u.path for u in tr.updates] == ["w"]


def test_helper_module_line_is_the_site(tmp_path):
    run = record(tmp_path, '''
        import numpy as np
        from helpers import grad
        X = np.ones((4, 2)); W = np.zeros((2, 1)); y = np.ones((4, 1))
        for i in range(3):
            W -= 0.1 * grad(X, W, y)
    ''', files={"helpers.py": '''
        import numpy as np
        def grad(X, W, y):
            err = X @ W - y
            return X.T @ err / len(X)
    '''})
    sites = {(os.path.basename(n.site.file), n.site.line) for n in run.nodes if n.site and n.op in ("matmul",)}
    assert ("helpers.py", 4) in sites and ("helpers.py", 5) in sites


@pytest.mark.parametrize("stop", ["break", "continue", "sys.exit()", "os._exit(0)"])
def test_stopping_statements_end_the_window_cleanly(tmp_path, stop):
    run = record(tmp_path, f'''
        import os, sys
        import numpy as np
        X = np.ones((4, 2)); W = np.zeros((2, 1)); y = np.ones((4, 1))
        for i in range(5):
            dW = X.T @ (X @ W - y) / 4
            W -= 0.1 * dW
            if i >= 0:
                {stop}
    ''')
    assert run.error is None and run.tracer.finished
    assert [u.path for u in run.tracer.updates] == ["W"]


def test_nothing_runs_after_the_analysed_iteration(tmp_path):
    marker = tmp_path / "after.txt"
    run = record(tmp_path, f'''
        import numpy as np
        W = np.zeros((2, 1)); X = np.ones((3, 2)); y = np.ones((3, 1))
        for i in range(3):
            W -= 0.1 * X.T @ (X @ W - y)
        open({str(marker)!r}, "w").write("ran")
    ''')
    assert run.tracer.finished and not marker.exists()


def test_while_true_generator_batches_and_iteration_option(tmp_path):
    run = record(tmp_path, '''
        import numpy as np
        np.random.seed(2)
        X = np.random.randn(8, 2); y = np.random.randn(8, 1); W = np.zeros((2, 1))
        def batches():
            for k in range(0, 8, 4):
                yield X[k:k + 4], y[k:k + 4]
        step = 0
        while True:
            for xb, yb in batches():
                W = W - 0.1 * xb.T @ (xb @ W - yb)
            step += 1
    ''', iteration=3)
    tr = run.tracer
    assert tr.train_loop.header == 10 and tr.train.count == 3 and tr.finished


def test_empty_arrays_made_by_the_script_are_zeros(tmp_path):
    # np.empty hands out uninitialised memory (here: the NaN block just freed, which numpy's small-block
    # cache gives back); a row-by-row fill (nnfs's softmax backward) must record the same on every run
    run = record(tmp_path, '''
        import numpy as np
        np.random.seed(0)
        X = np.random.randn(4, 3); W = np.random.randn(3, 2)
        for step in range(2):
            Z = X @ W
            junk = np.full((4, 2), np.nan); del junk
            buf = np.empty((4, 2))
            junk = np.full((4, 2), np.inf); del junk
            buf2 = np.empty_like(Z)
            for i in range(buf.shape[0]):
                buf[i] = Z[i]
                buf2[i] = Z[i]
            W -= 0.1 * X.T @ (buf + buf2)
    ''')
    made = [n for n in run.nodes if n.op == "const" and n.kwargs.get("made_by") in ("empty", "empty_like")]
    assert run.tracer.train_loop.header == 5 and len(made) == 2
    for n in made:
        assert np.all(n.value == 0)
