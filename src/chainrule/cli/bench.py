"""``chainrule bench``: the learner's loop vs every engine, timed side by side."""

from __future__ import annotations

import json
from typing import Optional

import typer

from chainrule.cli.app import EXIT_CODES, app
from chainrule.cli.choices import Threads
from chainrule.cli.common import friendly
from chainrule.errors import bad_option


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


def _fmt(ms: dict, ratio: dict, key: str) -> tuple[str, str]:
    if key not in ms:
        return "—", "—"
    return f"{ms[key]:.3f}", (f"{ratio[key]:.2f}" if key in ratio else "")


def _arch_table(result: dict):
    from rich.table import Table

    rows = result["rows"]
    libs = [lib for lib in ("torch", "jax") if any(f"{lib}-float64" in r["ms_per_iter"] for r in rows)]
    table = Table(title=f"ms per iteration ({result['clock']} time, median of {result['blocks']} alternating blocks, "
                        f"{result['threads']} thread(s)); × = other / chainrule, same dtype")
    cols = ["config", "path", "N", "batch"]
    for dt in ("f64", "f32"):
        cols.append(f"chainrule {dt}")
        for lib in libs:
            cols += [f"{lib} {dt}", "×"]
    if any("reference-float64" in r["ms_per_iter"] for r in rows):
        cols += ["reference f64", "×"]
    for col in cols:
        table.add_column(col, justify="left" if col in ("config", "path") else "right")
    for r in rows:
        ms, ratio = r["ms_per_iter"], r["ratio"]
        cells = [r["name"], r["path"], str(r["N"]), str(r["batch"])]
        for dt in ("float64", "float32"):
            cells.append(f"{ms[f'chainrule-{dt}']:.3f}")
            for lib in libs:
                cells += _fmt(ms, ratio, f"{lib}-{dt}")
        if "reference f64" in cols:
            cells += _fmt(ms, ratio, "reference-float64")
        table.add_row(*cells)
    return table


def _floor_lines(floor: dict) -> list[str]:
    out = []
    for dt in ("float64", "float32"):
        f = floor[dt]
        line = (f"learner's network, {dt}: {floor['mflop']:.1f} MFLOP per iteration at a measured "
                f"{f['gflops']:.0f} GFLOP/s single-thread {'d' if dt == 'float64' else 's'}gemm "
                f"= {f['floor_ms']:.3f} ms floor")
        if f.get("ms") is not None:
            line += (f"; chainrule {f['ms']:.3f} ms = {100 * f['fraction']:.0f}% of the floor "
                     f"(above 100%: the tiled kernel skips units a tile's box decides)")
        out.append(line)
    return out


@app.command(epilog=EXIT_CODES)
@friendly
def bench(
    iterations: int = typer.Option(100, "--iterations", help="Iterations per timed block."),
    blocks: int = typer.Option(5, "--blocks", help="Round-robin blocks; the median block counts."),
    threads_choice: Optional[Threads] = typer.Option(None, "--threads", help="1 or 2 (default: both, 1 first)."),
    scaling: bool = typer.Option(False, "--scaling", help="Also time the fast engine for N × h ∈ {800, 8000, 80000} × {100, 1000, 4000}."),
    compile_cost: bool = typer.Option(False, "--compile-cost", help="Also time `chainrule train` and `chainrule explain` cold (first run after install: empty caches) and warm, and building/loading every compiled kernel."),
    train_wall: bool = typer.Option(False, "--train-wall", help="Also time the whole `chainrule train` command (defaults, on a terminal, warm cache), with and without plots: median of 5 fresh runs each."),
    no_torch: bool = typer.Option(False, "--no-torch", help="Skip PyTorch even if it is installed."),
    no_sklearn: bool = typer.Option(False, "--no-sklearn", help="Skip scikit-learn even if it is installed."),
    arch: bool = typer.Option(False, "--arch", help="Instead: the table of ~26 networks (depth 1-4, widths 16-1024, every activation, loss and optimizer, batches 1-256 and full, N 100-100000), chainrule vs PyTorch (and JAX if installed) in float64 and float32, 1 thread unless --threads 2; with the learner network's floor."),
    only: Optional[str] = typer.Option(None, "--only", help="With --arch: only these rows, comma-separated names (e.g. learner,sgd-b1)."),
    no_jax: bool = typer.Option(False, "--no-jax", help="Skip JAX even if it is installed."),
    as_json: bool = typer.Option(False, "--json", help="Print only JSON: {\"rows\": [...], ...}."),
) -> None:
    """Time the learner's loop, the reference and fast engines, PyTorch and scikit-learn."""
    from chainrule import bench as b

    from chainrule import validate

    iterations = validate.whole("--iterations", iterations, 1, 10**7, example="100")
    blocks = validate.whole("--blocks", blocks, 1, 1000, example="5")
    threads = int(threads_choice.value) if threads_choice is not None else None
    if arch or only:
        _run_arch(blocks, threads or 1, only, no_torch, no_jax, as_json)
        return
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
        console.print(f"start-up (fresh processes): `chainrule train` {c['train_cold_s']:.1f} s on the first "
                      f"run after install (empty caches: compiles the default kernel), {c['train_warm_s']:.2f} s "
                      f"warm; `chainrule explain` {c['explain_cold_s']:.1f} s cold, {c['explain_warm_s']:.2f} s "
                      f"warm; every compiled kernel: {c['first_run_s']:.1f} s to build, "
                      f"{c['warm_run_s']:.2f} s to load")
    if train_wall:
        w = out["train_wall"]
        learner_ms = next(r["ms_per_iter"] for r in main["rows"] if r["name"] == "learner")
        console.print(f"`chainrule train` wall time (median of {len(w['runs']['plots'])} fresh runs, warm cache, "
                      f"progress bar on a terminal): {w['plots_s']:.2f} s with plots, {w['no_plots_s']:.2f} s "
                      f"with --no-plots; that is {1000 * w['plots_s'] / learner_ms:.0f} iterations of the "
                      f"learner's loop ({learner_ms:.2f} ms each) in this run")


def _run_arch(blocks: int, threads: int, only: Optional[str], no_torch: bool, no_jax: bool,
              as_json: bool) -> None:
    from chainrule import bench_arch as ba

    names = [n.strip() for n in only.split(",") if n.strip()] if only else None
    known = [name for name, _ in ba.ARCH]
    unknown = [n for n in names or [] if n not in known]
    if unknown:
        raise bad_option("--only", only, "use names from the --arch table: " + ", ".join(known) + ".")
    libs = tuple(lib for lib, skip in (("torch", no_torch), ("jax", no_jax)) if not skip)
    console = None
    if not as_json:
        from rich.console import Console

        console = Console()
        console.print(f"timing {len(names or known)} networks on {ba.machine()} ...")
    done = (lambda r: console.print(f"  {r['name']}: chainrule {r['ms_per_iter']['chainrule-float64']:.3f} ms "
                                    f"({r['path']})")) if console else None
    result = ba.run_arch(blocks=blocks, threads=threads, names=names, libs=libs, progress=done)
    result["floor"] = ba.floor(result["rows"])
    if as_json:
        print(json.dumps(result, indent=2))
        return
    console.print(_arch_table(result))
    for line in _floor_lines(result["floor"]):
        console.print(line)
