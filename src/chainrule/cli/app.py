"""The Typer application object; each command lives in its own module beside this one."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="chainrule",
    help="Which line of my backprop code is which formula, and is it right?\n\n"
         "Run, explain and check numpy neural networks, line by line.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        from chainrule import __version__

        typer.echo(f"chainrule {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """Which line of my backprop code is which formula, and is it right?"""
