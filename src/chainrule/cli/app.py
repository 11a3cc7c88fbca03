"""The Typer application object; each command lives in its own module beside this one.

:class:`ChainruleGroup` runs every command line (also under
``typer.testing.CliRunner``) and prints Typer's own usage errors (an unknown
option, ``--loss mse``, ``--points abc``) the way chainrule prints its own:
one paragraph on stderr starting ``error:``, exit code 2, and with ``--json``
the JSON error on stdout as well.
"""

from __future__ import annotations

import sys
from typing import Any, Optional, Sequence

import typer
from typer.core import TyperGroup

try:  # typer >= 0.26 vendors click
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover - older typer with click
    from click import exceptions as click_exceptions

EXIT_CODES = ("Exit codes: 0 all right · 1 the run failed (a wrong line found by check, divergence) · "
              "2 bad input (an option, a file, a script) · 3 internal error (a bug in chainrule) · "
              "130 interrupted (Ctrl-C).")


class ChainruleGroup(TyperGroup):
    """The ``chainrule`` group: usage errors as one ``error:`` paragraph (and JSON with ``--json``)."""

    def main(self, args: Optional[Sequence[str]] = None, prog_name: Optional[str] = None,
             complete_var: Optional[str] = None, standalone_mode: bool = True, **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        try:
            code = super().main(args=argv, prog_name=prog_name, complete_var=complete_var,
                                standalone_mode=False, **extra)
        except click_exceptions.ClickException as exc:  # usage errors, mostly
            if not standalone_mode:
                raise
            code = usage_error(exc, argv)
        except typer.Abort:
            if not standalone_mode:
                raise
            print("error: aborted.", file=sys.stderr)
            code = 1
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)


def usage_error(exc: "click_exceptions.ClickException", argv: list[str]) -> int:
    """Print a Typer/click usage error as chainrule does; its exit code (2)."""
    from chainrule.cli.common import print_error, print_json_error
    from chainrule.errors import ChainruleError

    if type(exc).__name__ == "NoArgsIsHelpError":  # `chainrule` alone: the help was printed
        return 0
    ctx = getattr(exc, "ctx", None)
    names = []  # the sub-command names, whatever the program was called (`python -m chainrule` too)
    while ctx is not None and ctx.parent is not None:
        names.insert(0, ctx.info_name)
        ctx = ctx.parent
    command = " ".join(["chainrule", *names])
    param = getattr(exc, "param", None)
    option = None
    if param is not None and getattr(param, "opts", None):
        option = max(param.opts, key=len)
    message = " ".join(exc.format_message().replace("Value error, ", "").split()).rstrip(".")
    error = ChainruleError(f"{message}. Run `{command} --help` to see every option and its allowed values.",
                           exit_code=exc.exit_code, option=option)
    print_error(error.message)
    if "--json" in argv:
        print_json_error(error)
    return error.exit_code


app = typer.Typer(
    name="chainrule",
    cls=ChainruleGroup,
    help="Which line of my backprop code is which formula, and is it right?\n\n"
         "Run, explain and check numpy neural networks, line by line.\n\n" + EXIT_CODES,
    no_args_is_help=True,
    add_completion=True,
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
