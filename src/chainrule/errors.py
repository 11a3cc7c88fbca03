"""User-facing errors: one clear paragraph, an exit code, never a traceback.

Every module raises :class:`ChainruleError` (or a subclass) for a problem the
*user* can fix: a bad option, a bad file, a diverging run.  The CLI catches it,
prints ``error.message`` as one paragraph on stderr (and, with ``--json``,
``error.to_json()`` on stdout) and exits with ``error.exit_code``.

Exit codes (the same everywhere, documented in the README and ``--help``):

====  ==========================================================
0     all right
1     the run failed: a wrong line found by ``check``, divergence
2     bad input: an option, a file, a script chainrule cannot read
3     an internal error (a bug in chainrule)
130   interrupted (Ctrl-C)
====  ==========================================================

``ChainruleError`` subclasses :class:`ValueError`, so library users can catch
either.
"""

from __future__ import annotations

from typing import Any, Optional

OK, FAILED, BAD_INPUT, INTERNAL, INTERRUPTED = 0, 1, 2, 3, 130


class ChainruleError(ValueError):
    """A problem with the user's input, explained in one paragraph.

    Parameters
    ----------
    message : str
        What went wrong, where (file, line, option) and what to do about it.
    exit_code : int
        2 for bad input (the default), 1 for a run that failed (divergence,
        a wrong gradient found by ``check``), 130 for an interrupt.
    option, file, line : optional
        Where the problem is: the command-line option (``"--step-size"``), the
        file (a path as the user wrote it) and the line (1-based) in it.  They
        travel into the machine-readable error of ``--json``.
    """

    def __init__(self, message: str, exit_code: int = BAD_INPUT, *, option: Optional[str] = None,
                 file: Optional[str] = None, line: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.option = option
        self.file = file
        self.line = line

    def to_json(self) -> dict[str, Any]:
        """``{"error": {"code", "message", "option"|"file"|"line"}}`` (only the places that are known)."""
        body: dict[str, Any] = {"code": self.exit_code, "message": " ".join(self.message.split())}
        for key in ("option", "file", "line"):
            val = getattr(self, key)
            if val is not None:
                body[key] = val
        return {"error": body}


class BadType(ChainruleError, TypeError):
    """A library caller passed the wrong kind of value (``hidden="a"``, ``train({...})``).

    Both a :class:`ChainruleError` (so a ``ValueError``, exit code 2) and a
    ``TypeError``, so either ``except`` catches it.
    """


class Interrupted(ChainruleError):
    """The user pressed Ctrl-C; ``message`` says where the work stopped (exit code 130)."""

    def __init__(self, message: str, **where: Any) -> None:
        super().__init__(message, exit_code=INTERRUPTED, **where)


class TrainingInterrupted(Interrupted):
    """Ctrl-C during training: the loop stopped at the end of an iteration.

    ``result`` is the :class:`chainrule.training.TrainResult` of the
    ``iterations_done`` iterations that ran (weights, history, final loss).
    """

    def __init__(self, result: Any) -> None:
        self.result = result
        done, total = result.iterations_done, result.config.iterations
        super().__init__(f"Interrupted (Ctrl-C) at iteration {done} of {total} of the training "
                         f"(the {done} iterations trained so far are kept).")


class DivergenceError(ChainruleError):
    """Training produced a NaN or infinite loss."""

    def __init__(self, iteration: int, loss: float, step_size: float, hint: str = "") -> None:
        self.iteration = iteration
        self.loss = loss
        super().__init__(
            f"Training diverged: the loss became {loss} at iteration {iteration} "
            f"(step size {step_size:g}). The updates were too large, so the weights "
            f"blew up. Try a smaller --step-size, e.g. {step_size / 10:g}, or add "
            f"--reg to keep the weights small." + (f" {hint}" if hint else ""),
            exit_code=FAILED,
        )


def bad_option(option: str, value: object, why: str) -> ChainruleError:
    """A ChainruleError for an invalid option value (exit code 2), naming the option."""
    return ChainruleError(f"Invalid value {value!r} for {option}: {why}", option=option)
