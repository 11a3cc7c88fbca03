"""Assemble the :class:`~chainrule.report.Report` of the learner's network.

Order of work: read the learner's loop (:mod:`.source`), run it at full size
for shapes (:mod:`.forward`), build the tiny example (:mod:`.tiny`), write and
run the notebook's setup, textbook-proof and check cells (:mod:`.proof`,
:mod:`.bridge`) — the report's numbers are what those cells computed — then the
textbook forms (:mod:`chainrule.notation`), the graph (:mod:`.graph`), the
pitfalls and, optionally, train the full network for the last section (its
plots drawn meanwhile by :class:`chainrule.plot_worker.PlotWorker`).
"""

from __future__ import annotations

import importlib.util
from typing import Callable, Optional

import numpy as np

from chainrule.config import TrainConfig
from chainrule.explain.bridge import build_bridge, proof_cells
from chainrule.explain.content import PREACT, StepSpec, spec_for
from chainrule.explain.forward import forward_chain, full_size, value
from chainrule.explain.graph import build_graph
from chainrule.explain.pitfalls import all_pitfalls
from chainrule.explain.proof import check_code, keeps_for, kink_sentence, run_proof, setup_code
from chainrule.explain.source import setup_statements, split_loop
from chainrule.explain.tiny import Tiny, build_tiny
from chainrule.explain.training_code import training_code
from chainrule.explain.words import GLOSSARY, INTRO, sign_sentence
from chainrule.learner import SOURCE
from chainrule.notation import NOTATIONS, Quantity, fill_textbook
from chainrule.report import GlossaryEntry, Report, Step, Training

TITLE = "Your backprop, line by line"

#: The learner's names and their place in the network (for the textbooks and the graph).
QUANTITIES: dict[str, Quantity] = {
    "X": Quantity("a", 0, "X"), PREACT: Quantity("z", 1, "Z"), "hidden_layer": Quantity("a", 1, "H"),
    "scores": Quantity("z", 2, "S"), "probs": Quantity("a", 2, "P"),
    "W": Quantity("W", 1, "W"), "b": Quantity("b", 1, "b"),
    "W2": Quantity("W", 2, "W₂"), "b2": Quantity("b", 2, "b₂"),
}

SCRIPT_HINT = ("Your own script gets the same walkthrough: `chainrule explain my_script.py`. "
               "To find a wrong line, run `chainrule check my_script.py`.")


def _fmt(text: str, sizes: dict[str, object]) -> str:
    """Fill the ``⟨N⟩``-style placeholders of :mod:`.content`."""
    for key, val in sizes.items():
        text = text.replace(f"⟨{key}⟩", str(val))
    return text


def _message(spec: StepSpec, tiny: Tiny) -> str:
    if spec.truth is None:
        return ("Nothing to check yet. `dscores` is still P, and the same array as `probs`. "
                "The gradient is complete two lines later.")
    note = kink_sentence(tiny) if spec.truth in keeps_for(tiny) else ""
    if spec.holds == "update":
        return (f"The step moved `{spec.truth}` by exactly −`step_size` times ∂L/∂`{spec.truth}`."
                + (" " + note if note else ""))
    return note


