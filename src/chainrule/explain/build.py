"""Assemble the :class:`~chainrule.report.Report` of the learner's network.

Order of work: read the learner's loop (:mod:`.source`), run it at full size
for shapes (:mod:`.forward`), build the tiny example (:mod:`.tiny`), write and
run the notebook's setup and check cells (:mod:`.proof`) — the report's
numbers are what those cells computed — then the pitfalls and, optionally,
train the full network (:func:`chainrule.training.train`) for section 4.
"""

from __future__ import annotations

import importlib.util
from typing import Callable, Optional

import numpy as np

from chainrule.config import TrainConfig
from chainrule.explain.content import INTRO, StepSpec, spec_for
from chainrule.explain.forward import forward_chain, full_size, value
from chainrule.explain.pitfalls import all_pitfalls
from chainrule.explain.proof import keeps_for, check_code, kink_sentence, run_proof, setup_code
from chainrule.explain.source import setup_statements, split_loop
from chainrule.explain.tiny import Tiny, build_tiny
from chainrule.learner import SOURCE
from chainrule.report import Report, Step, Training

TITLE = "Your backprop, line by line"


def _fmt(text: str, sizes: dict[str, int]) -> str:
    """Fill the ``⟨N⟩``-style placeholders of :mod:`.content` with the network's sizes."""
    for key, val in sizes.items():
        text = text.replace(f"⟨{key}⟩", str(val))
    return text


def _message(spec: StepSpec, tiny: Tiny, errors) -> str:
    if spec.truth is None:
        return ("nothing to check yet: dscores is still P (and the very same array as probs); "
                "the gradient is complete two lines later")
    note = kink_sentence(tiny) if spec.truth in keeps_for(tiny) else ""
    if spec.holds == "update":
        return (f"the step moved {spec.truth} by exactly −step_size × ∂L/∂{spec.truth}" +
                (". " + note if note else ""))
    return note


def build_steps(tiny: Tiny, full_shapes, sizes) -> tuple[list[Step], str, dict]:
    """One Step per backward statement, with the numbers from running the check cells."""
    forward, backward = split_loop()
    specs = [spec_for(s.code) for s in backward]
    setup = setup_code(tiny, forward)
    cells = [check_code(spec, tiny) for spec in specs]
    proof = run_proof(setup, specs, cells)
    keeps = keeps_for(tiny)
    steps = []
    for k, (stmt, spec) in enumerate(zip(backward, specs)):
        err_fd, err_ad = proof.errors[k]
        values = [value(e, a, "before this line" if e == stmt.writes else spec.notes.get(e, ""))
                  for e, a in proof.before[k].items()]
        values += [value(e, a, spec.notes.get(e, "after this line" if e == stmt.writes else ""))
                   for e, a in proof.after[k].items()]
        kink_note = (" " + kink_sentence(tiny)
                     if spec.truth in keeps and spec.holds != "update" else "")
        factor = {"1": 1.0, "N": float(sizes["N"]), None: None}[spec.factor]
        ok = spec.truth is None or (err_fd is not None and err_fd < 1e-7 and err_ad < 1e-7)
        steps.append(Step(
            code=stmt.code, writes=stmt.writes or "", holds=spec.holds,  # type: ignore[arg-type]
            gradient_of=spec.gradient_of, factor=factor, title=spec.title,
            holds_text=_fmt(spec.holds_text, sizes), formula_latex=spec.formula_latex,
            index_latex=spec.index_latex, formula_text=spec.formula_text,
            chain=_fmt(spec.chain, sizes) + kink_note,
            shape_reason=_fmt(spec.shape_reason, sizes),
            shapes=full_shapes[k], formula_keys=list(spec.formula_keys), values=values,
            rel_error_fd=err_fd, rel_error_autodiff=err_ad, check_code=cells[k],
            line=stmt.line, message=_message(spec, tiny, proof.errors[k]), ok=bool(ok)))
    return steps, setup, proof.namespace


