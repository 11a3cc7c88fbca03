"""Shared CLI plumbing: friendly errors (also as JSON), Ctrl-C, option checks, console objects.

Commands stay thin: they parse options, call one library function and hand
the result to a renderer.  Every user-facing problem is a
:class:`chainrule.errors.ChainruleError`, printed here as one paragraph on
stderr (and, when the command was given ``--json``, as
``{"error": {...}}`` on stdout).  Ctrl-C outside the training loop becomes
one line naming what was being done (:func:`stage`), exit code 130.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
import textwrap
from typing import Callable, Iterator, TypeVar

import typer

from chainrule.errors import ChainruleError, Interrupted, TrainingInterrupted, bad_option  # noqa: F401
from chainrule.config import parse_int_list  # noqa: F401  (re-exported)

F = TypeVar("F", bound=Callable)
_STAGES: list[str] = []  # what the command is doing now, innermost last (for the Ctrl-C line)
_FAILED_IN: list[str] = []  # the stages an exception left, innermost first


def print_error(message: str) -> None:
    """One paragraph on stderr, wrapped to the terminal, prefixed ``error:``."""
    width = 100
    try:
        import shutil

        width = max(60, min(100, shutil.get_terminal_size().columns))
    except Exception:  # pragma: no cover - no terminal
        pass
    words = [ln for ln in message.split("\n") if not ln.startswith("    ")]
    code = [ln.rstrip() for ln in message.split("\n") if ln.startswith("    ")]  # a quoted line and its caret
    text = "\n".join([textwrap.fill("error: " + " ".join(" ".join(words).split()), width=width), *code])
    try:
        print(text, file=sys.stderr, flush=True)
    except (BrokenPipeError, OSError):  # pragma: no cover - stderr closed
        pass


def print_json_error(error: ChainruleError) -> None:
    """``{"error": {"code", "message", ...}}`` on stdout, one line."""
    try:
        print(json.dumps(error.to_json(), ensure_ascii=False), flush=True)
    except (BrokenPipeError, OSError):  # pragma: no cover - the reader left
        pass


@contextlib.contextmanager
def stage(what: str) -> Iterator[None]:
    """``with stage("loading the data"):`` names the work a Ctrl-C would interrupt."""
    _STAGES.append(what)
    try:
        yield
    except BaseException:
        _FAILED_IN.append(what)  # innermost first: the friendly wrapper names _FAILED_IN[0]
        raise
    finally:
        _STAGES.pop()


def fail(error: ChainruleError, as_json: bool) -> typer.Exit:
    """Print ``error`` (paragraph on stderr, JSON on stdout if asked); the Exit to raise."""
    print_error(error.message)
    if as_json:
        print_json_error(error)
    return typer.Exit(error.exit_code)


def friendly(func: F) -> F:
    """Turn ChainruleError into a one-paragraph message and its exit code.

    With ``as_json=True`` among the command's options the error is also
    printed as JSON on stdout.  Ctrl-C becomes :class:`Interrupted` (exit
    130) naming the current :func:`stage`.  Anything else that escapes is a
    bug in chainrule: say so in one paragraph (exit 3) rather than dumping a
    traceback, unless ``CHAINRULE_DEBUG`` is set.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        as_json = bool(kwargs.get("as_json"))
        _FAILED_IN.clear()
        try:
            return func(*args, **kwargs)
        except TrainingInterrupted as exc:  # a command that trains on the way (explain's section 4)
            raise fail(Interrupted(f"Interrupted (Ctrl-C) while training the network, at iteration "
                                   f"{exc.result.iterations_done} of {exc.result.config.iterations}; nothing "
                                   f"was written."), as_json) from None
        except ChainruleError as exc:
            raise fail(exc, as_json) from None
        except (typer.Exit, typer.Abort):
            raise
        except KeyboardInterrupt:
            where = (_FAILED_IN or _STAGES or [f"running chainrule {func.__name__}"])[0]
            raise fail(Interrupted(f"Interrupted (Ctrl-C) while {where}; nothing was written."),
                       as_json) from None
        except MemoryError:
            raise fail(ChainruleError("Out of memory. Try fewer --points or a smaller --hidden size."),
                       as_json) from None
        except Exception as exc:  # a bug of ours: still no traceback for the learner
            if os.environ.get("CHAINRULE_DEBUG"):
                raise
            raise fail(ChainruleError(
                f"chainrule hit an internal error ({type(exc).__name__}: {exc}). This is a bug in chainrule, "
                "not in your input; rerun with CHAINRULE_DEBUG=1 to see the traceback and please report it.",
                exit_code=3), as_json) from None

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
