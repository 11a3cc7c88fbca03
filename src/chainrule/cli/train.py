"""``chainrule train``: run the learner's network (or a variant) and plot it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from chainrule.cli.app import app
from chainrule.cli.common import announce_compile, friendly, is_tty
from chainrule.config import TrainConfig


@app.command()
@friendly
def train(
    dataset: str = typer.Option("spiral", help="spiral | moons | circles | xor | gaussian | csv:PATH"),
    points: int = typer.Option(400, help="Points per class (the learner's data has 400)."),
    classes: int = typer.Option(2, help="Number of classes K."),
    noise: Optional[float] = typer.Option(None, help="Dataset noise (default: the dataset's own; spiral 0.5)."),
    hidden: str = typer.Option("1000", help="Hidden layer sizes: 1000, or 64,64 for two layers."),
    activation: str = typer.Option("relu", help="relu | leaky_relu | tanh | sigmoid"),
    loss: str = typer.Option("softmax", help="softmax (cross-entropy) | hinge (multiclass SVM)"),
    reg: float = typer.Option(0.0, help="L2 strength: adds 0.5*reg*sum(W*W) to the loss."),
    step_size: Optional[float] = typer.Option(None, help="Learning rate (default 1.0; momentum 0.1; adam 0.001)."),
    iterations: int = typer.Option(3000, help="Number of gradient steps."),
    optimizer: str = typer.Option("gd", help="gd (full batch, the learner's) | sgd (mini-batch) | momentum | adam"),
    batch_size: Optional[int] = typer.Option(None, help="Mini-batch size (default: full batch; sgd: 32)."),
    seed: int = typer.Option(0, help="Random seed; with --rng legacy it equals np.random.seed(SEED) in the learner's script."),
    rng: str = typer.Option("legacy", help="legacy (np.random.seed stream, reproduces the learner) | modern (default_rng)"),
    log_every: int = typer.Option(100, help="Log loss and accuracy every N iterations (0: never)."),
    engine: str = typer.Option("fast", help="fast (compiled numba kernels) | reference (readable numpy)"),
    dtype: str = typer.Option("float64", help="float64 | float32 (float32: faster; losses within ~1e-2 relative of float64 after 3000 iterations, same predictions)"),
    out: Path = typer.Option(Path("chainrule-out"), help="Folder for loss.png and boundary.png."),
    no_plots: bool = typer.Option(False, "--no-plots", help="Do not write the PNG plots."),
    force: bool = typer.Option(False, "--force", help="Overwrite existing plot files."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the final summary."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object (config, history, final loss, accuracy, seconds) and nothing else."),
) -> None:
    """Train the learner's network (spiral data, ReLU, softmax, gradient descent) or a variant.

    With the defaults and --seed S this prints, every 100 iterations, the same
    losses as the learner's script run after np.random.seed(S).
    """
    from chainrule.cli.train_run import print_summary, print_written, run_train
    from chainrule.config import build_config

    config: TrainConfig = build_config(
        dataset=dataset, points=points, classes=classes, noise=noise, hidden=hidden,
        activation=activation, loss=loss, reg=reg, step_size=step_size, iterations=iterations,
        optimizer=optimizer, batch_size=batch_size, seed=seed, rng=rng, log_every=log_every,
        engine=engine, dtype=dtype)
    show_progress = is_tty() and not (quiet or json_out)
    if not quiet:
        announce_compile(config.engine, config)
    run = run_train(config, out=None if no_plots else out, force=force, progress=show_progress)
    if json_out:
        run.plots()
        print(json.dumps(run.result.to_json()))
        return
    print_summary(run.result, quiet=quiet)  # while the plots are drawn
    print_written(run.plots())
