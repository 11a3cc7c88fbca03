"""``chainrule bench``: the learner's loop vs every engine, timed side by side."""

from __future__ import annotations

import json
from typing import Optional

import typer

from chainrule.cli.app import EXIT_CODES, app
from chainrule.cli.choices import Threads
from chainrule.cli.common import friendly


def _table(result: dict, title: str):
    from rich.table import Table

    table = Table(title=title)
    for col in ("engine", "ms/iter (median)", "× vs learner", "final loss", "accuracy"):
        table.add_column(col, justify="left" if col == "engine" else "right")
    for r in result["rows"]:
        table.add_row(r["name"], f"{r['ms_per_iter']:.3f}", f"{r['ratio_vs_learner']:.1f}",
                      f"{r['final_loss']:.6f}", f"{r['accuracy']:.3f}")
    return table


def _scaling_table(rows: list[dict]):
    from rich.table import Table

    table = Table(title="fast engine scaling (float64, one hidden layer)")
    for col in ("N", "h", "iters", "ms/iter", "ns per N·h", "set-up ms", "peak extra MB", "an N×h array, MB"):
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(str(r["N"]), str(r["h"]), str(r["iterations"]), f"{r['ms_per_iter']:.3f}",
                      f"{r['ns_per_N_h']:.3f}", f"{r['setup_ms']:.1f}", f"{r['peak_extra_mb']:.2f}",
                      f"{r['N_h_array_mb']:.1f}")
    return table


@app.command(epilog=EXIT_CODES)
@friendly
def bench(
    iterations: int = typer.Option(100, "--iterations", help="Iterations per timed block."),
    blocks: int = typer.Option(5, "--blocks", help="Round-robin blocks; the median block counts."),
    threads_choice: Optional[Threads] = typer.Option(None, "--threads", help="1 or 2 (default: both, 1 first)."),
    scaling: bool = typer.Option(False, "--scaling", help="Also time the fast engine for N × h ∈ {800, 8000, 80000} × {100, 1000, 4000}."),
    compile_cost: bool = typer.Option(False, "--compile-cost", help="Also measure first-run (empty cache) and warm-run start-up of the fast engine."),
    train_wall: bool = typer.Option(False, "--train-wall", help="Also time the whole `chainrule train` command (defaults, on a terminal, warm cache), with and without plots: median of 5 fresh runs each."),
    no_torch: bool = typer.Option(False, "--no-torch", help="Skip PyTorch even if it is installed."),
    no_sklearn: bool = typer.Option(False, "--no-sklearn", help="Skip scikit-learn even if it is installed."),
    as_json: bool = typer.Option(False, "--json", help="Print only JSON: {\"rows\": [...], ...}."),
) -> None:
    """Time the learner's loop, the reference and fast engines, PyTorch and scikit-learn."""
    from chainrule import bench as b

    from chainrule import validate

    iterations = validate.whole("--iterations", iterations, 1, 10**7, example="100")
    blocks = validate.whole("--blocks", blocks, 1, 1000, example="5")
    threads = int(threads_choice.value) if threads_choice is not None else None
    results = {n: b.run_bench(iterations, blocks, n, torch_ok=not no_torch, sklearn_ok=not no_sklearn)
               for n in ([threads] if threads else [1, 2])}
    main = results[threads or 2]
    out = dict(main)
    out["by_threads"] = {str(n): r["rows"] for n, r in results.items()}
    if scaling:
        b.set_threads(threads or 2)
        out["scaling"] = b.run_scaling()
    if compile_cost:
        out["compile"] = b.compile_costs()
    if train_wall:
        out["train_wall"] = b.train_wall()
    if as_json:
        print(json.dumps(out, indent=2))
        return
    from rich.console import Console

    console = Console()
    for n, r in results.items():
        console.print(_table(r, f"{iterations} iterations × {blocks} blocks, {n} thread(s)"))
    console.print(f"OPENBLAS_CORETYPE={main['openblas_coretype']}  (ratios: learner ms / row ms; "
                  f"rows in the JSON 'rows' use {threads or 2} thread(s))")
    if scaling:
        console.print(_scaling_table(out["scaling"]))
    if compile_cost:
        c = out["compile"]
        console.print(f"fast engine start-up: first run (compiling every kernel) "
                      f"{c['first_run_s']:.1f} s, warm (loading every kernel) {c['warm_run_s']:.2f} s, "
                      f"warm default train (import + 1 iteration) {c['warm_default_s']:.2f} s")
    if train_wall:
        w = out["train_wall"]
        learner_ms = next(r["ms_per_iter"] for r in main["rows"] if r["name"] == "learner")
        console.print(f"`chainrule train` wall time (median of {len(w['runs']['plots'])} fresh runs, warm cache, "
                      f"progress bar on a terminal): {w['plots_s']:.2f} s with plots, {w['no_plots_s']:.2f} s "
                      f"with --no-plots; that is {1000 * w['plots_s'] / learner_ms:.0f} iterations of the "
                      f"learner's loop ({learner_ms:.2f} ms each) in this run")
