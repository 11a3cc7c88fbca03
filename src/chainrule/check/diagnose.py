"""Diagnoses in the learner's terms: factors, masks, activation derivatives, regularisation, updates."""

from __future__ import annotations

import ast
from typing import Optional

import numpy as np

from chainrule.check.compare import _align, describe_factor, fit, tolerance
from chainrule.check.dataflow import reads, writes

ACT_KEYS = {"relu": "relu.backward", "leaky_relu": "leaky_relu.backward", "tanh": "tanh.backward",
            "sigmoid": "sigmoid.backward"}


def _d(label: str) -> str:
    return f"∂L/∂{label}" if " " not in label and "(" not in label else f"∂L/∂({label})"


def _fname(node: ast.AST) -> str:
    if isinstance(node, ast.Call):
        f = node.func
        return f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
    return ""


def _is_const(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) or (isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant))


def activation_of(node: ast.AST) -> Optional[tuple[str, ast.AST]]:
    """(kind, input node) when ``node`` is an activation applied to an input."""
    name = _fname(node)
    if name in ("maximum", "fmax") and len(node.args) == 2:
        x, y = node.args
        if _is_const(x):
            return "relu", y
        if _is_const(y):
            return "relu", x
        if isinstance(x, ast.BinOp) and isinstance(x.op, ast.Mult):
            return "leaky_relu", y
        if isinstance(y, ast.BinOp) and isinstance(y.op, ast.Mult):
            return "leaky_relu", x
    if name == "tanh" and node.args:
        return "tanh", node.args[0]
    if name in ("expit", "sigmoid") and node.args:
        return "sigmoid", node.args[0]
    if name == "where" and len(node.args) == 3 and isinstance(node.args[0], ast.Compare):
        if isinstance(node.args[2], ast.BinOp) or isinstance(node.args[2], ast.Constant):
            kind = "relu" if isinstance(node.args[2], ast.Constant) else "leaky_relu"
            return kind, node.args[1]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and _is_const(node.left):
        den = node.right
        if isinstance(den, ast.BinOp) and isinstance(den.op, ast.Add):
            for part in (den.left, den.right):
                if _fname(part) == "exp" and part.args and isinstance(part.args[0], ast.UnaryOp):
                    return "sigmoid", part.args[0].operand
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult) and isinstance(node.right, ast.Compare):
        return "relu", node.left
    return None


def activations(a) -> list[tuple]:
    """[(A quantity, B quantity, kind)]: A = act(B) in the forward pass."""
    if not a.grads:
        return []
    qs = a.grads.quantities
    out = []
    text = a.plan.script.text
    for q in qs:
        node, _ = a.grads.forward_nodes.get(q.key, (None, None))
        if node is None or not q.named:
            continue
        act = activation_of(node if not isinstance(node, ast.stmt) else getattr(node, "value", node))
        if not act:
            continue
        kind, x = act
        label = " ".join((ast.get_source_segment(text, x) or ast.unparse(x)).split())
        if isinstance(x, ast.Name):
            label = a.show(x.id)
        cands = [p for p in qs if p.label == label and p.g0 is not None and p.g0.shape == q.g0.shape]
        if cands:
            out.append((q, cands[-1] if not cands[-1].is_param else cands[0], kind))
    return out


def _hyp_match(V, H) -> bool:
    if H is None or V is None:
        return False
    A, tr = _align(np.asarray(V, dtype=float), H)
    if A is None or tr:
        return False
    r = fit(A, H, H)
    return r is not None and abs(r[0] - 1) < 1e-6 and r[1] < tolerance(V)


