"""``chainrule check SCRIPT.py``: is each line of my backprop right?"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from chainrule.cli.app import EXIT_CODES, app
from chainrule.cli.common import friendly


@app.command(epilog=EXIT_CODES)
@friendly
def check(
    script: Path = typer.Argument(..., help="Your training script (numpy, with a training loop)."),
    iteration: int = typer.Option(1, "--iteration", help="Which iteration of the loop to analyse (1 = the first)."),
    seed: int = typer.Option(0, "--seed", help="numpy's legacy seed (np.random.seed) set before the script runs."),
    timeout: float = typer.Option(60.0, "--timeout", help="Seconds the script may run up to the end of the "
                                  "analysed iteration (0.1 to 86400)."),
    max_memory: Optional[float] = typer.Option(
        None, "--max-memory", help="Megabytes the check may use (default: 90% of the available memory); "
                                   "beyond it, a clear refusal instead of the out-of-memory killer."),
    as_json: bool = typer.Option(False, "--json", help="Print the verdict as JSON (and nothing else)."),
) -> None:
    """Run SCRIPT up to one iteration of its training loop and check every backward line against autodiff.

    SCRIPT is a .py file or a Jupyter notebook (.ipynb).
    """
    from chainrule import validate
    from chainrule.check import check_script
    from chainrule.check.narrate.result import render

    iteration = validate.whole("--iteration", iteration, 1, 10**9, example="1")
    seed = validate.seed("--seed", seed)
    timeout = validate.real("--timeout", timeout, 0.1, 86400.0, example="60")
    if max_memory is not None:
        max_memory = validate.real("--max-memory", max_memory, 0.0, None, lo_open=True, example="4000")
    result = check_script(script, iteration=iteration, seed=seed, timeout=timeout, max_memory=max_memory)
    if as_json:
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        render(result)
    raise typer.Exit(result.exit_code)
