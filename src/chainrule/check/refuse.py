"""What chainrule cannot analyse, said in one paragraph with the line (exit code 2).

Crashes and timeouts before the analysed iteration, scripts with no training loop, a loop
whose analysed iteration updates nothing, scripts whose gradients come from torch / jax /
autograd / tensorflow, recurrent and convolutional networks, NaN or inf in the data or the
weights (naming the first line that produced one).
"""

from __future__ import annotations

import ast
import os
import sys
from typing import Optional

import numpy as np

from chainrule.check.record.run import Run
from chainrule.check.record.traced import Traced
from chainrule.errors import ChainruleError, Interrupted

SUPPORTED = ("chainrule follows numpy training scripts of fully connected networks: a loop (at top level, "
             "in a function or a method, in a helper module beside the script) whose iterations update "
             "numpy arrays — `W -= lr * dW`, `W = W - lr * dW`, `self.weights = [...]`, "
             "`parameters[\"W\" + str(l)] = ...`, momentum/RMSProp/Adam")
FRAMEWORKS = ("torch", "jax", "tensorflow", "autograd", "mxnet", "keras")


def interrupted(script, exc: Optional[BaseException], doing: str = "") -> Interrupted:
    """Ctrl-C (exit 130): in the learner's script, with its file and line, or while chainrule was ``doing`` it."""
    where = getattr(exc, "chainrule_where", None) if exc is not None else None
    if where is None:
        what = f"{doing} of {_name(script)}" if doing else f"running {_name(script)}"
        return Interrupted(f"Interrupted (Ctrl-C) while {what}; no verdict was given.", file=_name(script))
    f, ln = where
    rel = os.path.relpath(f, os.path.dirname(script.path))
    place = f"{rel}, {script.place(ln)}" if f == script.path else f"{rel}, line {ln}"
    it = getattr(exc, "chainrule_iteration", None)
    loop = f", in iteration {it} of its training loop" if it else ""
    where_kw = {"file": rel, "line": script.where(ln)[1] if f == script.path else ln}
    return Interrupted(f"Interrupted (Ctrl-C) while your script was running, at {place}{loop}; no verdict was "
                       f"given.", **where_kw)


def _name(script) -> str:
    return os.path.basename(script.path)


def _line_of(script, run: Run) -> str:
    if run.error_where is None:
        return ""
    f, ln = run.error_where
    info = run.files.info(f)
    where = script.place(ln) if f == script.path else f"{os.path.basename(f)}, line {ln}"
    text = info.line_text(ln)
    return f"{where}" + (f" (`{text}`)" if text else "")


def _frameworks(run: Run) -> list[str]:
    used = []
    for fw in FRAMEWORKS:
        if fw in sys.modules:
            for info in run.files._info.values():
                if info.tree is not None and any(
                        isinstance(n, (ast.Import, ast.ImportFrom)) and
                        any((a.name if isinstance(n, ast.Import) else (n.module or "")).split(".")[0] == fw
                            for a in (n.names if isinstance(n, ast.Import) else [n]))
                        for n in ast.walk(info.tree)):
                    used.append(fw)
                    break
    return used


GRAD_CALLS = ("grad", "backward", "value_and_grad", "GradientTape", "elementwise_grad", "jacobian", "vjp", "jvp")


def before_run(script) -> None:
    """Gradients computed by a framework (torch, jax, tensorflow, autograd) are not the learner's lines."""
    fws, calls = set(), set()
    for n in ast.walk(script.tree):
        if isinstance(n, ast.Import):
            fws |= {a.name.split(".")[0] for a in n.names if a.name.split(".")[0] in FRAMEWORKS}
        elif isinstance(n, ast.ImportFrom) and (n.module or "").split(".")[0] in FRAMEWORKS:
            fws.add((n.module or "").split(".")[0])
            calls |= {a.name for a in n.names if a.name in GRAD_CALLS}
        elif isinstance(n, ast.Attribute) and n.attr in GRAD_CALLS:
            calls.add(n.attr)
        elif isinstance(n, ast.Name) and n.id in GRAD_CALLS:
            calls.add(n.id)
    if fws and calls:
        fw = sorted(fws)[0]
        raise ChainruleError(f"{_name(script)}: the gradients here come from {fw} (`{sorted(calls)[0]}`), not from "
                             f"numpy lines of your own; chainrule checks hand-written backpropagation. {SUPPORTED}.")