def build_steps(tiny: Tiny, full_shapes, sizes, extra: tuple[str, ...] = ()):
    """One Step per backward statement, with the numbers from running the cells.

    Returns ``(steps, setup code, namespace, proof result)``; ``extra`` cells
    (the textbook proofs) run after the setup and before the check cells.
    """
    forward, backward = split_loop()
    specs = [spec_for(s.code) for s in backward]
    setup = setup_code(tiny, forward)
    cells = [check_code(spec, tiny) for spec in specs]
    proof = run_proof(setup, specs, cells, extra)
    sizes = dict(sizes)  # ⟨sign⟩: dscores after `/= N` (step 3) and P right after `dscores = probs`
    sizes["sign"] = sign_sentence(proof.after[2]["dscores"], proof.after[0]["dscores"], tiny.y)
    steps = []
    for k, (stmt, spec) in enumerate(zip(backward, specs)):
        err_fd, err_ad = proof.errors[k]
        values = [value(spec.labels.get(e, e), a, spec.notes.get(e, "before this line" if e == stmt.writes else ""))
                  for e, a in proof.before[k].items()]
        values += [value(spec.labels.get(e, e), a,
                         spec.after_notes.get(e, "after this line" if e == stmt.writes else ""))
                   for e, a in proof.after[k].items()]
        factor = {"1": 1.0, "N": float(sizes["N"]), None: None}[spec.factor]
        ok = spec.truth is None or (err_fd is not None and err_fd < 1e-7 and err_ad < 1e-7)
        steps.append(Step(
            code=stmt.code, writes=stmt.writes or "", holds=spec.holds,  # type: ignore[arg-type]
            gradient_of=spec.gradient_of, factor=factor, title=spec.title,
            holds_text=_fmt(spec.holds_text, sizes), formula_latex=spec.formula_latex,
            index_latex=spec.index_latex, formula_text=spec.formula_text,
            chain=_fmt(spec.chain, sizes), shape_reason=_fmt(spec.shape_reason, sizes),
            shapes=full_shapes[k], formula_keys=list(spec.formula_keys), values=values,
            rel_error_fd=err_fd, rel_error_autodiff=err_ad, check_code=cells[k],
            line=stmt.line, message=_message(spec, tiny), ok=bool(ok)))
    return steps, setup, proof.forward_namespace, proof  # forward values as the forward pass left them


