"""Issue 12's "What was found", item by item: each wrong or missing statement, corrected and checked."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from chainrule.explain.pitfalls import execute
from chainrule.render import render
from chainrule.render.common import even_indices, history_rows
from chainrule.report import Training

FORMATS = ("terminal", "md", "html", "json")


def by_code(report):
    return {s.code: s for s in report.steps}


def values(step):
    return {v.name: (np.array(v.data), v.note) for v in step.values}


# -- keepdims: not needed for `b += -η·db`; needed in the softmax line -----------------------
def test_no_step_says_keepdims_makes_the_bias_update_work(report):
    for s in report.steps:
        if s.holds == "update":
            assert "keepdims" not in s.shape_reason + s.chain + s.holds_text, s.code
    db2 = by_code(report)["db2 = np.sum(dscores, axis=0, keepdims=True)"].shape_reason
    assert "would still work" in db2 and "broadcasts (K,) to (1, K)" in db2


def test_the_bias_update_really_works_without_keepdims():
    rng = np.random.default_rng(0)
    dhidden = rng.standard_normal((5, 4))
    b1, b2 = np.zeros((1, 4)), np.zeros((1, 4))
    b1 += -1.0 * np.sum(dhidden, axis=0, keepdims=True)  # (1, h) += (1, h)
    b2 += -1.0 * np.sum(dhidden, axis=0)  # (1, h) += (h,): broadcasts to the same result
    assert b2.shape == (1, 4) and np.array_equal(b1, b2)


def test_keepdims_is_explained_where_it_matters(report):
    probs = next(f for f in report.forward if f.symbol == "P")
    assert "keepdims=True" in probs.code and "keepdims=True" in probs.note
    # numpy's own message at full size, (800, 2) / (800,)
    assert "operands could not be broadcast together with shapes (800,2) (800,)" in probs.note
    assert "(800, 1)" in probs.note
    with pytest.raises(ValueError, match=r"\(800,2\) \(800,\)"):
        np.ones((800, 2)) / np.ones((800, 2)).sum(axis=1)
    for fmt in ("md", "html", "terminal"):
        assert "could not be broadcast" in render(report, fmt)


# -- the update cards: before and after the line -----------------------------------------------
@pytest.mark.parametrize("p", ["W", "b", "W2", "b2"])
def test_update_values_are_captioned_before_and_after(report, p):
    step = by_code(report)[f"{p} += -step_size * d{p}"]
    notes = [(v.name, v.note) for v in step.values]
    assert notes == [(p, f"before this line: the old {p}"), (f"d{p}", ""),
                     (p, f"after this line: the new {p}")]
    old, grad, new = (np.array(v.data) for v in step.values)
    assert np.allclose(new, old - 1.0 * grad, rtol=0, atol=1e-15)
    assert not np.allclose(new, old)


# -- "13 of 13 backward lines" counted the 4 updates -------------------------------------------
@pytest.mark.parametrize("fmt", ["terminal", "md", "html"])
def test_the_count_leaves_the_updates_out(report, fmt):
    text = render(report, fmt)
    assert "9 of 9 backward lines check out" in text
    assert "13 of 13" not in text
    assert "The 4 updates each move a weight" in text


# -- the Python 2 pitfall was "shown with real numbers" ----------------------------------------
def test_each_pitfall_says_how_it_is_shown(report):
    how = {p.id: p.shown_how for p in report.pitfalls}
    assert "compiling" in how["python2_print"] and "numbers" not in how["python2_print"]
    assert all(how.values())
    for fmt in FORMATS:
        assert "shown with real numbers" not in render(report, fmt)


# -- the loss plot's title and the text disagreed; the history table was uneven ----------------
def test_history_rows_are_evenly_spaced_and_end_with_the_final_loss():
    its = list(range(0, 3000, 100)) + [3000]
    losses = [1.0 / (1 + i) for i in range(len(its))]
    t = Training(its, losses, [0.5] * len(its), final_loss=losses[-1], train_accuracy=0.99,
                 seconds=1.0)
    rows = history_rows(t)
    assert [r[0] for r in rows] == ["0", "500", "1000", "1500", "2000", "2500", "3000"]
    assert rows[-1][1] == f"{losses[-1]:.4g}"
    assert even_indices(list(range(0, 1001, 100)), 8) == [0, 2, 4, 6, 8, 10]


@pytest.mark.slow
def test_the_plot_title_and_the_text_agree_on_the_final_loss(monkeypatch):
    """The loss curve gets the end of training as its last point: its title says the final loss."""
    import chainrule.plots as plots
    from chainrule.explain import build_training
    from chainrule.render.common import training_sentence

    seen = {}
    real = plots.loss_curve_png

    def spy(its, losses, accs=None, **kw):
        seen.update(its=list(its), losses=list(losses))
        return real(its, losses, accs, **kw)

    monkeypatch.setattr(plots, "loss_curve_png", spy)
    t = build_training(seed=0)
    assert seen["its"][-1] == 3000 and seen["losses"][-1] == t.final_loss
    assert f"final loss {t.final_loss:.4g}" in training_sentence(t)
    assert history_rows(t)[-1][:2] == ("3000", f"{t.final_loss:.4g}")


# -- rendering -------------------------------------------------------------------------------
def test_indicator_and_ones_vector_are_unicode_characters_in_mathml(report):
    html = render(report, "html")
    assert 'mathvariant="double-struck"' not in html and 'mathvariant="bold"' not in html
    assert "\U0001D7D9" in html  # 𝟙, the indicator
    assert "\U0001D7CF" in html  # 𝟏, the column of ones
    db2 = by_code(report)["db2 = np.sum(dscores, axis=0, keepdims=True)"]
    assert "𝟏 is a column of N ones" in db2.chain  # defined where it is used


def test_texttt_is_monospace(report):
    html = render(report, "html")
    assert 'mathvariant="monospace"' not in html
    assert '<mtext class="cr-tt">dscores</mtext>' in html
    assert "mtext.cr-tt { font-family: var(--cr-mono); }" in html


def test_markdown_forward_table_keeps_each_code_line(report):
    md = render(report, "md")
    assert ("`exp_scores = np.exp(scores)`<br>`probs = exp_scores / np.sum(exp_scores, axis=1, "
            "keepdims=True)`") in md


def test_terminal_writes_w2_one_way(report):
    text = render(report, "terminal")
    assert "W₂" in text and not re.search(r"W_2|W_\{2\}", text)


# -- missing explanations --------------------------------------------------------------------
def test_y_is_shown_as_a_one_hot_matrix(report):
    step = by_code(report)["dscores = probs"]
    Y, note = values(step)["Y"]
    y = np.array(report.forward[0].values[1].data)
    assert np.array_equal(Y, np.eye(2)[y]) and "one-hot" in note
    assert "one-hot matrix" in step.chain


def test_range_n_y_pairs_rows_with_labels_and_colon_y_is_something_else(report):
    step = by_code(report)["dscores[range(num_examples),y] -= 1"]
    v = values(step)
    y = np.array(report.forward[0].values[1].data)
    pairs = v["pairs (i, y[i])"][0]
    assert pairs.tolist() == [[i, int(c)] for i, c in enumerate(y)]
    picked, wrong = v["dscores[range(num_examples),y]"][0], v["dscores[:, y]"][0]
    P = np.array(by_code(report)["dscores = probs"].values[0].data)
    assert np.allclose(picked, P[np.arange(len(y)), y]) and picked.shape == (4,)
    assert wrong.shape == (4, 4) and np.allclose(wrong, P[:, y])
    assert "(N, N)" in step.shape_reason and "dscores[:, y]" in step.shape_reason


def test_the_sign_of_a_gradient_entry_is_explained_with_numbers(report):
    step = by_code(report)["dscores /= num_examples"]
    dS = values(step)["dscores"][0]
    P = np.array(by_code(report)["dscores = probs"].values[0].data)
    assert "[0.2, −0.7, 0.5]" in step.holds_text and "P = [0.2, 0.3, 0.5]" in step.holds_text
    row = ", ".join(f"{x:.3f}".replace("-", "−") for x in dS[0])
    assert f"its row is [{row}]" in step.holds_text
    assert f"P = [{P[0, 0]:.2f}, {P[0, 1]:.2f}]" in step.holds_text
    y0 = int(np.array(report.forward[0].values[1].data)[0])
    assert dS[0, y0] < 0 and all(dS[0, k] > 0 for k in range(2) if k != y0)  # the claim itself


def test_the_naming_rule_comes_first(report):
    assert "a name that starts with d holds a gradient" in report.intro
    assert "`dW2` holds ∂L/∂`W2`" in report.intro


def test_the_log_sum_exp_derivative_is_written_out(report):
    chain = by_code(report)["dscores[range(num_examples),y] -= 1"].chain
    assert (r"\frac{\partial}{\partial S[i,k]}\log\sum_c e^{S[i,c]} = "
            r"\frac{e^{S[i,k]}}{\sum_c e^{S[i,c]}} = P[i,k]") in chain


def test_plain_words_instead_of_header_chips(report):
    html = render(report, "html")
    assert "origin_rows" not in html and "dead_units" not in html
    assert 'class="cr-chips"' not in html and 'class="cr-network"' in html
    assert "The tiny example has N = 4 points" in report.network_text
    for fmt in ("md", "terminal"):
        assert "origin_rows" not in render(report, fmt)


def test_json_carries_every_notation_whatever_is_chosen(report):
    data = json.loads(render(report, "json"))
    assert data["notation"] == "code"
    for s in data["steps"]:
        assert set(s["textbook"]) == {"code", "nielsen", "ng"}, s["code"]
    assert data["bridge"]["proofs"][0]["differences"]["dW"] <= 1e-12
    assert {n["id"] for n in data["graph"]["nodes"]} >= {"X", "Z", "H", "S", "P", "L", "W2"}


def test_pitfall_demonstrations_still_print_what_they_say(report):
    for p in report.pitfalls:
        out, _ = execute(p.code)
        assert out == p.output, p.id


# -- the forward chain shows the forward pass's numbers (dscores = probs must not leak back) -----
def test_forward_chain_probs_are_probabilities_not_the_gradient(report):
    P = next(np.array(v.data) for f in report.forward for v in f.values if v.name == "probs")
    assert np.allclose(P.sum(axis=1), 1.0, atol=1e-12) and (P > 0).all()
    dS = values(by_code(report)["dscores /= num_examples"])["dscores"][0]
    N = P.shape[0]
    y = np.argmin(dS, axis=1)  # the -1 lands on each row's own class
    onehot = np.eye(P.shape[1])[y]
    assert np.allclose(dS, (P - onehot) / N, atol=1e-12)