def after_run(script, run: Run, iteration: int, timeout: float) -> None:
    tr = run.tracer
    name = _name(script)
    if run.timed_out:
        stage = ("in an iteration before the analysed one" if tr.mode == "skip" and tr.train is not None
                 else "before reaching an iteration that updates its parameters")
        raise ChainruleError(f"{name}: the script ran for more than {timeout:g} s {stage}. Make the set-up "
                             f"smaller or raise --timeout.", option="--timeout")
    in_window = tr.mode in ("analyse", "done") or (tr.mode == "search" and run.error is not None
                                                 and _looks_like_training(run))
    if run.error is not None and not in_window:
        from chainrule.check.narrate.errors import plain_error

        stage = ("in an iteration before the analysed one" if tr.train is not None
                 else "before reaching its training loop")
        raise ChainruleError(f"{name}, {_line_of(script, run)}: the script crashed {stage}: "
                             f"{plain_error(run.error)}. Fix this line and run the check again.",
                             file=script.path, line=run.error_where[1] if run.error_where else None)
    if run.error is not None:
        return  # an error inside the analysed iteration: reported as that line's verdict
    if tr.train is None:
        fw = _frameworks(run)
        if fw:
            raise ChainruleError(f"{name}: the gradients here come from {fw[0]}, not from numpy lines of your "
                                 f"own; chainrule checks hand-written backpropagation. {SUPPORTED}.")
        ended = f" (it ended with {run.exited})" if run.exited else ""
        classes = [n.name for info in run.files._info.values() if info.tree is not None
                   for n in ast.walk(info.tree) if isinstance(n, ast.ClassDef)]
        hint = (f" The script defines a class (`{classes[0]}`): make sure it also runs the training, e.g. "
                f"`net.train(...)` at the end, as `python {name}` would.") if classes else ""
        raise ChainruleError(f"{name}: no training loop found{ended}. chainrule ran the script and found no "
                             f"loop whose iterations update parameters, e.g. `W += -step_size * dW`.{hint} "
                             f"{SUPPORTED}.")
    loop = tr.train_loop
    where = script.place(loop.header) if loop.file == script.path else \
        f"{os.path.basename(loop.file)}, line {loop.header}"
    count = tr.train.count if tr.train else 0
    if tr.mode != "done" or (tr.first_update_iteration or 0) > iteration:
        if tr.first_update_iteration and tr.first_update_iteration > iteration:
            raise ChainruleError(f"{name}: iteration {iteration} of the training loop ({where}) updates no "
                                 f"parameter; the first update happens in iteration "
                                 f"{tr.first_update_iteration}. Choose --iteration "
                                 f"{tr.first_update_iteration}.", option="--iteration")
        raise ChainruleError(f"{name}: the training loop ({where}) ran only {max(count - 1, 0)} iterations; "
                             f"choose --iteration {max(1, count - 1)} or less.", option="--iteration")
    if not tr.updates:
        raise ChainruleError(f"{name}: iteration {iteration} of the training loop ({where}) updates no "
                             f"parameter ({tr.end_reason}). Choose another --iteration.", option="--iteration")


def no_loss(script, g, info) -> None:
    """Neither a loss nor the network's output and targets: nothing to differentiate."""
    if info.kind != "none":
        return
    raise ChainruleError(f"{_name(script)}: no loss found. The analysed iteration computes no loss (a single "
                         f"number such as `loss = np.mean(...)`), and chainrule found no place where the backward "
                         f"pass starts from the network's output and the targets (e.g. `error = y - output` or "
                         f"`dscores[range(N), y] -= 1`). Compute the loss in the loop, or check that the targets "
                         f"are part of the script's data. {SUPPORTED}.")


UPDATE_WORDS = ("update", "step", "train", "backward", "backprop", "fit", "sgd", "optimi", "descent", "learn")