def activation_diag(a, L, value) -> Optional[str]:
    for A, B, kind in activations(a):
        if value is None or not isinstance(value, np.ndarray) or value.size != B.g0.size:
            continue
        U, Av, Bv = A.g0, A.value, B.value
        rule = ACT_KEYS[kind]
        hyps = {"missing": U}
        if kind in ("relu", "leaky_relu"):
            hyps["inverted"] = U * (Bv <= 0)
            hyps["inverted"] = U * (Bv <= 0)
        if kind == "tanh":
            hyps.update({"1-h": U * (1 - Av), "1-z2": U * (1 - Bv ** 2), "sig": U * Av * (1 - Av)})
        if kind == "sigmoid":
            hyps.update({"1-h": U * (1 - Av), "h": U * Av, "tanh": U * (1 - Av ** 2)})
        H, Z = A.label, B.label
        for h, arr in hyps.items():
            if _hyp_match(value, arr):
                from chainrule.formulas import get
                formula = get(rule).text
                if h == "missing":
                    return (f"{L.writes} still holds {_d(H)}, the gradient *after* the {kind}: the "
                            f"{kind} derivative is missing (should be {_d(Z)}; {formula})")
                if h == "inverted":
                    return (f"the ReLU mask is inverted: it keeps the gradient where {Z} ≤ 0 and zeroes "
                            f"it where the unit was on ({formula})")
                wrong = {"1-h": "1 − H", "1-z2": "1 − Z² (the input instead of the output)",
                         "sig": "H(1 − H) (sigmoid's derivative)", "h": "H",
                         "tanh": "1 − H² (tanh's derivative)"}[h]
                return (f"wrong {kind} derivative: this line multiplies by {wrong}; the rule is "
                        f"{formula} with H = {H}")
    return None


def counterfactual(a, L, rec, target) -> Optional[str]:
    """Would this line be right if an input held ∂L/∂(pre-activation) instead of ∂L/∂(activation)?"""
    if target is None:
        return None
    ns = {**{k: v for k, v in a.trace.ns.items() if callable(v) or type(v).__name__ == "module"},
          **a.trace.start, **rec.before}
    for A, B, kind in activations(a):
        for name in reads(rec.stmt.node):
            v = rec.before.get(name)
            if not isinstance(v, np.ndarray) or not _hyp_match(v, A.g0):
                continue
            trial = dict(ns)
            trial[name] = B.g0.reshape(v.shape)
            try:
                exec(compile(ast.Module([rec.stmt.node], []), "<cr>", "exec"), trial)
            except Exception:
                continue
            w = writes(rec.stmt.node)[0]
            if _hyp_match(trial.get(w), target.g0) or _reg_part(trial.get(w), target):
                from chainrule.formulas import get
                return (f"`{a.show(name)}` holds {_d(A.label)} (after the {kind}), but this line needs "
                        f"{_d(B.label)}: the {kind} derivative is missing before this line "
                        f"({get(ACT_KEYS[kind]).text})")
    return None


def _reg_part(value, target) -> bool:
    """value = ∂L/∂P minus a multiple of P (the data part, the regularisation added later)."""
    if not isinstance(value, np.ndarray) or value.size != target.g0.size:
        return False
    R = value.reshape(target.g0.shape) - target.g0
    P = np.asarray(target.value, dtype=float)
    pp = float(np.sum(P * P))
    if pp == 0:
        return False
    alpha = float(np.sum(R * P)) / pp
    return bool(np.linalg.norm(R - alpha * P) <= 1e-6 * max(np.linalg.norm(target.g0), 1e-300))


def reg_diag(a, L, target) -> Optional[str]:
    if target is None or not target.is_param or L.value is None:
        return None
    V, tr = _align(np.asarray(L.value, dtype=float), target.g0)
    if V is None or tr:
        return None
    R = V - target.g0
    P = np.asarray(target.value, dtype=float)
    pp = float(np.sum(P * P))
    if pp == 0 or float(np.linalg.norm(R)) == 0:
        return None
    alpha = float(np.sum(R * P)) / pp
    if np.linalg.norm(R - alpha * P) > 1e-6 * max(np.linalg.norm(R), 1e-300):
        return None
    regs = {k: float(v) for k, v in a.trace.start.items()
            if isinstance(v, (float, int)) and not isinstance(v, bool) and "reg" in k.lower() or k in ("lam", "lmbda", "lambd")}
    rname = next(iter(regs), "reg")
    P_ = target.label
    if alpha < 0:
        return (f"{L.writes} lacks the regularisation gradient: it is {_d(P_)} − {-alpha:g}·{P_}; add "
                f"`{L.writes} += {rname} * {P_}` (l2.backward: ∂R/∂W = λW)")
    return (f"{L.writes} has too much regularisation: it is {_d(P_)} + {alpha:g}·{P_} (the term is added "
            f"twice, or its factor is wrong; l2.backward: ∂R/∂W = λW)")


