"""The check pipeline: run & record → graph → oracle → verdicts (narration reads the :class:`Analysis`).

:func:`analyse` is the one entry point; ``check_script`` and ``explain_script`` render its result.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

from chainrule.check import refuse
from chainrule.check.graph import Graph, Param, build
from chainrule.check.oracle import losses
from chainrule.check.oracle.truth import Truth
from chainrule.check.record import Run, run_script
from chainrule.check.record.files import FileInfo, UserFiles
from chainrule.check.record.state import Node
from chainrule.check.source import Script, load_script
from chainrule.check.verdict import acts as acts_mod
from chainrule.check.verdict import jacobians
from chainrule.check.verdict.judge import judge
from chainrule.check.verdict.lines import Line, backward64, build_lines
from chainrule.check.verdict.match import Candidate
from chainrule.errors import ChainruleError


@dataclass
class Analysis:
    script: Script
    run: Run
    graph: Graph
    loss: losses.LossInfo
    truth: Optional[Truth]
    values64: dict[int, Any] = field(default_factory=dict)
    candidates: list[Candidate] = field(default_factory=list)
    acts: list = field(default_factory=list)
    softmaxes: list = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    culprit: Optional[Line] = None
    notes: list[str] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)
    sign: int = 1  # -1: the script carries the negative gradient (error = y - out; W += ...)

    # ------------------------------------------------------------------ helpers for the stages
    @property
    def name(self) -> str:
        return os.path.basename(self.script.path)

    @property
    def ok(self) -> bool:
        return self.culprit is None and all(L.ok for L in self.lines)

    def label(self, n: Node) -> str:
        return self.graph.label(n)

    def place(self, L) -> str:
        return self.where(L.file, L.line)

    def where(self, file: str, line: int) -> str:
        if file == self.script.path:
            return self.script.place(line)
        return f"{os.path.relpath(file, os.path.dirname(self.script.path))}, line {line}"

    def param_candidate(self, p: Param) -> Optional[Candidate]:
        return next((q for q in self.candidates if q.key == p.leaf.id), None)

    def value_of_candidate(self, q: Optional[Candidate]) -> Any:
        if q is None or self.truth is None:
            return None
        return self.truth.values.get(q.key)

    def translate(self, node: Node) -> str:
        from chainrule.check.narrate.errors import explain_error

        return explain_error(self, node)

    def step_slope(self, p: Param) -> Optional[float]:
        """How the step moves against the gradient it is fed: ⟨step(G) − step(−G), G⟩ / (2⟨G, G⟩).

        −η for plain gradient descent; negative for every momentum, RMSProp or Adam step built right
        (their moments are odd in G, their caches even), positive for a step that climbs the loss.
        """
        if p.grad is None:
            return None
        G = np.asarray(self.values64.get(p.grad.id, p.grad.value), dtype=float)
        if p.clip is not None and np.any(G):  # probe inside the clipping bounds: the step's own rate
            G = G * min(1.0, 0.5 * min(-p.clip[0], p.clip[1]) / float(np.max(np.abs(G))))
        nodes = self.step_nodes(p)
        plus = self._final(nodes, p, {p.grad.id: G})
        minus = self._final(nodes, p, {p.grad.id: -G})
        if plus is None or minus is None or not np.any(G):
            return None
        Gb = np.broadcast_to(G, np.shape(plus)) if np.shape(G) != np.shape(plus) else G
        return float(np.sum(Gb * (plus - minus)) / (2 * np.sum(Gb * Gb)))

    def step_nodes(self, p: Param) -> list[Node]:
        """The optimizer's nodes from the gradient it is fed to the parameter's new value."""
        g = self.graph
        region = sorted(set(p.region) | {p.update.op.id, p.final.id}
                        | {i for i in g.ancestors([p.final]) if i >= p.update.op.id})
        return [g.by_id[i] for i in region if i in g.by_id and i > p.grad.id]

    def _final(self, nodes: list[Node], p: Param, env0: dict) -> Any:
        from chainrule.check.oracle.replay import Unreplayable, replay

        env = dict(env0)
        for n in nodes:
            for m in n.inputs():
                if m.id not in env and m.id in self.values64:
                    env[m.id] = self.values64[m.id]
        try:
            with np.errstate(all="ignore"):
                replay(nodes, np, env, is_input=lambda n: n.id < p.grad.id and self.graph.is_input(n))
        except Unreplayable:
            return None
        return np.asarray(env[p.final.id], dtype=float)


def _files(script: Script) -> UserFiles:
    info = FileInfo.parse(script.path, script.text, script.tree)
    return UserFiles(os.path.dirname(script.path), info)


def record(script: Script, iteration: int, seed: int, timeout: float) -> Run:
    files = _files(script)
    code = compile(script.tree, script.path, "exec")
    run = run_script(script.path, code, files, iteration=iteration, seed=seed, timeout=timeout)
    refuse.after_run(script, run, iteration, timeout)
    scalars = refuse.scalar_parameters(run)
    if scalars:  # b = 0.0 updated like an array: run again with it as a 0-d array from the analysed iteration on
        tr = run.tracer
        target = (tr.train_loop.file, tr.train_loop.header)
        files = _files(script)
        run = run_script(script.path, code, files, iteration=iteration, seed=seed, timeout=timeout,
                         scalars=frozenset(scalars), target=target)
        refuse.after_run(script, run, iteration, timeout)
    return run


def analyse(path, iteration: int = 1, seed: int = 0, timeout: float = 60.0) -> Analysis:
    if iteration < 1:
        raise ChainruleError(f"Invalid value {iteration} for --iteration: iterations count from 1.",
                             option="--iteration")
    if timeout <= 0:
        raise ChainruleError(f"Invalid value {timeout} for --timeout: give a number of seconds > 0.",
                             option="--timeout")
    script = load_script(path)
    refuse.before_run(script)
    try:
        run = record(script, iteration, seed, timeout)
    except KeyboardInterrupt as exc:  # Ctrl-C while the learner's script ran: say where it was
        raise refuse.interrupted(script, exc) from None
    try:
        with np.errstate(all="ignore"):  # overflow in chainrule's own sums is not the learner's business
            return _judge_run(script, run)
    except KeyboardInterrupt:
        raise refuse.interrupted(script, None, "checking the recorded iteration") from None


def _judge_run(script: Script, run: Run) -> Analysis:
    g = build(run)
    refuse.after_graph(script, g)
    info, truth = losses.oracle(g)
    refuse.no_loss(script, g, info)
    if info.inferred and info.output:  # the forward pass is what the network's output is computed from
        g.forward = g.ancestors(info.output) - g.optimizer
        g.backward = (g.needed - g.forward) & g.pdep
    a = Analysis(script, run, g, info, truth, notes=list(script.notes) + list(info.notes))
    a.sizes = _sizes(g)
    if truth is not None:
        a.candidates = _candidates(g, truth, losses.seeds(g) if not info.inferred else [])
        a.values64 = dict(truth.values)
        a.values64.update(backward64(g, truth.values))
        a.sign = _convention(a)
        a.acts = acts_mod.find(g, truth.values)
        a.softmaxes = jacobians.find(g, truth.values)
        if truth.mismatch:
            n, err = truth.mismatch[0]
            a.notes.append(f"chainrule's replay of `{g.label(n)}` ({a.where(n.site.file, n.site.line)}) differs "
                           f"from the script's own numbers (relative {err:.1e}); verdicts that depend on it "
                           f"are unsure")
        if truth.fd_error is not None and truth.fd_error > 1e-4:
            a.notes.append(f"finite differences disagree with autograd (relative error {truth.fd_error:.1e}); "
                           f"the verdicts below may be unreliable")
    a.lines = build_lines(g, a.values64)
    judge(a)
    raised = (run.error, *run.error_where) if run.error is not None and run.error_where else run.tracer.raised
    if raised is not None and g.failed is None and raised[0] is not None:
        exc, f, ln = raised  # raised after the lines above had run (a print, a plot): say so, judge them
        from chainrule.check.narrate.errors import plain_error
        a.notes.append(f"the script then raised at {a.where(f, ln)}: {plain_error(exc)}; the lines of the "
                       f"iteration before it are judged")
    if run.exited:
        a.notes.append(f"the script ended with {run.exited} in the analysed iteration")
    return a


def _convention(a: Analysis) -> int:
    """+1, or -1 when the script carries the negative gradient throughout (``error = y - out`` with ``W += ...``).

    Each parameter votes twice: with the sign of its gradient array against the true one, and with
    the direction its update takes along that array (``+=`` says the array is a negative gradient).
    Ties go to +1.
    """
    from chainrule.check.verdict.match import compare

    votes = 0
    for p in a.graph.params:
        q = a.param_candidate(p)
        if q is None:
            continue
        if p.grad is not None:
            m = compare(np.asarray(a.values64.get(p.grad.id, p.grad.value), dtype=float), q)
            if m is not None and m.rel < 1e-6:
                votes += 1 if m.factor > 0 else -1
            slope = a.step_slope(p)
            if slope:
                votes += 1 if slope < 0 else -1
        else:  # the gradient is written in the update line: `syn0 += l0.T.dot(l1_delta)` says l1_delta is −∂L
            votes += 2 * -p.sign * _scalar_sign(p.step)
    return -1 if votes < 0 else 1


def _scalar_sign(n: Node) -> int:
    """The sign of the constant factors in front of a step (``-lr * (...)`` -> -1, ``alpha * (...)`` -> +1)."""
    sign = 1
    while True:
        if n.op == "negative" and n.args and isinstance(n.args[0], Node):
            sign, n = -sign, n.args[0]
            continue
        if n.op in ("multiply", "divide") and len(n.args) == 2:
            arrays = [x for x in n.args if isinstance(x, Node) and np.size(x.value) > 1]
            consts = [x for x in n.args if x not in arrays]
            if len(arrays) == 1 and len(consts) == 1:
                c = consts[0]
                v = float(np.asarray(c.value if isinstance(c, Node) else c).ravel()[0])
                sign *= -1 if v < 0 else 1
                n = arrays[0]
                continue
        return sign


def _candidates(g: Graph, truth: Truth, seeds=()) -> list[Candidate]:
    """The true gradients a line may hold: parameters, and forward values up to the network's output
    (not the loss's own pieces after it: ∂L/∂(y − ŷ) is just −∂L/∂ŷ)."""
    after = set()
    outs = [o for o, _, _ in seeds]
    if outs:
        after = g.ancestors([g.loss]) - g.ancestors(outs) if g.loss is not None else set()
    out = []
    for p in g.params:
        g0, g1 = truth.g0.get(p.leaf.id), truth.g1.get(p.leaf.id)
        if g0 is not None:
            out.append(Candidate(p.leaf.id, p.name, np.asarray(g0, float), np.asarray(g1, float), True, True))
    for n in g.nodes:
        if n.id not in truth.values or n.id in {p.leaf.id for p in g.params} or n.is_leaf:
            continue
        if n.op in ("negative", "positive", "copy", "astype", "array") and n.id not in g.names:
            continue  # ∂L/∂(-x) is −∂L/∂x: a second name for a gradient already there
        if n.id in after and n.op in ("subtract", "add", "negative", "multiply"):
            continue
        if n.id not in g.forward and n.id not in truth.g0:
            continue
        g0 = truth.g0.get(n.id)
        if g0 is None:
            continue
        g1 = truth.g1.get(n.id, g0)
        out.append(Candidate(n.id, g.label(n), np.asarray(g0, float), np.asarray(g1, float), False,
                             n.id in g.names))
    return _dedupe(out)


def _dedupe(cands: list[Candidate]) -> list[Candidate]:
    """``X @ W`` and ``X @ W + b`` have one gradient: compare with it once, under the better name."""
    rank = lambda q: (q.is_param, q.named, len(q.label))  # noqa: E731
    groups: list[list[Candidate]] = []
    for q in cands:
        for grp in groups:
            r = grp[0]
            if r.g0.shape == q.g0.shape and (r.g0 is q.g0 or (r.g1 is r.g0) == (q.g1 is q.g0) and
                                             np.array_equal(r.g0, q.g0) and np.array_equal(r.g1, q.g1)):
                grp.append(q)
                break
        else:
            groups.append([q])
    keep = {id(max(grp, key=rank)) for grp in groups}
    return [q for q in cands if id(q) in keep]


def _sizes(g: Graph) -> dict[str, int]:
    """Integers the script names (num_examples = 800), then unnamed sizes of the data (len(X))."""
    out: dict[str, int] = {}
    for k, v in g.numbers.items():
        if isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v > 2 and "[" not in k:
            out.setdefault(k, int(v))
    named = dict(sorted(out.items(), key=lambda kv: (kv[0] not in ("num_examples", "N", "n", "m"), kv[0])))
    for n in g.nodes:
        if not g.is_input(n) or n.id not in g.names or not isinstance(n.value, np.ndarray) or n.value.ndim != 2:
            continue
        k = g.names[n.id]
        if not k.lower().lstrip("_").startswith(("x", "data", "input", "a0", "l0", "train")):
            continue
        for label, size in ((f"len({k})", n.value.shape[0]), (f"{k}.shape[1]", n.value.shape[1])):
            if size > 2 and size not in named.values():
                named[label] = int(size)
    return named
