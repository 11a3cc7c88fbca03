"""``chainrule explain [SCRIPT]``: every backward line, its formula, its numbers and its proof."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from chainrule.cli.app import EXIT_CODES, app
from chainrule.cli.choices import Format
from chainrule.cli.common import announce_compile, friendly, is_tty


class Notation(str, Enum):
    """The symbols the walkthrough uses (every notation is in the JSON either way)."""

    code = "code"  # ∂L/∂S, one example per row, like the code
    nielsen = "nielsen"  # δ and BP1-BP4, one example as a column vector
    ng = "ng"  # dZ, dW, db, examples as columns


@app.command(epilog=EXIT_CODES)
@friendly
def explain(
    script: Optional[Path] = typer.Argument(
        None, help="Your own training script; without it, the learner's network is explained."),
    format_choice: Optional[Format] = typer.Option(
        None, "--format", "-f", case_sensitive=False,
        help="Default: terminal on a terminal, else Markdown; with --out, from the file's suffix."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write to this file instead of stdout."),
    force: bool = typer.Option(False, "--force", help="Overwrite --out if it exists."),
    tiny: str = typer.Option("4,3,2", "--tiny", help="Tiny example size N,H,K: points, hidden units, classes."),
    seed: int = typer.Option(0, "--seed", help="numpy's legacy seed (np.random.seed) for data and weights."),
    no_train: bool = typer.Option(False, "--no-train", help="Skip training the full network (section 4)."),
    iteration: int = typer.Option(1, "--iteration", help="For SCRIPT: which loop iteration to analyse (1 = the first)."),
    timeout: float = typer.Option(60.0, "--timeout", help="For SCRIPT: seconds it may run up to the end of the "
                                  "analysed iteration (0.1 to 86400)."),
    notation: Optional[Notation] = typer.Option(
        None, "--notation", case_sensitive=False,
        help="Symbols to use: code (∂L/∂S, default), nielsen (δ, BP1–BP4) or ng (dZ, dW, db)."),
) -> None:
    """Walk through the backward pass line by line: formula, shapes, numbers, proof, pitfalls."""
    from chainrule import validate
    from chainrule.explain import explain as build, format_for_path, parse_tiny
    from chainrule.output import ensure_writable, write_text
    from chainrule.render import render, render_terminal

    seed = validate.seed("--seed", seed)
    iteration = validate.whole("--iteration", iteration, 1, 10**9, example="1")
    timeout = validate.real("--timeout", timeout, 0.1, 86400.0, example="60")
    format = format_choice.value if format_choice is not None else None
    fmt = format or (format_for_path(out) if out else ("terminal" if is_tty() else "md"))
    tiny_sizes = parse_tiny(tiny)
    chosen = notation.value if notation is not None else None
    if out is not None:
        ensure_writable(out, force)  # refuse before the work, not after
    train = not no_train and script is None
    if train:
        announce_compile("fast")
    if train and sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/3000"),
                   TimeElapsedColumn())
        with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("Training your network for section 4 (--no-train skips it)",
                                total=3000)
            ex = build(script, tiny=tiny_sizes, seed=seed, train=train, iteration=iteration, timeout=timeout,
                       progress=lambda n: bar.update(task, completed=n), notation=chosen,
                       plot_worker=True)
    else:
        ex = build(script, tiny=tiny_sizes, seed=seed, train=train, iteration=iteration, timeout=timeout,
                   notation=chosen, plot_worker=train)
    if out is not None:
        path = write_text(out, render(ex.report, fmt), force)
        print(f"Wrote {path} ({fmt}).", file=sys.stderr)
    elif fmt == "terminal" and is_tty():
        render_terminal(ex.report)
    else:
        sys.stdout.write(render(ex.report, fmt).rstrip("\n") + "\n")