def no_effect(a, L, rec) -> str:
    node = rec.stmt.node
    comps = [n for n in ast.walk(node) if isinstance(n, ast.Compare)]
    msg = f"this line changes nothing: {L.writes} is the same before and after it"
    if comps:
        txt = ast.get_source_segment(a.plan.script.text, comps[0]) or ast.unparse(comps[0])
        msg += f" (`{txt}` is never true"
        for A, B, kind in activations(a):
            if A.label in txt and kind == "relu":
                msg += f": {A.label} = max(0, ·) is never negative; use `{A.label} <= 0` or `{B.label} <= 0`"
        msg += ")"
    diag = activation_diag(a, L, L.value)
    return msg + (f"; {diag}" if diag else "")


def intermediate_text(a, L, rec, lines) -> str:
    node = rec.stmt.node
    if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name) and isinstance(L.value, np.ndarray):
        src = a.show(node.value.id)
        return (f"{L.writes} holds {src} (not a gradient yet). It is the *same array* as {src}, not a "
                f"copy: the next in-place edits change {src} too (use `{src}.copy()` to keep it)")
    if L.closest is not None and L.closest.q.is_param:
        if L.closest.rel < 1e-6:
            return f"{L.writes} holds the data part of {_d(L.closest.q.label)}"
        missing = reg_diag(a, L, L.closest.q)
        if missing and "lacks the regularisation" in missing:
            P_ = L.closest.q.label
            return (f"{L.writes} holds the data-loss part of {_d(P_)}; the regularisation term "
                    f"(λ·{P_}, from l2.backward) is still to be added")
    if L.value is not None and isinstance(L.value, np.ndarray) and L.value.dtype == bool:
        return f"{L.writes} is a mask (not a gradient)"
    return f"{L.writes} holds an intermediate value, not yet a gradient"


def wrong_text(a, L, rec, final_param, lines) -> str:
    from chainrule.check.classify import ints_in

    target = a.grads.params.get(final_param) if (a.grads and final_param) else None
    if target is None and a.grads and L.index in a.aims:
        t2 = a.grads.params.get(a.aims[L.index])
        cf = counterfactual(a, L, rec, t2)
        if cf:
            return cf + "."
    parts = []
    # reads a parameter after its update?
    for name, j in a.flow.inputs(L.index).items():
        if j is not None and j in {u.index for u in a.updates}:
            parts.append(f"it reads {a.show(name)} after the update on line {lines[j].line}; compute every "
                         f"gradient before updating the parameters")
    if target is not None and L.match is not None and not L.match.transposed and L.match.q is target:
        short, cause = describe_factor(L.match.factor, ints_in(a.trace.start))
        parts.append(f"{L.writes} = {short} {_d(target.label)}: {cause}")
    for fn in (lambda: reg_diag(a, L, target), lambda: activation_diag(a, L, L.value),
               lambda: counterfactual(a, L, rec, target)):
        if not parts:
            t = fn()
            if t:
                parts.append(t)
    if not parts:
        if target is not None:
            r = None
            V, tr = _align(np.asarray(L.value, dtype=float), target.g0) if isinstance(L.value, np.ndarray) else (None, False)
            if V is None:
                parts.append(f"{L.writes} has shape {tuple(np.shape(L.value))} but {target.label} has "
                             f"shape {tuple(target.g0.shape)}")
            else:
                r = float(np.linalg.norm(V - target.g0) / max(np.linalg.norm(target.g0), 1e-300))
                parts.append(f"{L.writes} should be {_d(target.label)} but differs from it (relative error {r:.2g})")
                L.rel_error = r
        elif L.closest is not None:
            parts.append(f"{L.writes} matches no gradient; closest is {_d(L.closest.q.label)} "
                         f"(relative error {L.closest.rel:.2g})")
        else:
            parts.append(f"{L.writes} (shape {tuple(np.shape(L.value))}) matches no gradient of the loss")
    if target is not None:
        L.gradient_of = L.gradient_of or target.label
    return "; ".join(parts) + "."


