"""``chainrule check``: which line of a learner's backprop is which gradient, and is it right?

Public API::

    check_script(path, iteration=1, seed=0, timeout=60.0) -> CheckResult
    explain_script(path, iteration=1, seed=0, timeout=60.0) -> chainrule.report.Report

Both raise :class:`chainrule.errors.ChainruleError` (exit code 2) for a script
that cannot be analysed.
"""

from __future__ import annotations

from chainrule.check.narrate.result import CheckResult

ENGINE_VERSION = 2  # 1: statements matched by their text; 2: the script's execution recorded


def check_script(path, iteration: int = 1, seed: int = 0, timeout: float = 60.0) -> CheckResult:
    """Run the script up to the end of iteration ``iteration`` of its training loop and judge every backward line."""
    from chainrule.check.analysis import analyse
    from chainrule.check.narrate.result import from_analysis

    return from_analysis(analyse(str(path), iteration=iteration, seed=seed, timeout=timeout))


def explain_script(path, iteration: int = 1, seed: int = 0, timeout: float = 60.0):
    """The learner's own script as a :class:`chainrule.report.Report` for the explain renderers."""
    from chainrule.check.analysis import analyse
    from chainrule.check.narrate.report import build_report

    return build_report(analyse(str(path), iteration=iteration, seed=seed, timeout=timeout))


__all__ = ["CheckResult", "ENGINE_VERSION", "check_script", "explain_script"]
