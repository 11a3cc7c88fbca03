"""Runs that just work: numbered run folders, run.json, --out exactly, reruns with a changed option."""

from __future__ import annotations

import json
import os

import pytest

from chainrule import __version__, runs
from chainrule.errors import ChainruleError

from .conftest import TINY, assert_clean_error, files_under, invoke, json_error

PNG = b"\x89PNG\r\n\x1a\n"


def test_rerun_with_a_changed_option_keeps_both_runs(in_tmp):
    first = invoke("train", *TINY)
    second = invoke("train", *TINY, "--step-size", "0.5")
    assert first.exit_code == 0 and second.exit_code == 0, (first.stderr, second.stderr)
    assert "wrote chainrule-out/train/: loss.png, boundary.png, run.json" in first.stdout
    assert "wrote chainrule-out/train2/: loss.png, boundary.png, run.json" in second.stdout
    root = in_tmp / "chainrule-out"
    assert files_under(root) == ["train/boundary.png", "train/loss.png", "train/run.json",
                                 "train2/boundary.png", "train2/loss.png", "train2/run.json"]
    one, two = (json.loads((root / name / "run.json").read_text()) for name in ("train", "train2"))
    assert one["config"]["step_size"] == 1.0 and two["config"]["step_size"] == 0.5
    assert one["final_loss"] != two["final_loss"]
    for name in ("train", "train2"):
        assert (root / name / "loss.png").read_bytes().startswith(PNG)


def test_run_json_holds_the_run(in_tmp):
    r = invoke("train", *TINY, "--json")
    assert r.exit_code == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["run_dir"] == os.path.join("chainrule-out", "train")
    record = json.loads((in_tmp / "chainrule-out" / "train" / "run.json").read_text())
    assert record["chainrule_version"] == __version__
    assert record["files"] == ["loss.png", "boundary.png", "run.json"]
    for key in ("config", "history", "final_loss", "train_accuracy", "seconds", "notes", "warnings", "engine"):
        assert record[key] == out[key], key
    assert [h["iteration"] for h in record["history"]] == [0, 10, 20]
    assert record["iterations_done"] == 30 and record["interrupted"] is False
    assert record["data"] == {"name": "spiral", "rows": 40, "features": 2, "classes": 2, "class_names": ["0", "1"]}


def test_numbers_follow_the_highest_run(tmp_path):
    assert runs.next_number(tmp_path / "missing") == 1
    for name in ("train", "train2", "train7", "trainer", "train3x", "other"):
        (tmp_path / name).mkdir()
    assert runs.next_number(tmp_path) == 8
    assert [runs.folder_name(n) for n in (1, 2, 8)] == ["train", "train2", "train8"]


def test_a_name_taken_meanwhile_is_skipped(tmp_path, monkeypatch):
    real_mkdir = os.mkdir
    raced = []

    def racing_mkdir(path, *args):
        if str(path).endswith("train") and not raced:  # another run creates it between listdir and mkdir
            raced.append(path)
            real_mkdir(path, *args)
        return real_mkdir(path, *args)

    monkeypatch.setattr(runs.os, "mkdir", racing_mkdir)
    folder, created = runs.new_run_folder(tmp_path / "chainrule-out")
    assert folder.name == "train2" and raced
    assert folder in created and folder.is_dir()


def test_explicit_out_is_used_exactly_and_not_replaced_without_force(tmp_path):
    out = tmp_path / "mine"
    assert invoke("train", *TINY, "--out", out).exit_code == 0
    assert files_under(out) == ["boundary.png", "loss.png", "run.json"]
    before = {n: (out / n).read_bytes() for n in ("boundary.png", "loss.png", "run.json")}
    r = invoke("train", *TINY, "--out", out, "--step-size", "0.5")
    assert_clean_error(r, 2, "already exists", "--force")
    assert {n: (out / n).read_bytes() for n in before} == before
    r = invoke("train", *TINY, "--out", out, "--step-size", "0.5", "--force")
    assert r.exit_code == 0, r.stderr
    assert json.loads((out / "run.json").read_text())["config"]["step_size"] == 0.5
    assert files_under(out) == ["boundary.png", "loss.png", "run.json"]


@pytest.mark.parametrize("name", ["loss.png", "boundary.png", "run.json"])
def test_each_existing_file_is_refused_before_training(tmp_path, name, monkeypatch):
    import chainrule.cli.train_run as tr

    (tmp_path / name).write_text("mine")
    monkeypatch.setattr(tr, "train", lambda *a, **k: pytest.fail("trained although the file may not be replaced"))
    r = invoke("train", *TINY, "--out", tmp_path, "--json")
    assert_clean_error(r, 2, name, "--force")
    assert json_error(r)["file"] == str(tmp_path / name)
    assert (tmp_path / name).read_text() == "mine"


def test_no_plots_still_records_the_run(in_tmp):
    r = invoke("train", *TINY, "--no-plots")
    assert r.exit_code == 0, r.stderr
    assert files_under(in_tmp / "chainrule-out") == ["train/run.json"]


def test_a_failed_run_leaves_no_empty_folder(in_tmp):
    r = invoke("train", *TINY, "--step-size", "1e12", "--iterations", "300")
    assert_clean_error(r, 1, "diverged")
    assert not (in_tmp / "chainrule-out").exists()
    (in_tmp / "chainrule-out").mkdir()
    r = invoke("train", "--dataset", f"csv:{in_tmp / 'missing.csv'}", "--iterations", "5")
    assert_clean_error(r, 2, "missing.csv", "does not exist")
    assert list((in_tmp / "chainrule-out").iterdir()) == []  # the folder that was there stays, empty


def test_a_file_where_the_run_root_should_be(in_tmp):
    (in_tmp / "chainrule-out").write_text("not a folder")
    r = invoke("train", *TINY)
    assert_clean_error(r, 2, "chainrule-out", "is a file")


def test_log_every_zero_says_there_is_no_loss_plot(in_tmp):
    r = invoke("train", *TINY, "--log-every", "0", "--json")
    assert r.exit_code == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["history"] == [] and any("no loss plot" in n for n in out["notes"])
    assert files_under(in_tmp / "chainrule-out") == ["train/boundary.png", "train/run.json"]


def test_the_run_folder_is_probed_before_training(tmp_path, monkeypatch):
    import chainrule.output as output

    def read_only(*args, **kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(output, "_temp_in", read_only)
    with pytest.raises(ChainruleError) as info:
        runs.new_run_folder(tmp_path / "chainrule-out")
    assert "read-only" in info.value.message and info.value.exit_code == 2
    assert not (tmp_path / "chainrule-out").exists()  # the folder it had created is gone again
