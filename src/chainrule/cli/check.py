"""``chainrule check SCRIPT.py``: is each line of my backprop right?"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from chainrule.cli.app import app
from chainrule.cli.common import friendly


@app.command()
@friendly
def check(
    script: Path = typer.Argument(..., help="Your training script (numpy, with a training loop)."),
    iteration: int = typer.Option(1, "--iteration", help="Which iteration of the loop to analyse (1 = the first)."),
    seed: int = typer.Option(0, "--seed", help="numpy's legacy seed (np.random.seed) set before the script runs."),
    timeout: float = typer.Option(60.0, "--timeout", help="Seconds the script may run up to the end of the analysed iteration."),
    max_memory: Optional[float] = typer.Option(
        None, "--max-memory", help="Megabytes the check may use (default: 90% of the available memory); "
                                   "beyond it, a clear refusal instead of the out-of-memory killer."),
    as_json: bool = typer.Option(False, "--json", help="Print the verdict as JSON (and nothing else)."),
) -> None:
    """Run SCRIPT up to one iteration of its training loop and check every backward line against autodiff.

    SCRIPT is a .py file or a Jupyter notebook (.ipynb).  Exit codes: 0 all right, 1 a wrong line,
    2 the script cannot be analysed.
    """
    from chainrule.check import check_script
    from chainrule.check.narrate.result import render
    from chainrule.errors import ChainruleError

    if max_memory is not None and max_memory <= 0:
        raise ChainruleError(f"Invalid value {max_memory:g} for --max-memory: give a number of megabytes > 0.",
                             option="--max-memory")
    try:
        result = check_script(script, iteration=iteration, seed=seed, timeout=timeout, max_memory=max_memory)
    except ChainruleError as exc:
        if as_json:  # the machine-readable error on stdout, the paragraph on stderr as usual
            print(json.dumps(exc.to_json(), indent=2, ensure_ascii=False))
        raise
    if as_json:
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        render(result)
    raise typer.Exit(result.exit_code)
