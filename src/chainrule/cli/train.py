"""``chainrule train``: run the learner's network (or a variant), plot it, keep a record of the run."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from chainrule.cli.app import EXIT_CODES, app
from chainrule.cli.choices import Activation, Dtype, Engine, Loss, Optimizer, RngKind, complete_dataset
from chainrule.cli.common import announce_compile, friendly


@app.command(epilog=EXIT_CODES)
@friendly
def train(
    dataset: str = typer.Option("spiral", help="spiral | moons | circles | xor | gaussian | csv:PATH "
                                "(feature columns, then a label column)", autocompletion=complete_dataset),
    points: Optional[int] = typer.Option(None, help="Points per class (default 400, the learner's data). "
                                         "Not for csv: data."),
    classes: Optional[int] = typer.Option(None, help="Number of classes K (default 2). Not for csv: data."),
    noise: Optional[float] = typer.Option(None, help="Dataset noise (default: the dataset's own; spiral 0.5). "
                                          "Not for csv: data."),
    hidden: str = typer.Option("1000", help="Hidden layer sizes: 1000, or 64,64 for two layers."),
    activation: Activation = typer.Option("relu", case_sensitive=False, help="Hidden-layer activation."),
    loss: Loss = typer.Option("softmax", case_sensitive=False, help="softmax (cross-entropy) or hinge (multiclass SVM)."),
    reg: float = typer.Option(0.0, help="L2 strength: adds 0.5*reg*sum(W*W) to the loss."),
    step_size: Optional[float] = typer.Option(None, help="Learning rate (default 1.0; momentum 0.1; adam 0.001)."),
    iterations: int = typer.Option(3000, help="Number of gradient steps."),
    optimizer: Optimizer = typer.Option("gd", case_sensitive=False,
                                        help="gd (full batch, the learner's), sgd (mini-batch), momentum, adam."),
    batch_size: Optional[int] = typer.Option(None, help="Mini-batch size (default: full batch; sgd: 32)."),
    seed: int = typer.Option(0, help="Random seed 0..4294967295; with --rng legacy it equals np.random.seed(SEED) "
                                     "in the learner's script."),
    rng: RngKind = typer.Option("legacy", case_sensitive=False,
                                help="legacy (np.random.seed stream, reproduces the learner) or modern (default_rng)."),
    log_every: int = typer.Option(100, help="Log loss and accuracy every N iterations (0: never, and no loss plot)."),
    standardize: bool = typer.Option(False, "--standardize", help="Rescale each feature column to mean 0 and std 1 "
                                     "first (for CSV features far from unit scale)."),
    engine: Engine = typer.Option("fast", case_sensitive=False,
                                  help="fast (compiled numba kernels) or reference (readable numpy)."),
    dtype: Dtype = typer.Option("float64", case_sensitive=False,
                                help="float32: faster; losses within ~1e-2 relative of float64 after 3000 "
                                     "iterations, same predictions."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the plots and run.json exactly into this folder "
                                       "(default: a new numbered run folder, chainrule-out/train, train2, ...)."),
    no_plots: bool = typer.Option(False, "--no-plots", help="Do not draw the PNG plots (run.json is still written)."),
    force: bool = typer.Option(False, "--force", help="With --out: replace files that are already there."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the final summary."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (config, history, final loss, accuracy, "
                                 "notes, run folder) and nothing else; errors too as JSON."),
) -> None:
    """Train the learner's network (spiral data, ReLU, softmax, gradient descent) or a variant.

    With the defaults and --seed S this prints, every 100 iterations, the same
    losses as the learner's script run after np.random.seed(S). Each run gets
    its own folder (chainrule-out/train, train2, ...) with loss.png,
    boundary.png and run.json. Ctrl-C stops at the end of the current
    iteration and keeps what was trained (exit code 130).
    """
    from chainrule.cli.train_run import run_command
    from chainrule.config import build_config

    config = build_config(
        dataset=dataset, points=points, classes=classes, noise=noise, hidden=hidden,
        activation=activation.value, loss=loss.value, reg=reg, step_size=step_size, iterations=iterations,
        optimizer=optimizer.value, batch_size=batch_size, seed=seed, rng=rng.value, log_every=log_every,
        engine=engine.value, dtype=dtype.value, standardize=standardize)
    if not (quiet or as_json):
        announce_compile(config.engine, config)
    code = run_command(config, out=out, force=force, plots=not no_plots, quiet=quiet, as_json=as_json)
    if code:
        raise typer.Exit(code)
