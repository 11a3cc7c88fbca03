"""`chainrule train` end to end: JSON output, plots, and every bad input."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from chainrule.cli import app

runner = CliRunner()
SMALL = ["--points", "30", "--hidden", "16", "--iterations", "50", "--log-every", "10"]
CSV_SMALL = SMALL[2:]  # a CSV file decides the points itself


def invoke(*args: str):
    return runner.invoke(app, list(args))


def assert_clean_error(result, code: int, *words: str) -> None:
    assert result.exit_code == code, result.output
    text = result.stderr if result.stderr else result.output
    assert text.startswith("error: ")
    assert "Traceback" not in result.output and "Traceback" not in text
    assert text.strip().count("\n\n") == 0  # one paragraph
    for w in words:
        assert w in text, f"{w!r} not in {text!r}"


def test_json_is_the_only_stdout(tmp_path):
    r = invoke("train", *SMALL, "--json", "--out", str(tmp_path))
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert [h["iteration"] for h in out["history"]] == [0, 10, 20, 30, 40]
    assert all(set(h) == {"iteration", "loss", "accuracy"} for h in out["history"])
    assert 0 <= out["train_accuracy"] <= 1 and out["seconds"] > 0
    assert (tmp_path / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "boundary.png").exists()


def test_existing_plots_are_not_overwritten_without_force(tmp_path):
    (tmp_path / "loss.png").write_bytes(b"mine")
    r = invoke("train", *SMALL, "--quiet", "--out", str(tmp_path))
    assert_clean_error(r, 2, "loss.png", "--force")
    assert (tmp_path / "loss.png").read_bytes() == b"mine"
    r = invoke("train", *SMALL, "--quiet", "--out", str(tmp_path), "--force")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "loss.png").read_bytes()[:4] == b"\x89PNG"


def test_summary_table(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = invoke("train", *SMALL, "--no-plots")
    assert r.exit_code == 0, r.output
    assert "final loss" in r.stdout and "iteration" in r.stdout and "40" in r.stdout
    assert sorted(p.name for p in (tmp_path / "chainrule-out" / "train").iterdir()) == ["run.json"]


@pytest.mark.parametrize("args,words", [
    (["--hidden", "0"], ["--hidden", "at least 1"]),
    (["--hidden", "64,x"], ["--hidden", "whole numbers"]),
    (["--step-size", "-1"], ["--step-size", "positive"]),
    (["--dataset", "spirals"], ["--dataset", "spiral"]),
    (["--activation", "relu6"], ["--activation", "tanh"]),
    (["--loss", "mse"], ["--loss", "hinge"]),
    (["--optimizer", "rmsprop"], ["--optimizer", "adam"]),
    (["--rng", "new"], ["--rng", "legacy"]),
    (["--classes", "1"], ["--classes"]),
    (["--points", "0"], ["--points"]),
    (["--iterations", "0"], ["--iterations"]),
    (["--batch-size", "0"], ["--batch-size"]),
    (["--dataset", "moons", "--classes", "3"], ["--classes"]),
    (["--dtype", "float16"], ["--dtype", "float32"]),
])
def test_bad_options_exit_2_with_one_paragraph(args, words, tmp_path):
    r = invoke("train", *SMALL, "--out", str(tmp_path), *args)
    assert_clean_error(r, 2, *words)


def test_bad_csv_names_file_row_and_column(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n0.1,0.2,0\n0.3,abc,1\n")
    r = invoke("train", *CSV_SMALL, "--out", str(tmp_path), "--dataset", f"csv:{bad}")
    assert_clean_error(r, 2, "bad.csv", "row 3")
    r = invoke("train", *CSV_SMALL, "--out", str(tmp_path), "--dataset", f"csv:{tmp_path / 'missing.csv'}")
    assert_clean_error(r, 2, "missing.csv")


def test_csv_with_labels_1_to_k_trains_with_notice(tmp_path):
    f = tmp_path / "data.csv"
    rows = [f"{i / 10},{(i % 3) / 5},{1 + i % 3}" for i in range(30)]
    f.write_text("\n".join(rows) + "\n")
    r = invoke("train", *CSV_SMALL, "--out", str(tmp_path / "o"), "--dataset", f"csv:{f}", "--quiet")
    assert r.exit_code == 0, r.output
    assert "mapped" in r.stdout


def test_divergence_exits_1_with_iteration(tmp_path):
    r = invoke("train", "--points", "50", "--hidden", "20", "--iterations", "300",
               "--step-size", "1e12", "--out", str(tmp_path))
    assert_clean_error(r, 1, "iteration", "--step-size")


def test_version():
    r = invoke("--version")
    assert r.exit_code == 0 and r.stdout.startswith("chainrule ")


@pytest.mark.parametrize("content,words", [
    ("", ["empty"]),
    ("1,2,0\n3,4\n", ["row 2"]),
    ("1,2,0\n3,nan,1\n", ["row 2", "column 2"]),
    ("1,2,0\n3,inf,1\n", ["row 2", "column 2"]),
    ("1,2,0\n", ["row"]),
    ("1,2,0\n3,4,0\n5,6,0\n", ["class"]),
    ("1,2,0.5\n3,4,1\n5,6,0\n", ["label"]),
])
def test_every_bad_csv_is_one_paragraph_exit_2(content, words, tmp_path):
    f = tmp_path / "d.csv"
    f.write_text(content)
    r = invoke("train", *CSV_SMALL, "--out", str(tmp_path / "o"), "--dataset", f"csv:{f}")
    assert_clean_error(r, 2, "d.csv", *words)


def test_csv_that_is_a_folder(tmp_path):
    r = invoke("train", *CSV_SMALL, "--out", str(tmp_path / "o"), "--dataset", f"csv:{tmp_path}")
    assert_clean_error(r, 2, str(tmp_path.name))


def test_compile_notice_only_when_cache_is_cold(monkeypatch):
    from chainrule.cli import common
    from chainrule.fast import cache

    class TTY:
        def isatty(self):
            return True

        def write(self, text):
            TTY.seen.append(text)

        def flush(self):
            pass

    TTY.seen = []
    monkeypatch.setattr(common.sys, "stderr", TTY())
    monkeypatch.setattr(cache, "is_cold", lambda config=None: True)
    common.announce_compile("fast")
    assert any("compiling" in t for t in TTY.seen)
    TTY.seen = []
    common.announce_compile("reference")
    monkeypatch.setattr(cache, "is_cold", lambda config=None: False)
    common.announce_compile("fast")
    assert TTY.seen == []
