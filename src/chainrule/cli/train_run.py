"""What ``chainrule train`` does after parsing: train, plot, summarise."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from chainrule.config import TrainConfig
from chainrule.output import ensure_writable, write_bytes
from chainrule.plot_worker import PLOT_FILES, PlotSpec, PlotWorker, render_pngs
from chainrule.training import TrainResult, train


class TrainRun:
    """One ``chainrule train``: the result, and its plots being drawn (:meth:`plots` writes them)."""

    def __init__(self, result: TrainResult, out: Optional[Path], force: bool,
                 worker: Optional[PlotWorker]) -> None:
        self.result = result
        self._out, self._force, self._worker = out, force, worker
        self._spec = PlotSpec.of(result) if out is not None else None
        if self._spec is not None and result.data.dim != 2:
            result.notices.append(f"no decision boundary plot: the data has {result.data.dim} features, not 2")
        if worker is not None and not (self._spec.names() and worker.submit(self._spec)):
            worker.close()
            self._worker = None

    def plots(self) -> list[Path]:
        """Write the plots (waiting for the helper process if it draws them); the paths written."""
        if self._spec is None:
            return []
        pngs = self._worker.pngs() if self._worker is not None else None
        if pngs is None:  # no helper, or it failed: draw here (an error surfaces as usual)
            pngs = render_pngs(self._spec)
        return [write_bytes(self._out / name, png, self._force, option="--out") for name, png in pngs.items()]


def run_train(config: TrainConfig, out: Optional[Path], force: bool, progress: bool) -> TrainRun:
    """Train with an optional rich progress bar; the plots for ``out`` are drawn meanwhile.

    Plot paths are checked *before* training, so a run is not wasted on a
    file that may not be overwritten.  A helper process
    (:class:`chainrule.plot_worker.PlotWorker`) loads matplotlib while the
    network trains and draws the plots once it is trained; call
    :meth:`TrainRun.plots` to write them.
    """
    if out is not None:
        for name in PLOT_FILES:
            ensure_writable(out / name, force, option="--out")
    worker = PlotWorker.claim() if out is not None else None
    try:
        result = _train_with_bar(config) if progress else train(config)
    except BaseException:
        if worker is not None:
            worker.close()
        raise
    return TrainRun(result, out, force, worker)


def _train_with_bar(config: TrainConfig) -> TrainResult:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("training"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("train", total=config.iterations)
        return train(config, progress=lambda done: bar.update(task, completed=done))


def print_summary(result: TrainResult, quiet: bool = False) -> None:
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


def print_written(written: list[Path]) -> None:
    from rich.console import Console

    console = Console()
    for p in written:
        console.print(f"wrote {p}")
