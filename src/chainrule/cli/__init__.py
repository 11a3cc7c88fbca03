"""``chainrule`` command line: thin Typer commands over the library.

Each command has its own module (``train``, ``explain``, ``check``, ``bench``);
importing it registers the command on :data:`chainrule.cli.app.app`.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys

from chainrule.cli.app import app

COMMANDS = ("train", "explain", "check", "bench", "serve")

for _name in COMMANDS:
    if importlib.util.find_spec(f"chainrule.cli.{_name}") is not None:
        importlib.import_module(f"chainrule.cli.{_name}")


def main() -> None:
    """Console-script entry point."""
    plots_ahead = _plots_ahead(sys.argv[1:])
    if plots_ahead:  # matplotlib loads in a helper process while the options are parsed and the network trains
        from chainrule.plot_worker import PlotWorker

        PlotWorker.start_early()
    try:
        app()
    finally:
        if plots_ahead:
            PlotWorker.discard_early()


def run() -> None:
    """The ``chainrule`` command: :func:`main`, then leave without tearing the interpreter down.

    Unloading numpy, pydantic, rich and the rest takes ~0.2 s here, as long
    as a fifth of the learner's whole run; by the time :func:`main` returns
    every file is written and closed and the plot helper has exited, so only
    the output streams need flushing.  ``CHAINRULE_SLOW_EXIT=1`` exits the
    usual way (for profilers and coverage, which write their data at exit).
    """
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    if os.environ.get("CHAINRULE_SLOW_EXIT"):
        sys.exit(code)
    if code is not None and not isinstance(code, int):  # sys.exit("message") prints it
        print(code, file=sys.stderr)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, OSError):  # e.g. `chainrule train | head`: the reader left
        code = code or 1
    os._exit(code or 0)


def _plots_ahead(args: list[str]) -> bool:
    """Will this command line surely draw plots (``chainrule train`` without ``--no-plots``/``--help``)?"""
    return args[:1] == ["train"] and not {"--no-plots", "--help", "-h"} & set(args)


__all__ = ["app", "main", "run"]
