"""A learner's script in the Step and Graph panels: its files, its names, its layout, one example at a time."""

from __future__ import annotations

from pathlib import Path

import pytest

from chainrule.serve import load_page
from chainrule.serve.symbols import param_symbol

TESTS = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def nielsen():
    return load_page(TESTS / "corpus" / "nielsen" / "train_blobs.py")


def test_lines_in_an_imported_module_are_shown_there(nielsen):
    """train_blobs.py imports tiny_net.py, where the loop and every backward line are."""
    page = nielsen.json
    heads = [line["header"] for line in page["lines"] if line.get("header")]
    assert heads == ["tiny_net.py"]
    text = {line["key"]: line["text"] for line in page["lines"]}
    tiny = (TESTS / "corpus" / "nielsen" / "tiny_net.py").read_text().splitlines()
    for st in page["stops"]:
        assert st["lines"], st["code"]
        key = st["lines"][0]
        assert isinstance(key, str) and key.startswith("tiny_net.py:")
        n = int(key.split(":")[1])
        assert text[key] == tiny[n - 1] and tiny[n - 1].strip() == st["code"].splitlines()[0].strip()


def test_one_example_of_the_mini_batch_is_shown(nielsen):
    """The checker folds the per-example lines: the first example's 11, then 4 sums over the batch, 4 updates."""
    report, page = nielsen.report, nielsen.json
    backward = [s for s in page["stops"] if s["kind"] == "backward"]
    assert len(report.steps) == 19 and len(backward) == 19
    assert [s["code"] for s in backward].count("grad_b = [total + part for total, part in zip(grad_b, gb)]") == 2
    assert [s["text"] for s in backward[:1]] and all("repeat" not in s for s in backward)
    writes = [report.steps[s["index"]].writes for s in backward]
    assert writes[-4:] == ["self.weights[0]", "self.weights[1]", "self.biases[0]", "self.biases[1]"]
    assert writes[11:15] == ["grad_b[0]", "grad_b[1]", "grad_w[0]", "grad_w[1]"]
    forward = [s for s in page["stops"] if s["kind"] == "forward"]
    assert [(s["name"], s["shapes"][0][1]) for s in forward] == [
        ("z (layer 1)", [10, 1]), ("a (layer 1)", [10, 1]), ("z (layer 2)", [3, 1]), ("a (layer 2)", [3, 1])]
    values = [v for s in forward for v in s["values"]]
    assert {v["examples"] for v in values} == {"one example, as a column vector"}


def test_the_graph_of_one_example(nielsen):
    g = nielsen.json["graph"]
    texts = sorted(n["text"] for n in g["nodes"])
    assert len(g["nodes"]) == 9 and texts == sorted(["W₁", "W₂", "b₁", "b₂", "Z₁", "Z₂", "H₁", "H₂", "X"])
    ids = {n["id"] for n in g["nodes"]}
    assert all(e["src"] in ids and e["dst"] in ids for e in g["edges"]) and len(g["edges"]) == 8


def test_column_and_row_layouts_say_which_axis_is_the_examples():
    ng = load_page(TESTS / "check" / "corpus" / "ok_ng_style.py").json
    dW2 = next(s for s in ng["stops"] if s["code"] == "dW2 = np.dot(dZ2, A1.T) / m")
    tags = {v["name"]: v["examples"] for v in dW2["values"]}
    assert tags == {"A1": "a column per example", "dZ2": "a column per example", "dW2": ""}
    cs = load_page(TESTS / "check" / "corpus" / "ok_cs231n.py").json
    db = next(s for s in cs["stops"] if s["code"] == "db = np.sum(dhidden, axis=0, keepdims=True)")
    assert {v["name"]: v["examples"] for v in db["values"]} == {"dhidden": "a row per example", "db": ""}


@pytest.mark.parametrize("name, symbol", [
    ("W2", "W_{2}"), ('parameters["W1"]', "W_{1}"), ("self.weights[0]", "W_{1}"), ("self.biases[1]", "b_{2}"),
    ("dense2.biases", "b_{2}"), ("layers[0].W", "W_{1}"), ('net.params["b2"]', "b_{2}"), ("b", "b"),
    ("syn0", r"\mathrm{syn}_{0}"), ("exp_scores", r"\texttt{exp\_scores}"), ("self.cache", r"\texttt{self.cache}"),
])
def test_parameter_symbols(name, symbol):
    assert param_symbol(name) == symbol


def test_a_helper_called_per_layer_names_each_layer():
    """deeplearning.ai week 4: ``relu_backward`` runs for layer 2 then layer 1; its ``Z`` is Z₂, then Z₁."""
    page = load_page(TESTS / "corpus" / "dlai_w4" / "deep_model.py")
    masks = [s for s in page.json["stops"] if s["code"] == "dZ[Z <= 0] = 0"]
    assert [s["shapes"][0][1] for s in masks] == [[5, 150], [8, 150]]
    for s, layer in zip(masks, ("2", "1")):
        k = s["index"]
        assert page.names.symbol("Z", k) == f"Z_{{{layer}}}"
        assert page.names.meaning(page.report.steps[k]) == rf"150\,\frac{{\partial L}}{{\partial Z_{{{layer}}}}}"
        assert s["lines"] == ["dnn_helpers.py:23"]


@pytest.mark.parametrize("name, line, words", [
    ("mut_no_transpose.py", "dW2 = np.dot(hidden_layer, dscores)", "inner sizes 20 ≠ 90"),
    ("mut_shape_error.py", "dhidden = np.dot(dscores, W2)", "inner sizes 3"),
])
def test_a_script_that_raises_in_its_loop_shows_the_verdict(name, line, words):
    """The line raises in the first iteration: the page (not an internal error) marks it, and the
    Train panel says why it cannot run the script instead of offering it."""
    pg = load_page(TESTS / "check" / "corpus" / name)
    assert pg.json["ok"] is False
    bad = [s for s in pg.json["stops"] if s["kind"] == "backward" and not s["verdict"]["ok"]]
    assert [s["code"] for s in bad] == [line] and words in bad[0]["verdict"]["html"]
    assert "train" not in pg.train_defaults and not pg.plan.streamable
    assert "cannot run your script itself: your script stops with an error" in pg.train_note
    assert "choose Train: your script" not in pg.train_note


def test_a_repeated_line_is_a_stop_of_its_own():
    """``dscores /= N`` written twice: the second is the culprit and the page must show it, not fold it away."""
    page = load_page(TESTS / "check" / "corpus" / "mut_divide_twice.py").json
    divides = [s for s in page["stops"] if s["kind"] == "backward" and s["code"] == "dscores /= num_examples"]
    assert [s["lines"] for s in divides] == [[36], [37]]
    assert [s["verdict"]["ok"] for s in divides] == [True, False] and "once too often" in divides[1]["verdict"]["html"]
