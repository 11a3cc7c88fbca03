"""``chainrule check``: which line of a learner's backprop is which gradient, and is it right?

Public API::

    check_script(path, iteration=1, seed=0, timeout=60.0, max_memory=None) -> CheckResult
    explain_script(path, iteration=1, seed=0, timeout=60.0, max_memory=None) -> chainrule.report.Report

Both raise :class:`chainrule.errors.ChainruleError` (exit code 2) for a script
that cannot be analysed.
"""

from __future__ import annotations

from typing import Optional

from chainrule.check.narrate.result import CheckResult

ENGINE_VERSION = 2  # 1: statements matched by their text; 2: the script's execution recorded


def check_script(path, iteration: int = 1, seed: int = 0, timeout: float = 60.0,
                 max_memory: Optional[float] = None) -> CheckResult:
    """Run the script up to the end of iteration ``iteration`` of its training loop and judge every backward line.

    ``max_memory``: megabytes the check may use on top of what the process uses already (default: 90 % of
    the available memory); beyond it, a :class:`ChainruleError` instead of the out-of-memory killer.
    """
    from chainrule.check.analysis import analyse
    from chainrule.check.limits import memory_limit
    from chainrule.check.narrate.result import from_analysis

    with memory_limit(max_memory, str(path)):
        return from_analysis(analyse(str(path), iteration=iteration, seed=seed, timeout=timeout))


def explain_script(path, iteration: int = 1, seed: int = 0, timeout: float = 60.0,
                   max_memory: Optional[float] = None):
    """The learner's own script as a :class:`chainrule.report.Report` for the explain renderers."""
    from chainrule.check.analysis import analyse
    from chainrule.check.limits import memory_limit
    from chainrule.check.narrate.report import build_report

    from chainrule.check.refuse import interrupted

    with memory_limit(max_memory, str(path)):
        a = analyse(str(path), iteration=iteration, seed=seed, timeout=timeout)
        try:
            return build_report(a)
        except KeyboardInterrupt:
            raise interrupted(a.script, None, "writing the walkthrough") from None


__all__ = ["CheckResult", "ENGINE_VERSION", "check_script", "explain_script"]
