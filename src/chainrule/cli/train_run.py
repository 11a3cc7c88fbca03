"""What ``chainrule train`` does after parsing: train, plot, summarise."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from chainrule.config import TrainConfig
from chainrule.output import ensure_writable
from chainrule.training import TrainResult, train

PLOT_FILES = ("loss.png", "boundary.png")


def run_train(config: TrainConfig, out: Optional[Path], force: bool,
              progress: bool) -> tuple[TrainResult, list[Path]]:
    """Train with an optional rich progress bar, then write the plots into ``out``.

    Plot paths are checked *before* training, so a run is not wasted on a
    file that may not be overwritten.
    """
    if out is not None:
        for name in PLOT_FILES:
            ensure_writable(out / name, force, option="--out")
    if progress:
        result = _train_with_bar(config)
    else:
        result = train(config)
    written = write_plots(result, out, force) if out is not None else []
    return result, written


def _train_with_bar(config: TrainConfig) -> TrainResult:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("training"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("train", total=config.iterations)
        return train(config, progress=lambda done: bar.update(task, completed=done))


def write_plots(result: TrainResult, out: Path, force: bool) -> list[Path]:
    """Loss curve always; decision boundary when the data has 2 features."""
    from chainrule.output import write_bytes
    from chainrule.plots import decision_boundary_png, loss_curve_png

    written = []
    h = result.history
    if h:
        png = loss_curve_png([r["iteration"] for r in h], [r["loss"] for r in h],
                             [r["accuracy"] for r in h])
        written.append(write_bytes(out / "loss.png", png, force, option="--out"))
    if result.data.dim == 2:
        png = decision_boundary_png(result.predict, result.data.X, result.data.y)
        written.append(write_bytes(out / "boundary.png", png, force, option="--out"))
    else:
        result.notices.append(f"no decision boundary plot: the data has {result.data.dim} features, not 2")
    return written


def print_summary(result: TrainResult, written: list[Path], quiet: bool = False) -> None:
    """The learner's ``i: … loss: …`` log as a table, then the final numbers."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    c = result.config
    for note in result.notices:
        console.print(f"[yellow]note:[/] {note}")
    if not quiet and result.history:
        console.print(f"{c.dataset}: {result.data.n} points, {result.data.classes} classes · hidden "
                      f"{','.join(map(str, c.hidden))} {c.activation} · {c.loss} · {c.optimizer} "
                      f"step {c.lr:g}" + (f" · reg {c.reg:g}" if c.reg else ""))
        table = Table()
        table.add_column("iteration", justify="right")
        table.add_column("loss", justify="right")
        table.add_column("accuracy", justify="right")
        for row in result.history:
            table.add_row(str(row["iteration"]), f"{row['loss']:.10g}", f"{row['accuracy']:.4f}")
        console.print(table)
    per_iter = 1000 * result.seconds / max(1, c.iterations)
    console.print(f"final loss [bold]{result.final_loss:.6g}[/], training accuracy "
                  f"[bold]{result.train_accuracy:.4f}[/] after {c.iterations} iterations "
                  f"in {result.seconds:.2f} s ({per_iter:.3f} ms/iteration, {result.engine} engine)")
    for p in written:
        console.print(f"wrote {p}")
