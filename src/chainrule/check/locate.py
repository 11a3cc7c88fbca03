"""Find the training loop and the way to reach it; inline small helper functions.

The training loop is a ``for``/``while`` whose body contains parameter update
statements (``W += -step*dW``, ``W -= lr*dW``, ``W = W - lr*dW``).  It may be
at top level, nested in an epoch loop, or inside a function called at top
level (also through one more function, e.g. ``main()`` -> ``train()``).
Helper functions called from the loop body (``scores = forward(X, W)``) are
inlined with their local names renamed, so that each of their lines is
analysed like a line of the loop.  A helper that returns (changed) the
variable it is given and assigned back to (``parameters = update_parameters(
parameters, grads, lr)``, ``W, b = update(W, b, dW, db, lr)``) is inlined on the
caller's variables, so that its updates count as the loop's updates (see
``_update_helper``; ``W1 = parameters["W1"]`` ... ``parameters = {"W1": W1}``
is turned into updates of ``parameters["W1"]``).
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass, field
from typing import Optional

from chainrule.check.source import Script
from chainrule.errors import ChainruleError

SUPPORTED = ("supported styles: a top-level training loop, a loop inside a function that the "
             "script calls, forward/backward/update helper functions called from the loop "
             "(`parameters = update_parameters(parameters, grads, lr)`, `W, b = update(W, b, dW, db, lr)`); plain numpy "
             "arrays as parameters (W, b, W2, ...) updated with `W += -step*dW`, `W -= lr*dW` or "
             "`W = W - lr*dW`, or kept in a dict with string-literal keys (`model[\"W1\"] += -step*grads[\"W1\"]`; "
             "computed keys such as `parameters[\"W\" + str(l)]` are not supported)")

Path = list  # [(list_of_stmts, index), ...] from the outermost level down


@dataclass
class Stmt:
    """One statement of the analysed iteration (possibly from an inlined helper)."""

    node: ast.stmt  # what runs (local names of helpers renamed)
    line: int
    code: str  # the learner's text
    internal: bool = False  # argument binding of an inlined helper: not shown
    helper: Optional[str] = None


@dataclass
class Plan:
    script: Script
    module_path: Path  # to the loop, or to the statement calling the function chain
    calls: list = field(default_factory=list)  # [(FunctionDef, Call, Path inside the function)]
    loop: ast.stmt = None  # type: ignore[assignment]
    body: list[Stmt] = field(default_factory=list)
    display: dict[str, str] = field(default_factory=dict)  # renamed -> learner's name


def is_update(stmt: ast.stmt) -> Optional[str]:
    """The parameter name if ``stmt`` looks like a gradient-descent update."""
    from chainrule.check.dictkeys import key_of, synthetic

    t = stmt.target if isinstance(stmt, ast.AugAssign) else \
        stmt.targets[0] if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 else None
    kk = key_of(t) if t is not None else None
    if kk:  # model["W1"] += -step * dW1: a dict-held parameter
        d, k = kk
        name = synthetic(d, k)

        class _R(ast.NodeTransformer):
            def visit_Subscript(self, node):
                return ast.Name(synthetic(*key_of(node)), node.ctx) if key_of(node) else self.generic_visit(node)

        return name if is_update(_R().visit(copy.deepcopy(stmt))) == name else None
    if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name) \
            and isinstance(stmt.op, (ast.Add, ast.Sub)):
        names = {n.id for n in ast.walk(stmt.value) if isinstance(n, ast.Name)}
        if names - {stmt.target.id}:
            return stmt.target.id
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        t = stmt.targets[0].id
        v = stmt.value
        if isinstance(v, ast.BinOp) and isinstance(v.op, (ast.Add, ast.Sub)) \
                and isinstance(v.left, ast.Name) and v.left.id == t:
            names = {n.id for n in ast.walk(v.right) if isinstance(n, ast.Name)}
            if names:
                return t
    return None


def _children(stmt: ast.stmt) -> list[list[ast.stmt]]:
    if isinstance(stmt, (ast.For, ast.While, ast.If, ast.With, ast.Try)):
        out = [stmt.body]
        if isinstance(stmt, ast.If):
            out.append(stmt.orelse)
        if isinstance(stmt, ast.Try):
            out += [h.body for h in stmt.handlers] + [stmt.finalbody]
        return out
    return []


def _updates_via_helper(stmt: ast.stmt, funcs: Optional[dict], script: Optional[Script]) -> bool:
    """``parameters = update_parameters(parameters, grads, lr)``: a helper call that, once inlined,
    updates a parameter of the caller."""
    if not funcs or script is None or not isinstance(stmt, ast.Assign) or not isinstance(stmt.value, ast.Call) \
            or not isinstance(stmt.value.func, ast.Name) or stmt.value.func.id not in funcs:
        return False
    from chainrule.check.inline import inline_body

    try:
        inlined = inline_body([stmt], script, funcs, {})
    except Exception:  # pragma: no cover - defensive: never fail the search
        return False
    return any(not st.internal and is_update(st.node) for st in inlined)


def find_loop(stmts: list[ast.stmt], funcs: Optional[dict] = None, script: Optional[Script] = None) -> Optional[Path]:
    """Path to the innermost loop whose direct body holds update statements (or calls of helper
    functions holding them, see ``_updates_via_helper``)."""
    for i, s in enumerate(stmts):
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for child in _children(s):
            sub = find_loop(child, funcs, script)
            if sub:
                return [(stmts, i)] + sub
        if isinstance(s, (ast.For, ast.While)) and \
                any(is_update(b) or _updates_via_helper(b, funcs, script) for b in s.body):
            return [(stmts, i)]
    return None


def _calls(node: ast.AST, name: str) -> Optional[ast.Call]:
    for n in ast.walk(node):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == name:
            return n
    return None


def find_call(stmts: list[ast.stmt], name: str) -> Optional[Path]:
    """Path to the first statement (outside function bodies) that calls ``name``."""
    for i, s in enumerate(stmts):
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for child in _children(s):
            sub = find_call(child, name)
            if sub:
                return [(stmts, i)] + sub
        if _calls(s, name) is not None:
            return [(stmts, i)]
    return None


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    return {s.name: s for s in tree.body if isinstance(s, ast.FunctionDef)}


def locate(script: Script) -> Plan:
    tree = script.tree
    funcs = _functions(tree)
    path = find_loop(tree.body, funcs, script)
    if path:
        plan = Plan(script, path, loop=path[-1][0][path[-1][1]])
    else:
        plan = None
        for f in funcs.values():
            inner = find_loop(f.body, funcs, script)
            if not inner:
                continue
            call_path = find_call(tree.body, f.name)
            if call_path:
                call = _calls(call_path[-1][0][call_path[-1][1]], f.name)
                plan = Plan(script, call_path, calls=[(f, call, inner)], loop=inner[-1][0][inner[-1][1]])
                break
            for g in funcs.values():  # one more level: main() -> train()
                mid = find_call(g.body, f.name)
                top = find_call(tree.body, g.name) if mid else None
                if top:
                    c1 = _calls(top[-1][0][top[-1][1]], g.name)
                    c2 = _calls(mid[-1][0][mid[-1][1]], f.name)
                    plan = Plan(script, top, calls=[(g, c1, mid), (f, c2, inner)],
                                loop=inner[-1][0][inner[-1][1]])
                    break
            if plan:
                break
            raise ChainruleError(
                f"{_name(script)}: the training loop is inside `{f.name}()` (line {f.lineno}), but "
                f"the script never calls `{f.name}(...)`. Add a call such as `{f.name}(...)` at the "
                f"end of the script so that chainrule can run it.")
        if plan is None:
            raise no_loop(script)
    from chainrule.check.inline import inline_body

    plan.body = inline_body(plan.loop.body, script, funcs, plan.display)
    return plan


def _name(script: Script) -> str:
    import os
    return os.path.basename(script.path)


def no_loop(script: Script) -> ChainruleError:
    has_class = any(isinstance(s, ast.ClassDef) for s in script.tree.body)
    extra = (" The script defines a class: class-based networks (self.W, self.params[...]) are not "
             "supported yet.") if has_class else ""
    return ChainruleError(
        f"{_name(script)}: no training loop found. chainrule looks for a for/while loop whose body "
        f"updates the parameters, e.g. `W += -step_size * dW`.{extra} Supported: {SUPPORTED}.")


# --------------------------------------------------------------------------- inlining
