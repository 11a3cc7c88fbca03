"""``chainrule.explain()`` and ``chainrule explain`` on the command line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import chainrule
from chainrule.cli import app
from chainrule.errors import ChainruleError
from chainrule.explain import Explanation, format_for_path, parse_tiny

runner = CliRunner()


@pytest.fixture(scope="module")
def ex():
    return chainrule.explain(train=False)


def test_explain_returns_a_self_rendering_object(ex):
    assert isinstance(ex, Explanation)
    assert len(ex.report.steps) == 13
    html = ex._repr_html_()
    md = ex._repr_markdown_()
    assert "dW2 = np.dot(hidden_layer.T, dscores)" in md
    assert "hidden_layer" in html
    assert "9 backward lines (9 check out), 4 updates" in repr(ex)
    data = json.loads(ex.to_json())
    assert set(data) >= {"network", "steps", "pitfalls"}


def test_save_infers_format_and_refuses_overwrite(ex, tmp_path):
    path = ex.save(tmp_path / "w.json")
    assert json.loads(path.read_text())["steps"][3]["gradient_of"] == "W2"
    with pytest.raises(ChainruleError, match="--force"):
        ex.save(tmp_path / "w.json")
    ex.save(tmp_path / "w.json", force=True)
    with pytest.raises(ChainruleError, match="file name"):
        ex.save(tmp_path / "w.docx")


def test_parse_tiny():
    assert parse_tiny("4,3,2") == (4, 3, 2)
    assert parse_tiny((6, 2, 3)) == (6, 2, 3)
    for bad in ("4,3", "a,b,c", "5,3,2", "4,0,2", "2,3,2", "4,3,1", "100,100,2"):
        with pytest.raises(ChainruleError, match="--tiny"):
            parse_tiny(bad)


def test_format_for_path():
    assert format_for_path("x.html") == "html"
    assert format_for_path("x.IPYNB") == "ipynb"
    assert format_for_path("x.md") == "md"


def test_cli_json(tmp_path):
    res = runner.invoke(app, ["explain", "--no-train", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    steps = data["steps"]
    assert len(steps) == 13
    assert [s["gradient_of"] for s in steps] == [
        None, "scores", "scores", "W2", "b2", "hidden_layer", "np.dot(X, W) + b", "W", "b",
        None, None, None, None]
    assert steps[1]["holds"] == "scaled" and steps[1]["factor"] == 800.0
    assert steps[0]["holds"] == "intermediate" and steps[0]["factor"] is None
    assert steps[3]["shapes"] == {"hidden_layer.T": [1000, 800], "dscores": [800, 2],
                                  "dW2": [1000, 2]}
    for s in steps[1:9]:
        assert s["rel_error_fd"] < 1e-7 and s["rel_error_autodiff"] < 1e-7
    assert all(p["shown"] for p in data["pitfalls"])
    assert data["training"] is None


def test_cli_default_is_markdown_when_not_a_tty():
    res = runner.invoke(app, ["explain", "--no-train"])
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("# ")
    assert "dhidden[hidden_layer <= 0] = 0" in res.stdout


def test_cli_out_infers_format_and_refuses_overwrite(tmp_path):
    out = tmp_path / "walk.html"
    res = runner.invoke(app, ["explain", "--no-train", "--out", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text()
    assert text.lstrip().lower().startswith("<!doctype html")
    res = runner.invoke(app, ["explain", "--no-train", "--out", str(out)])
    assert res.exit_code == 2
    assert "--force" in res.stderr and out.read_text() == text
    res = runner.invoke(app, ["explain", "--no-train", "--out", str(out), "--force",
                              "--format", "md"])
    assert res.exit_code == 0 and out.read_text().startswith("# ")


@pytest.mark.parametrize("args,word", [
    (["--tiny", "4,3"], "--tiny"),
    (["--tiny", "5,3,2"], "--tiny"),
    (["--tiny", "x"], "--tiny"),
    (["--format", "pdf"], "--format"),
    (["--out", "walk.docx"], "format"),
])
def test_cli_bad_options_exit_2_with_one_paragraph(args, word):
    res = runner.invoke(app, ["explain", "--no-train", *args])
    assert res.exit_code == 2
    err = res.stderr.strip()
    assert err.startswith("error:") and word in err
    assert "\n\n" not in err and "Traceback" not in err


def test_cli_tiny_option_changes_the_example():
    res = runner.invoke(app, ["explain", "--no-train", "--format", "json", "--tiny", "6,2,3"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["network"]["tiny"]["N"] == 6 and data["network"]["tiny"]["K"] == 3
    assert data["steps"][3]["shapes"]["dW2"] == [1000, 2]  # shapes stay full-size


def test_chainrule_explain_is_callable_even_after_importing_the_package():
    import chainrule.explain.build  # noqa: F401  (sets chainrule.explain to the package)

    assert callable(chainrule.explain)


def test_cli_script_goes_through_the_checker(tmp_path):
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "check" / "corpus" / "learner.py"
    if not script.exists():
        pytest.skip("the checker's corpus is not there")
    res = runner.invoke(app, ["explain", str(script), "--format", "json"])
    assert res.exit_code == 0, res.output
    steps = json.loads(res.stdout)["steps"]
    assert steps and steps[0]["code"] == "dscores = probs"
