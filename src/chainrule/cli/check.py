"""``chainrule check SCRIPT.py``: is each line of my backprop right?"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from chainrule.cli.app import app
from chainrule.cli.common import friendly


@app.command()
@friendly
def check(
    script: Path = typer.Argument(..., help="Your training script (numpy, with a training loop)."),
    iteration: int = typer.Option(1, "--iteration", help="Which iteration of the loop to analyse (1 = the first)."),
    seed: int = typer.Option(0, "--seed", help="numpy's legacy seed (np.random.seed) set before the script runs."),
    timeout: float = typer.Option(60.0, "--timeout", help="Seconds the script may run before reaching the loop."),
    as_json: bool = typer.Option(False, "--json", help="Print the verdict as JSON (and nothing else)."),
) -> None:
    """Run one iteration of SCRIPT's training loop and check every backward line against autodiff."""
    from chainrule.check import check_script
    from chainrule.check.narrate.result import render

    result = check_script(script, iteration=iteration, seed=seed, timeout=timeout)
    if as_json:
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        render(result)
    raise typer.Exit(result.exit_code)
