"""What the Train panel needs to run a learner's own script: read once from the checker's analysis.

This is the one place the live page reads the check package's :class:`~chainrule.check.analysis.Analysis`
(``analyse`` and ``narrate.report.build_report`` are the same calls ``chainrule.check.explain_script``
makes; the page keeps the analysis instead of dropping it).  From it, :func:`plan_of` takes:

* the training loop the checker found by behaviour (file, header line, last line of its body, and
  the outermost loop around it in the same function: an epoch loop around mini-batches);
* the parameters by the names the learner writes (``parameters["W1"]``, ``dense1.weights``), and
  their values at the start of the analysed iteration (the child checks it reads the same);
* the loss by its name and statement, with its analysed value (the child finds which of two ways
  of reading it reproduces that value in the first iteration);
* the forward pass as a :class:`~chainrule.serve.scriptmodel.ScriptModel` (the data, the labels,
  the boundary, the accuracy, an inferred loss).

Nothing here runs the script: :mod:`.scripttrainer` starts the child that does.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

import numpy as np

from chainrule.data import Dataset
from chainrule.report import Report
from chainrule.serve.scriptmodel import ScriptModel
from chainrule.serve.scriptpaths import Unreadable, compile_path


@dataclass
class ScriptPlan:
    """One script's training, as the child follows it and the page draws it."""

    path: str
    name: str
    loop: tuple[str, int, int]  # file, header line, last line of the body
    span: tuple[int, int]  # lines of the outermost loop around it in the same function
    params: list[str]
    start: list[np.ndarray]
    loss: dict[str, Any] = field(default_factory=dict)  # name, file, lines, reference
    model: Optional[ScriptModel] = None
    why: str = ""  # why the script cannot be streamed at all ("" when it can)
    files: list[str] = field(default_factory=list)  # the learner's other files its lines run in

    @property
    def streamable(self) -> bool:
        return not self.why

    @property
    def boundary(self) -> str:
        """``weights`` (the page evaluates the MLP), ``grid`` (the server replays the forward) or ``none``."""
        m = self.model
        return "none" if m is None or not m.grid_ok else "weights" if m.mlp else "grid"

    @property
    def boundary_note(self) -> str:
        m = self.model
        if self.boundary == "weights":
            hidden = len(m.mlp[1]) - 1
            act = {"relu": "ReLU", "leaky_relu": "leaky ReLU"}.get(m.mlp[0], m.mlp[0])
            kind = (f"{hidden} {act} hidden layer{'s' if hidden > 1 else ''}" if hidden else "one linear layer")
            return (f"The page draws the boundary from the streamed weights: your network is a plain MLP "
                    f"({kind}), and chainrule checked that it gives your script's own output.")
        if self.boundary == "grid":
            return "The boundary is your script's own forward pass, replayed by chainrule on a grid of points."
        why = m.why if m is not None else "chainrule could not replay your forward pass"
        return f"No boundary: {why}; the panel shows the loss curve only."

    @property
    def loss_note(self) -> str:
        """Where the loss curve's numbers come from, when not from the script's own loss."""
        m = self.model
        if self.loss.get("reference") is not None:
            return ""
        if m is not None and m.inferred_loss is not None:
            return ("Your script computes no loss: the curve is the loss chainrule inferred from your "
                    "backward pass, on the examples of the analysed iteration, once per frame.")
        return "chainrule could not read your script's loss, so there is no loss curve."

    def dataset(self) -> Dataset:
        m = self.model
        if m is None or m.X is None or m.labels is None:
            return Dataset(np.zeros((0, 2)), np.zeros(0, np.int64), self.name, 2, [], ["0", "1"])
        k = m.classes()
        return Dataset(m.X, m.labels.astype(np.int64), self.name, k, [], [str(i) for i in range(k)])

    def sizes(self) -> list[int]:
        """Units per layer, inputs first, as the forward pass uses the weights ([] when not a chain of layers)."""
        m = self.model
        return m.sizes() if m is not None and not (m.grid_ok and not m.mlp) else []

    def child_plan(self, seed: int, memory_mb: float, cpu_seconds: float) -> dict[str, Any]:
        """The JSON header of the child's ``plan`` message (the starting weights go as its arrays)."""
        return {"type": "plan", "path": self.path, "seed": seed, "loop_file": self.loop[0],
                "loop_header": self.loop[1], "loop_end": self.loop[2], "loop_span": list(self.span),
                "params": self.params, "loss": self.loss, "parent": os.getpid(),
                "memory_mb": memory_mb, "cpu_seconds": cpu_seconds}


