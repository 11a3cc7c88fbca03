"""``chainrule`` command line: thin Typer commands over the library.

Each command has its own module (``train``, ``explain``, ``check``, ``bench``);
importing it registers the command on :data:`chainrule.cli.app.app`.
"""

from __future__ import annotations

import importlib
import importlib.util

from chainrule.cli.app import app

COMMANDS = ("train", "explain", "check", "bench")

for _name in COMMANDS:
    if importlib.util.find_spec(f"chainrule.cli.{_name}") is not None:
        importlib.import_module(f"chainrule.cli.{_name}")


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["app", "main"]
