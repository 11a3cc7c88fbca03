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


# ---------------------------------------------------------------- bench --arch

def _small(**fields):
    from chainrule.config import TrainConfig

    return TrainConfig(points=30, log_every=0, **fields)


LIB_CASES = [dict(hidden=(8, 6), activation="tanh", optimizer="adam"),
             dict(hidden=(10,), loss="hinge", classes=3, optimizer="momentum", reg=1e-3),
             dict(hidden=(7, 5), activation="leaky_relu", optimizer="sgd", batch_size=8),
             dict(hidden=(9,), activation="sigmoid")]


def _libs():
    from chainrule import bench_libs

    out = []
    if bench_libs.torch_available():
        out.append(("torch", bench_libs.TorchRunner))
    if bench_libs.jax_available():
        out.append(("jax", bench_libs.JaxRunner))
    return out


def test_other_libraries_train_the_same_network_as_chainrule():
    """PyTorch (and JAX) in the bench compute chainrule's job: same float64 weights after 6 iterations."""
    import copy

    import numpy as np
    import pytest

    from chainrule.fast import Session
    from chainrule.training import _batches, prepare

    libs = _libs()
    if not libs:
        pytest.skip("neither PyTorch nor JAX is installed")
    for fields in LIB_CASES:
        config = _small(**fields)
        data, params, rng = prepare(config)
        stream = _batches(len(data.y), config.batch, copy.deepcopy(rng))
        batches = None if config.batch is None else [next(stream) for _ in range(6)]
        ours = Session(config)
        ours.step(6)
        for name, runner in libs:
            other = runner(config, "float64", data.X, data.y, params, batches)
            other.reset()
            other.run(6)
            for (Wa, ba), (Wb, bb) in zip(other.params(), ours.params()):
                np.testing.assert_allclose(Wa, Wb, rtol=1e-9, atol=1e-12, err_msg=f"{name} {fields}")
                np.testing.assert_allclose(ba, bb, rtol=1e-9, atol=1e-12, err_msg=f"{name} {fields}")


def test_cli_bench_arch_json_one_row():
    from chainrule.cli import app

    result = CliRunner().invoke(app, ["bench", "--only", "leaky-16-b1", "--blocks", "1", "--no-torch",
                                      "--no-jax", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    (row,) = data["rows"]
    assert row["name"] == "leaky-16-b1" and row["path"] == "rows" and row["batch"] == 1
    assert {"chainrule-float64", "chainrule-float32", "reference-float64"} <= set(row["ms_per_iter"])
    assert row["ratio"]["reference-float64"] > 0 and row["loss_rel_diff_f64"]["reference-float64"] < 1e-12
    assert data["clock"] == "cpu" and data["threads"] == 1 and "cores" in data["machine"]
    floor = data["floor"]["float64"]
    assert floor["gflops"] > 0 and floor["ms"] is None  # no learner row, no fraction


def test_cli_bench_only_names_the_rows_it_knows():
    from chainrule.cli import app

    result = CliRunner().invoke(app, ["bench", "--only", "learner,nosuch"])
    assert result.exit_code == 2
    assert "--only" in result.output and "sgd-b1" in result.output


def test_arch_table_covers_the_axes_it_promises():
    from chainrule.bench_arch import ARCH
    from chainrule.config import TrainConfig
    from chainrule.data import make_dataset

    configs = [TrainConfig(**fields) for _, fields in ARCH]
    depths = {len(c.hidden) for c in configs}
    widths = {w for c in configs for w in c.hidden}
    sizes = {c.points * c.classes for c in configs}
    batches = {c.batch for c in configs}
    assert depths == {1, 2, 3, 4} and min(widths) == 16 and max(widths) == 1024
    assert {c.activation for c in configs} == {"relu", "leaky_relu", "tanh", "sigmoid"}
    assert {c.loss for c in configs} == {"softmax", "hinge"}
    assert {c.optimizer for c in configs} >= {"gd", "sgd", "momentum", "adam"}
    assert {c.classes for c in configs} >= {2, 10} and min(sizes) == 100 and max(sizes) == 100_000
    assert {1, 256, None} <= batches
    for c in configs:  # every row's data set exists with its class count
        make_dataset(c.dataset, 2, c.classes, None, None)


def test_compile_cost_names_a_failing_command_in_one_paragraph():
    import sys

    import pytest

    from chainrule.bench import _wall
    from chainrule.errors import ChainruleError

    with pytest.raises(ChainruleError) as caught:
        _wall([sys.executable, "-c", "import sys; print('boom', file=sys.stderr); sys.exit(3)"], {})
    assert caught.value.exit_code == 1
    assert "exit code 3" in caught.value.message and "boom" in caught.value.message
