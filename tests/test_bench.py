"""chainrule bench: shape of the results and of the CLI's JSON (tiny runs, no timing claims)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from chainrule.bench import run_bench, run_scaling, train_wall
from chainrule.config import TrainConfig


def test_run_bench_rows_and_numbers():
    cfg = TrainConfig(points=40, hidden=(30,))
    res = run_bench(iterations=3, blocks=2, threads=1, config=cfg, torch_ok=False, sklearn_ok=True)
    names = [r["name"] for r in res["rows"]]
    assert names[:4] == ["learner", "reference", "fast-float64", "fast-float32"]
    assert "sklearn-mlp" in names
    rows = {r["name"]: r for r in res["rows"]}
    assert rows["learner"]["ratio_vs_learner"] == 1.0
    # the learner's loop, the reference and the fast engine end on the same weights
    assert abs(rows["fast-float64"]["final_loss"] - rows["learner"]["final_loss"]) < 1e-9
    assert abs(rows["reference"]["final_loss"] - rows["learner"]["final_loss"]) < 1e-9
    assert rows["fast-float64"]["accuracy"] == rows["learner"]["accuracy"]
    assert "openblas_coretype" in res


def test_scaling_reports_memory_below_an_n_by_h_array():
    rows = run_scaling(Ns=(800, 8000), hs=(200,), budget=1e6)
    assert [(r["N"], r["h"]) for r in rows] == [(800, 200), (8000, 200)]
    big = rows[-1]
    assert big["peak_extra_mb"] < big["N_h_array_mb"] / 4


def test_cli_bench_json():
    from chainrule.cli import app

    result = CliRunner().invoke(app, ["bench", "--iterations", "2", "--blocks", "1", "--threads", "1",
                                      "--no-torch", "--no-sklearn", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["rows"][0]["name"] == "learner"
    assert set(data["rows"][0]) == {"name", "ms_per_iter", "ratio_vs_learner", "final_loss", "accuracy"}


def test_cli_bench_rejects_bad_threads():
    from chainrule.cli import app

    result = CliRunner().invoke(app, ["bench", "--threads", "3"])
    assert result.exit_code == 2


def test_train_wall_times_the_whole_command_on_a_terminal():
    small = ("--points", "30", "--hidden", "16", "--iterations", "20")
    w = train_wall(runs=1, args=small)
    assert set(w) == {"plots_s", "no_plots_s", "runs"}
    assert len(w["runs"]["plots"]) == len(w["runs"]["no_plots"]) == 1
    assert w["plots_s"] == w["runs"]["plots"][0] > 0.05  # a whole Python process, not a no-op
    assert w["no_plots_s"] == w["runs"]["no_plots"][0] > 0.05


def test_train_wall_names_a_failing_command_in_one_paragraph():
    import pytest

    from chainrule.errors import ChainruleError

    with pytest.raises(ChainruleError) as caught:
        train_wall(runs=1, args=("--hidden", "0"))
    message = caught.value.message
    assert caught.value.exit_code == 1
    assert "--train-wall" in message and "--hidden 0" in message and "exit code 2" in message
    assert "\n" not in message
