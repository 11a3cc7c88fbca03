"""The plot helper process: same PNG bytes as in process, and every way it can fail falls back."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import chainrule.plot_worker as pw
from chainrule.cli import _plots_ahead
from chainrule.cli.train_run import RunTarget, TrainRun
from chainrule.config import TrainConfig
from chainrule.plot_worker import PlotSpec, PlotWorker, render_pngs
from chainrule.training import train

PNG = b"\x89PNG\r\n\x1a\n"
SMALL = TrainConfig(points=40, hidden=(24,), iterations=120, log_every=20, engine="reference")


@pytest.fixture(scope="module")
def spec() -> PlotSpec:
    return PlotSpec.of(train(SMALL))


def test_helper_draws_the_same_bytes_as_in_process(spec):
    worker = PlotWorker.start()
    assert worker is not None
    assert worker.submit(spec)
    got = worker.pngs(timeout=120)
    assert got is not None and list(got) == ["loss.png", "boundary.png"]
    assert got == render_pngs(spec)
    assert all(png.startswith(PNG) for png in got.values())
    assert not worker._process.is_alive()


def test_side_by_side_equals_one_after_the_other(spec):
    assert pw._render_side_by_side(spec) == render_pngs(spec)


def test_spec_names_follow_the_data(spec):
    assert spec.names() == ["loss.png", "boundary.png"]
    X3 = np.column_stack([spec.X, spec.X[:, :1]])  # (N, 3): no boundary plot
    assert replace(spec, X=X3).names() == ["loss.png"]
    assert replace(spec, iterations=[], losses=[], accuracies=[]).names() == ["boundary.png"]
    assert spec.iterations == [0, 20, 40, 60, 80, 100]


def test_in_process_switch(monkeypatch):
    monkeypatch.setenv("CHAINRULE_PLOTS_IN_PROCESS", "1")
    assert PlotWorker.start() is None


def test_a_dead_helper_means_the_parent_draws(spec, tmp_path):
    dead = PlotWorker.start()
    dead._process.kill()
    dead._process.join()

    result = train(SMALL)
    run = TrainRun(result, RunTarget.open(tmp_path, force=False), dead, plots=True)
    written = run.write()
    assert [p.name for p in written] == ["loss.png", "boundary.png", "run.json"]
    expected = render_pngs(PlotSpec.of(result))
    assert {p.name: p.read_bytes() for p in written[:2]} == expected


def test_an_error_in_the_helper_surfaces_in_process(spec):
    broken = replace(spec, activation="no-such-activation")
    worker = PlotWorker.start()
    worker.submit(broken)
    assert worker.pngs(timeout=120) is None  # the helper replied with an error
    with pytest.raises(Exception) as caught:  # the parent redraws and gets the real error
        render_pngs(broken)
    assert "no_such_activation" in str(caught.value)


def test_unclaimed_early_helper_stops_at_once():
    PlotWorker.start_early()
    worker = pw._EARLY
    assert worker is not None and worker._process.is_alive()
    t0 = time.perf_counter()
    PlotWorker.discard_early()
    assert time.perf_counter() - t0 < 1.5  # killed, not waited for (its matplotlib import takes longer)
    assert pw._EARLY is None and not worker._process.is_alive()


def test_claim_takes_the_early_helper_once():
    PlotWorker.start_early()
    early = pw._EARLY
    assert PlotWorker.claim() is early
    assert pw._EARLY is None
    early.close()


@pytest.mark.parametrize("args,ahead", [
    (["train"], True),
    (["train", "--iterations", "10", "--json"], True),
    (["train", "--no-plots"], False),
    (["train", "--help"], False),
    (["explain"], False),
    ([], False),
    (["--version"], False),
])
def test_plots_ahead_only_for_a_train_that_plots(args, ahead):
    assert _plots_ahead(args) is ahead


def _cli(args: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "chainrule", *args], capture_output=True, text=True,
                          env=dict(os.environ, **(env or {})), timeout=300)


def test_command_writes_the_same_plots_with_and_without_the_helper(tmp_path: Path):
    args = ["train", "--points", "40", "--hidden", "24", "--iterations", "120", "--log-every", "20",
            "--engine", "reference", "--force"]
    fast = _cli([*args, "--out", str(tmp_path / "a")])
    slow = _cli([*args, "--out", str(tmp_path / "b")], env={"CHAINRULE_PLOTS_IN_PROCESS": "1",
                                                             "CHAINRULE_SLOW_EXIT": "1"})
    for r in (fast, slow):
        assert r.returncode == 0, r.stderr
        assert "final loss" in r.stdout and r.stdout.rstrip().endswith("loss.png, boundary.png, run.json")
    for name in ("loss.png", "boundary.png"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_command_exit_codes_survive_the_quick_exit(tmp_path: Path):
    bad = _cli(["train", "--hidden", "0", "--out", str(tmp_path)])
    assert bad.returncode == 2 and bad.stderr.startswith("error: ") and "--hidden" in bad.stderr
    usage = _cli(["train", "--no-such-option"])
    assert usage.returncode == 2 and "No such option" in usage.stderr
    assert _cli(["--version"]).stdout.startswith("chainrule ")
    assert not any((tmp_path).iterdir())  # the early helper wrote nothing