def build_training(seed: int = 0, progress: Optional[Callable[[int], None]] = None) -> Training:
    """Train the full default network (h=1000, 3000 iterations) and draw its plots."""
    from chainrule import plots
    from chainrule.training import train

    engine = "fast" if importlib.util.find_spec("chainrule.fast") is not None else "reference"
    result = train(TrainConfig(seed=seed, engine=engine), progress=progress)
    its = [int(r["iteration"]) for r in result.history]
    losses = [float(r["loss"]) for r in result.history]
    accs = [float(r["accuracy"]) for r in result.history]
    return Training(
        iterations=its, losses=losses, accuracies=accs, final_loss=float(result.final_loss),
        train_accuracy=float(result.train_accuracy), seconds=float(result.seconds),
        loss_png=plots.loss_curve_png(its, losses, accs),
        boundary_png=plots.decision_boundary_png(result.predict, result.data.X, result.data.y))


def build_report(tiny: tuple[int, int, int] = (4, 3, 2), seed: int = 0, train: bool = True,
                 progress: Optional[Callable[[int], None]] = None) -> Report:
    """The whole walkthrough of the learner's network as a Report.

    Parameters
    ----------
    tiny : (N, h, K)
        Size of the tiny example whose every matrix is printed (N points in
        total, N a multiple of K with at least 2 points per class).
    seed : int
        Seed of the legacy random stream (data, then W, then W2), as
        ``np.random.seed(seed)`` in front of the learner's script.
    train : bool
        Also train the full-size network for section 4 (about 15 s with the
        reference engine); ``False`` leaves ``report.training`` as None.
    progress : callable, optional
        Called with the number of finished training iterations.
    """
    tiny_inst = build_tiny(tiny, seed)
    full_ns, full_shapes = full_size(seed)
    N, D = full_ns["X"].shape
    h, K = full_ns["W2"].shape
    sizes = {"N": N, "D": D, "h": h, "K": K, "tN": tiny_inst.N}
    steps, setup, tiny_ns = build_steps(tiny_inst, full_shapes, sizes)
    x_stmt = next(s for s in setup_statements() if s.code.startswith("X, y ="))
    forward = forward_chain(full_ns, tiny_ns, (x_stmt.code, x_stmt.line))
    probs_before = np.exp(tiny_ns["scores"]) / np.exp(tiny_ns["scores"]).sum(axis=1, keepdims=True)
    pitfalls, kinks = all_pitfalls(tiny_inst, probs_before)
    kinks += [{"pass": tiny_inst.pass_index, "row": int(r), "unit": int(j),
               "z": float(tiny_ns["Z"][r, j]), "excluded_from_proof": True}
              for r, j in zip(*np.nonzero(tiny_inst.at_kink))]
    network = {
        "N": N, "D": D, "h": h, "K": K, "activation": "relu", "loss": "softmax cross-entropy",
        "points_per_class": N // K, "step_size": 1.0, "iterations": 3000, "seed": seed,
        "tiny": {"N": tiny_inst.N, "D": tiny_inst.D, "h": tiny_inst.h, "K": tiny_inst.K,
                 "pass": tiny_inst.pass_index, "origin_rows": tiny_inst.origin_rows,
                 "dead_units": tiny_inst.dead_units},
    }
    intro = INTRO + (
        f"\n\nThe tiny example is your network with N = {tiny_inst.N} points, h = {tiny_inst.h} "
        f"hidden units and K = {tiny_inst.K} classes, run by your own lines; its numbers are "
        f"those of pass i = {tiny_inst.pass_index} of your loop (on pass 0, b = 0 puts the "
        "origin rows exactly on the ReLU's kink: see the pitfalls). Shapes are those of your "
        f"full network: N = {N}, D = {D}, h = {h}, K = {K}.")
    training = build_training(seed, progress) if train else None
    return Report(title=TITLE, intro=intro, network=network, source=SOURCE, forward=forward,
                  steps=steps, pitfalls=pitfalls, training=training, setup_code=setup,
                  kinks=kinks)