def _probs(proof) -> np.ndarray:
    """The tiny example's probabilities (P before the learner's lines change them)."""
    S = proof.namespace["scores"]
    e = np.exp(S - S.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def build_training(seed: int = 0, progress: Optional[Callable[[int], None]] = None,
                   worker=None) -> Training:
    """Train the full default network (h=1000, 3000 iterations) and draw its plots.

    ``worker``: a :class:`chainrule.plot_worker.PlotWorker` started before the
    work began (matplotlib loads in it meanwhile); without one, or if it fails,
    the plots are drawn here.  The history gets one more entry, the end of
    training (iteration 3000, the final loss), so the plot and the text agree.
    """
    from chainrule.plot_worker import BOUNDARY_PNG, LOSS_PNG, PlotSpec, render_pngs
    from chainrule.training import train

    engine = "fast" if importlib.util.find_spec("chainrule.fast") is not None else "reference"
    config = TrainConfig(seed=seed, engine=engine)
    try:
        result = train(config, progress=progress)
    except BaseException:
        if worker is not None:
            worker.close()
        raise
    spec = PlotSpec.of(result)
    spec.iterations.append(config.iterations)
    spec.losses.append(float(result.final_loss))
    spec.accuracies.append(float(result.train_accuracy))
    pngs = None
    if worker is not None:
        pngs = worker.pngs() if worker.submit(spec) else None
        worker.close()
    if pngs is None:
        pngs = render_pngs(spec)
    return Training(
        iterations=[int(i) for i in spec.iterations], losses=[float(x) for x in spec.losses],
        accuracies=[float(a) for a in spec.accuracies], final_loss=float(result.final_loss),
        train_accuracy=float(result.train_accuracy), seconds=float(result.seconds),
        loss_png=pngs.get(LOSS_PNG, b""), boundary_png=pngs.get(BOUNDARY_PNG, b""))


def _network_text(N: int, D: int, h: int, K: int, tiny: Tiny) -> str:
    return (f"Your network has {N} points in {K} classes ({N // K} each) and {D} inputs. It has "
            f"{h} hidden units with ReLU, then softmax and cross-entropy. It trains with step size "
            f"1.0 for 3000 passes.\n\n"
            f"The tiny example has N = {tiny.N} points, h = {tiny.h} hidden units and "
            f"K = {tiny.K} classes. Your own lines compute every number in it. Its points come "
            f"from your spiral without the centre point. Its weights are random numbers of "
            f"size about 1 (numpy seed {tiny.seed}), so that the numbers are easy to read. "
            + ("Every hidden unit is active for some points and not for others. "
               if tiny.info.get("level", 0) >= 2 else "") +
            f"The shapes in the text are those of your full network: N = {N}, D = {D}, "
            f"h = {h}, K = {K}.")


def build_report(tiny: tuple[int, int, int] = (4, 3, 2), seed: int = 0, train: bool = True,
                 progress: Optional[Callable[[int], None]] = None, notation: str = "code",
                 plot_worker: bool = False) -> Report:
    """The whole walkthrough of the learner's network as a Report.

    Parameters
    ----------
    tiny : (N, h, K)
        Size of the tiny example whose every matrix is printed (N points in
        total, N a multiple of K with at least 2 points per class).
    seed : int
        Seed of the legacy random stream of the full network (data, then W,
        then W2), as ``np.random.seed(seed)`` in front of the learner's script;
        the tiny example starts its search for an informative seed here.
    train : bool
        Also train the full-size network for the last section.
    progress : callable, optional
        Called with the number of finished training iterations.
    notation : str
        ``"code"``, ``"nielsen"`` or ``"ng"``: the symbols the renderers use
        (every notation is in the report either way).
    plot_worker : bool
        Draw the training plots in a forked helper that loads matplotlib while
        the rest of the work runs (the command line does; a notebook need not fork).
    """
    if notation not in NOTATIONS:
        from chainrule.errors import bad_option

        raise bad_option("--notation", notation, f"choose one of {', '.join(NOTATIONS)}")
    worker = None
    if train and plot_worker:
        from chainrule.plot_worker import PlotWorker

        worker = PlotWorker.claim()
    try:
        report = _analyse(tiny, seed)
    except BaseException:
        if worker is not None:
            worker.close()
        raise
    report.notation = notation
    if train:
        report.training = build_training(seed, progress, worker)
    return report


def _analyse(tiny: tuple[int, int, int], seed: int) -> Report:
    tiny_inst = build_tiny(tiny, seed)
    full_ns, full_shapes = full_size(seed)
    N, D = full_ns["X"].shape
    h, K = full_ns["W2"].shape
    sizes = {"N": N, "D": D, "h": h, "K": K, "tN": tiny_inst.N}
    _, backward = split_loop()
    cells = tuple(proof_cells(backward))
    steps, setup, tiny_ns, proof = build_steps(tiny_inst, full_shapes, sizes, cells)
    fill_textbook(steps, QUANTITIES)
    x_stmt = next(s for s in setup_statements() if s.code.startswith("X, y ="))
    forward = forward_chain(full_ns, tiny_ns, (x_stmt.code, x_stmt.line))
    pitfalls, kinks = all_pitfalls(tiny_inst, _probs(proof))
    kinks += [{"row": int(r), "unit": int(j), "z": float(tiny_ns["Z"][r, j]), "excluded_from_proof": True}
              for r, j in zip(*np.nonzero(tiny_inst.at_kink))]
    network: dict[str, object] = {
        "N": N, "D": D, "h": h, "K": K, "activation": "relu", "loss": "softmax cross-entropy",
        "points_per_class": N // K, "step_size": 1.0, "iterations": 3000, "seed": seed,
        "tiny": {"N": tiny_inst.N, "D": tiny_inst.D, "h": tiny_inst.h, "K": tiny_inst.K,
                 "seed": tiny_inst.seed},
    }
    report = Report(title=TITLE, intro=INTRO, network=network, source=SOURCE, forward=forward,
                    steps=steps, pitfalls=pitfalls, setup_code=setup, kinks=kinks,
                    glossary=[GlossaryEntry(t, m) for t, m in GLOSSARY],
                    network_text=_network_text(N, D, h, K, tiny_inst), script_hint=SCRIPT_HINT,
                    training_code=training_code(seed))
    report.bridge = build_bridge(steps, list(cells), proof.extra_printed, proof.extra_namespaces)
    report.graph = build_graph(report, QUANTITIES)
    return report
