"""``chainrule serve [SCRIPT]``: a live page to step through backprop and watch the network learn."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from chainrule.cli.app import EXIT_CODES, app
from chainrule.cli.common import friendly


@app.command(epilog=EXIT_CODES)
@friendly
def serve(
    script: Optional[Path] = typer.Argument(
        None, help="Your own training script (.py or .ipynb); without it, the learner's network."),
    port: int = typer.Option(0, "--port", "-p", help="Port to listen on; 0 (the default) picks a free one."),
    no_browser: bool = typer.Option(False, "--no-browser", help="Print the URL without opening a browser."),
    host: str = typer.Option("127.0.0.1", "--host",
                             help="Address to listen on: 127.0.0.1 or ::1 (this machine only)."),
    allow_remote: bool = typer.Option(False, "--allow-remote",
                                      help="Allow a --host other than this machine (other computers "
                                           "can then use the page and make this machine train)."),
    seed: int = typer.Option(0, "--seed", help="numpy's legacy seed (np.random.seed) for data and weights."),
    timeout: float = typer.Option(60.0, "--timeout", help="For SCRIPT: seconds it may run up to the end of its "
                                  "first iteration, to be analysed (0.1 to 86400)."),
) -> None:
    """Open a live page: step through every line with its numbers, and watch the network learn."""
    from chainrule.serve import serve as run

    run(script, host=host, port=port, open_browser=not no_browser, allow_remote=allow_remote, seed=seed,
        timeout=timeout)
