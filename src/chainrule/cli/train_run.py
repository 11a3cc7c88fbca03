"""What ``chainrule train`` does after parsing: pick the run folder, train, print, plot, record.

The order is the point: the folder is created (or the ``--out`` files are
checked) and probed *before* training, so a read-only disk or a file that
may not be replaced costs no training; logged rows are printed (and flushed)
as they are logged, so they reach a pipe even if the run is interrupted;
Ctrl-C ends the loop at the end of an iteration and the plots and
``run.json`` of what was trained are still written (exit code 130); a run that
fails before writing anything leaves no empty folder behind.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

from chainrule.cli.common import stage
from chainrule.config import TrainConfig
from chainrule.errors import TrainingInterrupted
from chainrule.output import check_target, make_folder, remove_folders
from chainrule.plot_worker import LOSS_PNG, PLOT_FILES, PlotSpec, PlotWorker, render_pngs
from chainrule.runs import DEFAULT_ROOT, RUN_JSON, new_run_folder, write_run
from chainrule.training import TrainResult, train


class RunTarget:
    """The folder a run writes into: a new numbered one, or ``--out`` exactly (checked up front)."""

    def __init__(self, folder: Path, created: list[Path], force: bool) -> None:
        self.folder, self.created, self.force = folder, created, force

    @classmethod
    def open(cls, out: Optional[Path], force: bool) -> "RunTarget":
        if out is None:
            folder, created = new_run_folder(DEFAULT_ROOT)
            return cls(folder, created, force=False)
        folder = Path(out).expanduser()
        created = make_folder(folder, "--out")
        try:
            for name in (*PLOT_FILES, RUN_JSON):
                check_target(folder / name, force, option="--out")
        except BaseException:
            remove_folders(created)
            raise
        return cls(folder, created, force)

    def abandon(self) -> None:
        """Nothing was written: remove the folders this run created (if still empty)."""
        remove_folders(self.created)


class RowPrinter:
    """Prints each logged row the moment it is logged, flushed (a pipe gets it at once)."""

    HEADER = f"{'iteration':>10}  {'loss':>16}  {'accuracy':>8}"

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.console = None  # the progress bar's console, when there is one
        self._started = False

    def __call__(self, row: dict) -> None:
        if not self.enabled:
            return
        if not self._started:
            self._started = True
            self._emit(self.HEADER)
        self._emit(f"{row['iteration']:>10}  {row['loss']:>16.10f}  {row['accuracy']:>8.4f}")

    def _emit(self, line: str) -> None:
        try:
            if self.console is not None:
                self.console.print(line, highlight=False, markup=False)
            else:
                print(line, flush=True)
        except (BrokenPipeError, OSError):  # `chainrule train | head`: the reader left; keep training
            self.enabled = False


def run_command(config: TrainConfig, out: Optional[Path], force: bool, plots: bool, quiet: bool,
                as_json: bool) -> int:
    """The whole command; returns its exit code (0, or 130 when interrupted)."""
    from chainrule.cli.common import is_tty

    with stage("preparing the run folder"):
        target = RunTarget.open(out, force)
    printer = RowPrinter(enabled=not (quiet or as_json))
    worker = PlotWorker.claim() if plots else None
    interrupted: Optional[TrainingInterrupted] = None
    try:
        _announce_big_csv(config, quiet or as_json)
        with stage("loading the data and preparing the training"):
            result = _train(config, printer, bar=is_tty() and not (quiet or as_json), plots=plots)
    except TrainingInterrupted as exc:
        interrupted, result = exc, exc.result
    except BaseException:
        target.abandon()
        if worker is not None:
            worker.close()
        raise
    run = TrainRun(result, target, worker if plots else None, plots)
    try:
        with stage("writing the plots and run.json"):
            if as_json:
                written = run.write()
                body = {**result.to_json(), "run_dir": str(target.folder), "files": [str(p) for p in written]}
                if interrupted is not None:
                    body["error"] = interrupted.to_json()["error"]
                print(json.dumps(body))
            else:
                print_summary(result, quiet=quiet)  # while the plots are drawn
                print_written(target.folder, run.write())
    except BaseException:
        target.abandon()  # e.g. a full disk: nothing was written, so no empty folder either
        run.close()
        raise
    if interrupted is not None:
        print(f"interrupted at iteration {result.iterations_done} of {config.iterations} (Ctrl-C): the summary, "
              f"plots and run.json above are of the {result.iterations_done} iterations trained.",
              file=sys.stderr, flush=True)
        return interrupted.exit_code
    return 0


class TrainRun:
    """One trained run and its plots being drawn (by the helper process if there is one)."""

    def __init__(self, result: TrainResult, target: RunTarget, worker: Optional[PlotWorker], plots: bool) -> None:
        self.result, self.target, self._worker = result, target, worker
        self._spec = PlotSpec.of(result) if plots else None
        if plots and result.data.dim != 2:
            result.notices.append(f"no decision boundary plot: the data has {result.data.dim} features, not 2")
        if plots and not result.history:
            result.notices.append(f"no loss plot ({LOSS_PNG}): nothing was logged (--log-every "
                                  f"{result.config.log_every}); use e.g. --log-every 100")
        if worker is not None and not (self._spec.names() and worker.submit(self._spec)):
            worker.close()
            self._worker = None

    def close(self) -> None:
        """Stop the plot helper if it is still there (after an error)."""
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    def write(self) -> list[Path]:
        """Write the plots (waiting for the helper if it draws them) and run.json; the paths written."""
        pngs: dict = {}
        if self._spec is not None:
            pngs = self._worker.pngs() if self._worker is not None else None
            self._worker = None  # it has exited (pngs closes it)
            if pngs is None:  # no helper, or it failed: draw here (an error surfaces as usual)
                pngs = render_pngs(self._spec)
        return write_run(self.target.folder, self.result, pngs, self.target.force)


def _train(config: TrainConfig, printer: RowPrinter, bar: bool, plots: bool) -> TrainResult:
    if not bar:
        return train(config, on_row=printer, plots=plots)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("training"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True) as progress:
        printer.console = progress.console
        task = progress.add_task("train", total=config.iterations)
        try:
            return train(config, progress=lambda done: progress.update(task, completed=done), on_row=printer,
                         plots=plots)
        finally:
            printer.console = None


def _announce_big_csv(config: TrainConfig, silent: bool) -> None:
    """Reading a large CSV takes seconds: say so on stderr first."""
    if silent or not config.is_csv:
        return
    path = Path(config.dataset.strip()[4:].strip()).expanduser()
    try:
        size = path.stat().st_size
    except OSError:
        return
    if size >= 20_000_000:
        print(f"reading {path} ({size / 1e6:.0f} MB)…", file=sys.stderr, flush=True)


def print_summary(result: TrainResult, quiet: bool = False) -> None:
    """Notes and warnings, the run's one-line description, then the final numbers."""
    from rich.console import Console

    console = Console(soft_wrap=True)
    c = result.config
    for note in result.notices:
        console.print(f"[yellow]note:[/] {note}", highlight=False)
    for warning in result.warnings:
        console.print(f"[bold red]warning:[/] {warning}", highlight=False)
    if not quiet:
        d = result.data
        console.print(f"{d.name}: {d.n} points, {d.classes} classes · hidden {','.join(map(str, c.hidden))} "
                      f"{c.activation} · {c.loss} · {c.optimizer} step {c.lr:g}" + (f" · reg {c.reg:g}" if c.reg else ""),
                      highlight=False)
    done = result.iterations_done
    per_iter = 1000 * result.seconds / max(1, done)
    console.print(f"final loss [bold]{result.final_loss:.6g}[/], training accuracy "
                  f"[bold]{result.train_accuracy:.4f}[/] after {done} iterations "
                  f"in {result.seconds:.2f} s ({per_iter:.3f} ms/iteration, {result.engine} engine)")


def print_written(folder: Path, written: list[Path]) -> None:
    print(f"wrote {folder}/: {', '.join(p.name for p in written)}", flush=True)


__all__ = ["RowPrinter", "RunTarget", "TrainRun", "print_summary", "run_command"]
