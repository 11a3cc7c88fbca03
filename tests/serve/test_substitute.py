"""Click one entry: the formula with the numbers — checked against the explain JSON by hand."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from chainrule.serve import load_page

CORPUS = Path(__file__).resolve().parents[1] / "check" / "corpus"


def _values(step):
    return {v["name"] + ("@" + v["note"][:6] if v["note"].startswith("before") else ""): np.array(v["data"])
            for v in step["values"]}


def _stop(page, k):
    return next(i for i, s in enumerate(page.json["stops"]) if s["id"] == f"b{k}")


def _entries(page, k, value):
    stop = page.json["stops"][_stop(page, k)]
    vi = next(i for i, v in enumerate(stop["values"]) if v["role"] == "after")
    shape = stop["values"][vi]["shape"]
    for idx in itertools.product(*map(range, shape)):
        yield idx, page.entry(f"b{k}", vi, list(idx))


def test_dW2_is_a_sum_over_the_rows(page, explain_json):
    step = explain_json["steps"][3]
    H = np.array(step["values"][0]["data"]).T  # hidden_layer.T is read; H is its transpose
    dS = np.array(step["values"][1]["data"])
    dW2 = np.array(step["values"][2]["data"])
    for (j, k), e in _entries(page, 3, "dW2"):
        assert e["ok"]
        assert e["terms"] == pytest.approx([H[i, j] * dS[i, k] for i in range(4)], rel=1e-12)
        assert e["result"] == dW2[j, k] == pytest.approx(sum(e["terms"]), rel=1e-12, abs=1e-15)
        assert e["names"] == ["hidden_layer.T", "dscores"]
    e = page.entry("b3", 2, [0, 0])
    assert e["text"].startswith("∂L/∂W₂[0,0] = ΣᵢH[i,0]")
    assert e["text"].endswith(f"= {dW2[0, 0]:.4f}")  # the sum of the four products, as the report's dW2


def test_other_lines_by_hand(page, explain_json):
    st = explain_json["steps"]
    y = np.array(explain_json["forward"][0]["values"][1]["data"])
    P = np.array(st[0]["values"][0]["data"])  # dscores = probs (the softmax)
    for (i, c), e in _entries(page, 1, "dscores"):  # P − 1 at the correct class
        assert e["terms"] == pytest.approx([P[i, c], -float(c == y[i])])
        assert e["result"] == pytest.approx(P[i, c] - (c == y[i]), rel=1e-12)
    for (i, c), e in _entries(page, 2, "dscores"):  # divided by N = 4
        assert e["result"] == pytest.approx((P[i, c] - (c == y[i])) / 4, rel=1e-12)
        assert "/ N" in e["text"]
    dS = np.array(st[2]["values"][0]["data"])
    W2 = np.array(st[11]["values"][0]["data"])
    for (i, j), e in _entries(page, 5, "dhidden"):  # Σₖ ∂L/∂S[i,k] W₂[j,k]
        assert e["terms"] == pytest.approx([dS[i, k] * W2[j, k] for k in range(2)], rel=1e-12)
    mask = np.array(st[6]["values"][0]["data"])
    dH = np.array(st[5]["values"][2]["data"])
    for (i, j), e in _entries(page, 6, "dhidden"):  # the ReLU mask keeps ∂L/∂H where the unit fired
        assert e["result"] == pytest.approx(dH[i, j] * (1 - mask[i, j]), abs=1e-15)
    W = np.array(st[9]["values"][0]["data"])
    dW = np.array(st[9]["values"][1]["data"])
    for (j, k), e in _entries(page, 9, "W"):  # W − η·∂L/∂W with η = 1
        assert e["terms"] == pytest.approx([W[j, k], -dW[j, k]], rel=1e-12)


def test_every_backward_entry_has_a_formula(page):
    for stop in page.json["stops"]:
        if stop["kind"] != "backward":
            continue
        for vi, v in enumerate(stop["values"]):
            if v["role"] == "after":
                for idx in itertools.product(*map(range, v["shape"])):
                    e = page.entry(stop["id"], vi, list(idx))
                    assert e["ok"] or stop["code"] == "dscores = probs", (stop["code"], idx)
                    assert sum(e["terms"]) == pytest.approx(e["result"], rel=1e-9, abs=1e-12)


def test_a_learner_script_with_cut_arrays():
    """cs231n style, 90 rows shown as their first 4: sums over the rows cannot be written out."""
    page = load_page(CORPUS / "ok_cs231n.py")
    by_code = {s["code"]: s for s in page.json["stops"] if s["kind"] == "backward"}
    dW2 = by_code["dW2 = np.dot(hidden_layer.T, dscores)"]
    e = page.entry(dW2["id"], len(dW2["values"]) - 1, [0, 0])
    assert not e["ok"] and "cut" in e["why"]
    dh = by_code["dhidden = np.dot(dscores, W2.T)"]  # a sum over the K = 3 classes: all there
    vals = {v["name"]: np.array(v["data"]) for v in dh["values"]}
    e = page.entry(dh["id"], len(dh["values"]) - 1, [1, 2])
    assert e["ok"]
    assert e["terms"] == pytest.approx([vals["dscores"][1, k] * vals["W2"][2, k] for k in range(3)])
    upd = by_code["W += -step_size * dW"]
    e = page.entry(upd["id"], len(upd["values"]) - 1, [1, 3])
    assert e["ok"] and "η" in e["text"]
