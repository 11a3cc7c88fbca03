"""Run & record: execute the learner's script and record one iteration of its training loop.

``run_script`` (:mod:`.run`) runs the script as ``python script.py`` would, with numpy's
array-making functions patched (:mod:`.create`) so the learner's arrays are
:class:`~.traced.Traced`, and a line tracer (:mod:`.tracer`) that finds the training loop
by what its iterations do and stops the script after the analysed one.  The result is a
list of :class:`~.state.Node` — the operations of that iteration, in order — plus the
parameter updates, the names the script gave to values, and the arrays reachable at the
start and end of the iteration (:mod:`.frames`).
"""

from chainrule.check.record.run import Run, run_script
from chainrule.check.record.state import Node, Site

__all__ = ["Node", "Run", "Site", "run_script"]