def update_line(a, L, u) -> None:
    rec = a.trace.records[L.index]
    before, after = rec.before.get(u.param), rec.after.get(u.param)
    g = rec.before.get(u.grad) if u.grad else None
    L.writes = a.show(u.param)
    L.gradient_of = a.show(u.param)
    if before is None or after is None or g is None:
        L.verdict, L.ok, L.message = "wrong", False, "could not follow this update"
        return
    delta = np.asarray(after, dtype=float) - np.asarray(before, dtype=float)
    G, tr = _align(np.broadcast_to(np.asarray(g, dtype=float), delta.shape).copy()
                   if np.shape(g) != delta.shape and np.size(g) != delta.size else np.asarray(g, dtype=float), delta)
    r = fit(delta, G, G) if G is not None and not tr else None
    if r is None or r[1] > 1e-6:
        L.verdict, L.ok = "wrong", False
        L.message = (f"this update does not move {L.writes} along {a.show(u.grad)}: it should be "
                     f"`{L.writes} -= step_size * {a.show(u.grad)}`")
        return
    c = r[0]
    if c > 0:
        L.verdict, L.ok = "wrong", False
        fix = L.code.split("#")[0].strip()
        fix = fix.replace("+=", "-=", 1) if "+=" in fix else fix.replace("-= -", "-= ", 1) if "-= -" in fix \
            else f"{L.writes} -= step_size * {a.show(u.grad)}"
        L.message = (f"wrong sign: this adds +{c:g}·{a.show(u.grad)}, a step *up* the loss (gradient "
                     f"ascent); write `{fix}`")
        return
    L.factor = -c
    true = a.grads.params.get(u.param) if a.grads else None
    L.verdict = "update"
    m = None
    if true is not None:
        from chainrule.check.compare import compare
        m = compare(delta, true)
    if m is not None and not m.transposed and m.rel < 1e-6 and m.factor < 0:
        L.rel_error = m.rel
        L.message = f"{L.writes} ← {L.writes} − {-c:g}·{_d(L.writes)} (gradient descent) ✓"
    else:
        L.ok = False
        L.verdict = "wrong"
        L.message = (f"a descent step along {a.show(u.grad)}, but {a.show(u.grad)} is not "
                     f"{_d(L.writes)}, so this update is wrong too")


def kink_sides(a) -> None:
    if not a.grads:
        return
    for kink in a.grads.kinks:
        for L in a.lines:
            m = L.match
            if m is not None and m.kink_side is not None:
                kink["subgradient"] = {"0": 0, "1": 1}.get(m.kink_side, "mixed")
                kink["used_by_line"] = L.line
                break


def formula_keys(a, L) -> None:
    """Keys into chainrule.formulas for the pattern the line computes (if recognised)."""
    keys: list[str] = []
    if L.verdict == "update" or (L.index in {u.index for u in a.updates}):
        keys.append("update.gd")
    elif L.gradient_of and a.grads:
        q = next((q for q in a.grads.quantities if q.label == L.gradient_of), None)
        acts = {B.key: kind for A, B, kind in activations(a)}
        code = L.code
        if q is not None and q.key in acts:
            keys.append(ACT_KEYS[acts[q.key]])
        elif q is not None and q.is_param:
            if "reg" in code or ("+=" in code and q.label in code.split("+=")[1]):
                keys.append("l2.backward")
            elif "sum" in code or q.value.ndim == 2 and q.value.shape[0] == 1:
                keys.append("linear.db")
            else:
                keys.append("linear.dW")
        elif q is not None and _feeds_matmul_left(a, q):
            keys.append("linear.dX")
        elif q is not None and _is_scores(a, q):
            keys.append("hinge.backward" if _hinge(a) else "softmax_ce.backward")
    L.formula_keys = keys


def _feeds_matmul_left(a, q) -> bool:
    text = a.plan.script.text
    for k, (node, _) in a.grads.forward_nodes.items():
        if node is None:
            continue
        for n in ast.walk(node) if isinstance(node, ast.AST) else []:
            left = None
            if isinstance(n, ast.BinOp) and isinstance(n.op, ast.MatMult):
                left = n.left
            elif _fname(n) in ("dot", "matmul") and isinstance(n, ast.Call) and len(n.args) == 2:
                left = n.args[0]
            if left is not None:
                lab = a.show(left.id) if isinstance(left, ast.Name) else (ast.get_source_segment(text, left) or "")
                if lab == q.label:
                    return True
    return False


def _is_scores(a, q) -> bool:
    for k, (node, _) in a.grads.forward_nodes.items():
        if isinstance(node, ast.AST):
            for n in ast.walk(node):
                if _fname(n) == "exp" and n.args and q.label in ast.unparse(n.args[0]):
                    return True
    return _hinge(a) and q.named and "score" in q.label.lower()


def _hinge(a) -> bool:
    return "margin" in a.plan.script.text.lower() and "exp(" not in a.plan.script.text
