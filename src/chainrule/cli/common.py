"""Shared CLI plumbing: friendly errors, option parsing, console objects.

Commands stay thin: they parse options, call one library function and hand
the result to a renderer.  Every user-facing problem is a
:class:`chainrule.errors.ChainruleError`, printed here as one paragraph.
"""

from __future__ import annotations

import functools
import sys
import textwrap
from typing import Callable, TypeVar

import typer

from chainrule.errors import ChainruleError, bad_option  # noqa: F401  (re-exported)
from chainrule.config import parse_int_list  # noqa: F401  (re-exported)

F = TypeVar("F", bound=Callable)


def print_error(message: str) -> None:
    """One paragraph on stderr, wrapped to the terminal, prefixed ``error:``."""
    width = 100
    try:
        import shutil

        width = max(60, min(100, shutil.get_terminal_size().columns))
    except Exception:  # pragma: no cover - no terminal
        pass
    text = textwrap.fill("error: " + " ".join(message.split()), width=width)
    print(text, file=sys.stderr)


def friendly(func: F) -> F:
    """Turn ChainruleError into a one-paragraph message and its exit code.

    Anything else that escapes is a bug in chainrule: say so in one paragraph
    (with the exception's type and text) rather than dumping a traceback,
    unless ``CHAINRULE_DEBUG`` is set.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        import os

        try:
            return func(*args, **kwargs)
        except ChainruleError as exc:
            print_error(exc.message)
            raise typer.Exit(exc.exit_code) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except MemoryError:
            print_error("Out of memory. Try fewer --points or a smaller --hidden size.")
            raise typer.Exit(1) from None
        except Exception as exc:  # a bug of ours: still no traceback for the learner
            if os.environ.get("CHAINRULE_DEBUG"):
                raise
            print_error(f"chainrule hit an internal error ({type(exc).__name__}: {exc}). "
                        "This is a bug in chainrule, not in your input; rerun with "
                        "CHAINRULE_DEBUG=1 to see the traceback and please report it.")
            raise typer.Exit(3) from None

    return wrapper  # type: ignore[return-value]


def is_tty() -> bool:
    return sys.stdout.isatty()


def announce_compile(engine: str, config=None) -> None:
    """On the first run after installing, say on a terminal why the fast engine takes a while (stderr).

    ``config``: the run about to start (default: the learner's network).
    """
    if engine != "fast" or not sys.stderr.isatty():
        return
    try:
        from chainrule.fast.cache import is_cold
    except ImportError:  # numba missing: the reference engine is used, nothing compiles
        return
    if is_cold(config):
        print("note: compiling chainrule's fast training kernel once (about 10-20 s on this first run); "
              "later runs load the compiled kernel from disk in milliseconds.", file=sys.stderr)