def _span(tree: Optional[ast.Module], node: ast.stmt, end: int) -> tuple[int, int]:
    """The outermost ``for``/``while`` around ``node`` in the same function (``node`` itself if none)."""
    best = (node.lineno, end)

    def walk(owner: ast.AST, loops: list) -> bool:
        nonlocal best
        for child in ast.iter_child_nodes(owner):
            if child is node:
                if loops:
                    best = (loops[0].lineno, max(best[1], loops[0].end_lineno or end))
                return True
            inner = [] if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)) \
                else loops + [child] if isinstance(child, (ast.For, ast.While, ast.AsyncFor)) else loops
            if walk(child, inner):
                return True
        return False

    if tree is not None:
        walk(tree, [])
    return best


def _loss(a: Any) -> dict[str, Any]:
    info = a.loss
    if info.inferred or info.node is None or not info.name:
        return {}
    try:
        compile_path(info.name)
    except Unreadable:
        return {}
    ref = np.asarray(info.node.value, dtype=float)
    st = a.run.files.info(info.file).statement(info.line) if info.file else None
    lines = [st.lineno, st.end_lineno or st.lineno] if st is not None else [info.line, info.line]
    return {"name": info.name, "file": info.file, "lines": lines,
            "reference": float(ref.reshape(-1)[0]) if ref.size == 1 else None}


def plan_of(a: Any) -> ScriptPlan:
    """The plan of an analysed script (see the module docstring)."""
    tr, g = a.run.tracer, a.graph
    loop = tr.train_loop
    name = os.path.basename(a.script.path)
    params = [p.name for p in g.params]
    start = [np.asarray(p.leaf.value, dtype=float) for p in g.params]
    if loop is None:  # the script raised inside its first iteration: the Step panel shows the line
        return ScriptPlan(a.script.path, name, ("", 0, 0), (0, 0), params, start, model=None,
                          why="your script stops with an error in its first iteration (the line the Step "
                              "panel marks), so it cannot train; fix that line and start chainrule serve again")
    span = _span(a.run.files.info(loop.file).tree, loop.node, loop.end)
    plan = ScriptPlan(a.script.path, name, (loop.file, loop.header, loop.end), span, params, start, _loss(a))
    plan.files = sorted({n.site.file for n in g.nodes if n.site is not None} - {a.script.path})
    try:
        for p in params:
            compile_path(p)
    except Unreadable:
        plan.why = ("chainrule names a parameter of your script in a way it cannot read back while the "
                    "script runs")
    if loop.end == loop.header:
        plan.why = "your training loop is written on one line, so chainrule cannot tell its iterations apart"
    try:
        plan.model = ScriptModel(a)
    except Exception as exc:  # a corner of the record the replay does not know: no boundary, still a loss
        plan.model = None
        plan.loss.setdefault("note", f"{type(exc).__name__}")
    return plan


def analyse_script(path: Union[str, Path], seed: int = 0, timeout: float = 60.0) -> tuple[Report, ScriptPlan]:
    """``chainrule.check.explain_script(path)``'s Report, and the plan to stream the script's training."""
    from chainrule.check.analysis import analyse
    from chainrule.check.limits import memory_limit
    from chainrule.check.narrate.report import build_report

    with memory_limit(None, str(path)):
        a = analyse(str(path), seed=seed, timeout=timeout)
        report = build_report(a)
        report.cells = list(a.script.cells)
        plan = plan_of(a)
    return report, plan
