"""User-facing errors: one clear paragraph, an exit code, never a traceback.

Every module raises :class:`ChainruleError` (or a subclass) for a problem the
*user* can fix: a bad option, a bad file, a diverging run.  The CLI catches it,
prints ``error.message`` as one paragraph and exits with ``error.exit_code``.
"""

from __future__ import annotations


class ChainruleError(Exception):
    """A problem with the user's input, explained in one paragraph.

    Parameters
    ----------
    message : str
        What went wrong, where (file, line, option) and what to do about it.
    exit_code : int
        2 for bad input (the default), 1 for a run that failed (divergence,
        a wrong gradient found by ``check``).
    """

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class DivergenceError(ChainruleError):
    """Training produced a NaN or infinite loss."""

    def __init__(self, iteration: int, loss: float, step_size: float) -> None:
        self.iteration = iteration
        self.loss = loss
        super().__init__(
            f"Training diverged: the loss became {loss} at iteration {iteration} "
            f"(step size {step_size:g}). The updates were too large, so the weights "
            f"blew up. Try a smaller --step-size, e.g. {step_size / 10:g}, or add "
            f"--reg to keep the weights small.",
            exit_code=1,
        )


def bad_option(option: str, value: object, why: str) -> ChainruleError:
    """A ChainruleError for an invalid option value (exit code 2)."""
    return ChainruleError(f"Invalid value {value!r} for {option}: {why}")