def _looks_like_training(run: Run) -> bool:
    """A crash in a loop before any update: is one of the loops it happened in the training loop?

    The loops around every frame of the traceback are read: one that updates something
    (``W -= ...``, ``W = W - ...``) or calls something named like training (``update``, ``backprop``,
    ``train``, ``step`` ...) counts.
    """
    import traceback

    if run.error is None:
        return False
    for fs in traceback.extract_tb(run.error.__traceback__):
        if not run.files.is_user(fs.filename):
            continue
        info = run.files.info(fs.filename)
        for loop in info.loops.values():
            if not loop.header <= (fs.lineno or 0) <= loop.end:
                continue
            for n in ast.walk(ast.Module(loop.node.body, [])):
                if isinstance(n, ast.AugAssign) and isinstance(n.op, (ast.Add, ast.Sub)):
                    return True
                if isinstance(n, ast.Assign) and isinstance(n.value, ast.BinOp) and isinstance(n.value.op, (ast.Add, ast.Sub)) \
                        and ast.dump(n.value.left) in {ast.dump(t) for t in n.targets}:
                    return True
                if isinstance(n, ast.Call):
                    f = n.func
                    name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
                    if any(w in name.lower() for w in UPDATE_WORDS):
                        return True
    return False


def scalar_parameters(run: Run) -> list[str]:
    """Slots that held a Python number at the start and an array moved from it at the end (``b = b - lr*db``)."""
    tr = run.tracer
    if tr.start_scan is None or tr.end_scan is None:
        return []
    out = []
    for path, v in tr.start_scan.numbers.items():
        if isinstance(v, bool) or "." in path and not path.startswith("self."):
            continue
        now = tr.end_scan.arrays.get(path)
        n = now._cr_node if isinstance(now, Traced) else None
        if n is None or n.stale or n.op not in ("add", "subtract") or np.size(n.value) > 1 and n.value.ndim > 1:
            continue
        if any(not hasattr(x, "id") and isinstance(x, (int, float)) and x == v for x in n.args):
            out.append(path)
    return out


def after_graph(script, g) -> None:
    name = _name(script)
    _nan(script, g)
    for p in g.params:
        # h_t = tanh(W h_{t-1} + ...): W itself (not W.T, as in a backward pass) applied again to what it made
        uses = [n for n in g.nodes if n.op in ("matmul", "dot") and any(
            getattr(x, "obj", None) == p.leaf.obj and getattr(x, "op", "") != "transpose" for x in n.args[:2])]
        chain = 1
        for u, v in zip(uses, uses[1:]):
            if np.shape(u.value) == np.shape(v.value) and u.id in g.ancestors([v]):
                chain += 1
                if chain >= 3:
                    raise ChainruleError(
                        f"{name}: `{p.name}` is applied again to its own output within one iteration (a "
                        f"recurrent network); chainrule does not check recurrent networks (RNNs) yet. {SUPPORTED}.")
            else:
                chain = 1
    conv = next((n for n in g.nodes if n.op in ("correlate", "convolve", "as_strided", "sliding_window_view",
                                                "correlate2d", "convolve2d")), None)
    if conv is not None:
        raise ChainruleError(f"{name}: convolutions ({conv.op}, {script.place(conv.site.line) if conv.site else ''})"
                             f" are not supported; chainrule checks fully connected networks. {SUPPORTED}.")


def _nan(script, g) -> None:
    name = _name(script)
    for n in g.nodes:
        v = n.value
        if not isinstance(v, np.ndarray) or v.dtype.kind not in "fc" or np.isfinite(v).all():
            continue
        if g.is_input(n):
            label = g.label(n)
            raise ChainruleError(f"{name}: `{label}` already contains NaN or inf when the analysed iteration "
                                 f"starts (in the data or the weights made before it). Fix where `{label}` is "
                                 f"made or loaded; chainrule cannot judge gradients of NaN.")
        ins = [m for m in n.inputs() if isinstance(m.value, np.ndarray) and m.value.dtype.kind in "fc"]
        if all(np.isfinite(m.value).all() for m in ins):
            where = script.place(n.site.line) if n.site and n.site.file == script.path else \
                (f"{os.path.basename(n.site.file)}, line {n.site.line}" if n.site else "?")
            text = g.run.files.info(n.site.file).statement_text(n.site.line) if n.site else ""
            raise ChainruleError(f"{name}, {where} (`{text}`): `{g.label(n)}` produces NaN or inf from finite "
                                 f"numbers (an overflow, log(0), 0/0 ...). Fix this line (e.g. subtract the row "
                                 f"maximum before np.exp, or add a small epsilon inside np.log); chainrule "
                                 f"cannot judge gradients of NaN.", file=script.path,
                                 line=n.site.line if n.site else None)
