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


def _simple_helper(f: ast.FunctionDef) -> bool:
    a = f.args
    if a.vararg or a.kwarg or a.posonlyargs or a.kwonlyargs:
        return False
    returns = [n for n in ast.walk(f) if isinstance(n, ast.Return)]
    for n in ast.walk(f):
        if n is not f and isinstance(n, (ast.FunctionDef, ast.Lambda, ast.ClassDef, ast.Global,
                                         ast.Nonlocal, ast.Yield, ast.YieldFrom)):
            return False
    if len(returns) > 1 or (returns and returns[0] is not f.body[-1]):
        return False
    return True


class _Rename(ast.NodeTransformer):
    def __init__(self, mapping: dict[str, str]):
        self.mapping = mapping

    def visit_Name(self, node: ast.Name):
        if node.id in self.mapping:
            return ast.copy_location(ast.Name(id=self.mapping[node.id], ctx=node.ctx), node)
        return node


_counter = [0]


def _code(script: Script, node: ast.AST) -> str:
    seg = ast.get_source_segment(script.text, node)
    if seg is None:
        return ast.unparse(node)
    return " ".join(seg.split()) if "\n" in seg and not isinstance(node, (ast.If, ast.For, ast.While)) \
        else seg.splitlines()[0].strip()


def inline_body(stmts, script, funcs, display, depth=0) -> list[Stmt]:
    out: list[Stmt] = []
    for s in stmts:
        call = None
        if isinstance(s, ast.Assign) and isinstance(s.value, ast.Call):
            call = s.value
        elif isinstance(s, ast.Expr) and isinstance(s.value, ast.Call):
            call = s.value
        f = funcs.get(call.func.id) if call is not None and isinstance(call.func, ast.Name) else None
        if f is None or depth > 2 or not _simple_helper(f) or any(isinstance(a, ast.Starred) for a in call.args) \
                or any(k.arg is None for k in call.keywords):
            out.append(Stmt(s, s.lineno, _code(script, s)))
            continue
        _counter[0] += 1
        k = _counter[0]
        params = [a.arg for a in f.args.args]
        local = set(params)
        for n in ast.walk(f):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                local.add(n.id)
        mapping = {name: f"_cr{k}_{name}" for name in local}
        keep = _update_helper(s, call, f, params)
        if keep is not None:  # an update helper: its parameters act on the caller's variables
            f, keep_map = keep
            trial = dict(mapping, **keep_map)
            body = [_Rename(trial).visit(copy.deepcopy(b)) for b in f.body]
            if any(_updated_root(n) in keep_map.values() for b in body for n in ast.walk(b)
                   if isinstance(n, ast.stmt)) \
                    or (body and isinstance(body[-1], ast.Return) and body[-1].value is not None
                        and _final_updates(s, body[-1].value, keep_map)):
                mapping = trial
            else:
                keep, f = None, funcs[call.func.id]
        kept = set(keep[1]) if keep is not None else set()
        for new, old in ((v, key) for key, v in mapping.items() if key not in kept):
            display[new] = old  # (kept names are the caller's own: shown as they are)
        # bind the arguments
        defaults = dict(zip(params[len(params) - len(f.args.defaults):], f.args.defaults))
        given = dict(zip(params, call.args))
        given.update({kw.arg: kw.value for kw in call.keywords})
        for p in params:
            if p in kept:
                continue  # `parameters = update_parameters(parameters, ...)`: no `parameters = parameters`
            val = given.get(p, defaults.get(p))
            if val is None:
                out.append(Stmt(s, s.lineno, _code(script, s)))  # cannot bind: run as a call
                break
            bind = ast.Assign(targets=[ast.Name(id=mapping[p], ctx=ast.Store())], value=copy.deepcopy(val))
            ast.copy_location(bind, s)
            out.append(Stmt(ast.fix_missing_locations(bind), s.lineno, _code(script, s), internal=True,
                            helper=f.name))
        else:
            body = [_Rename(mapping).visit(copy.deepcopy(b)) for b in f.body]
            ret = body.pop() if body and isinstance(body[-1], ast.Return) else None
            inner = inline_body(body, script, funcs, display, depth + 1)
            for st, orig in zip(inner, inner):
                st.helper = st.helper or f.name
            # use the learner's (unrenamed) text for the code of inlined lines
            out.extend(inner)
            if isinstance(s, ast.Assign):
                value = ret.value if ret is not None and ret.value is not None else ast.Constant(None)
                t = s.targets[0]
                if len(s.targets) == 1 and isinstance(t, ast.Tuple) and isinstance(value, ast.Tuple) \
                        and len(t.elts) == len(value.elts) and all(isinstance(e, ast.Name) for e in value.elts):
                    pairs = list(zip(t.elts, value.elts))  # a, b = (x, y) -> a = x; b = y
                else:
                    pairs = [(tt, value) for tt in s.targets][:1] if len(s.targets) == 1 else [(s.targets[0], value)]
                for tgt, val in pairs:
                    if isinstance(tgt, ast.Name) and isinstance(val, ast.Name) and tgt.id == val.id:
                        continue  # the helper already wrote the caller's variable
                    assign = ast.Assign(targets=[tgt], value=val)
                    ast.copy_location(assign, s)
                    out.append(Stmt(ast.fix_missing_locations(assign), s.lineno, _code(script, s)))
            continue
    return out


# --------------------------------------------------------------------------- update helpers


def _targets(s: ast.stmt) -> Optional[list[str]]:
    if not isinstance(s, ast.Assign) or len(s.targets) != 1:
        return None
    t = s.targets[0]
    if isinstance(t, ast.Name):
        return [t.id]
    if isinstance(t, ast.Tuple) and all(isinstance(e, ast.Name) for e in t.elts):
        return [e.id for e in t.elts]
    return None


def _returned(value: ast.expr, n: int) -> Optional[list[ast.expr]]:
    if n == 1:
        return [value]
    if isinstance(value, ast.Tuple) and len(value.elts) == n:
        return list(value.elts)
    return None


def _final_updates(s: ast.stmt, value: ast.expr, keep_map: dict) -> bool:
    """``W = update(W, dW, lr)`` with ``return W - lr * dW``: the binding of the result is the update."""
    names = _targets(s) or []
    vals = _returned(value, len(names)) or []
    return any(is_update(ast.Assign(targets=[ast.Name(t, ast.Store())], value=v)) == t
               for t, v in zip(names, vals) if t in keep_map.values())


def _unpack_dict(f: ast.FunctionDef, pname: str) -> Optional[ast.FunctionDef]:
    """``W1 = parameters["W1"]`` ... ``W1 = W1 - lr * dW1`` ... ``parameters = {"W1": W1, ...}``
    (or ``return {"W1": W1, ...}``) -> the same helper acting on ``parameters["W1"]`` directly,
    ending with ``return parameters``; None if the helper does not have that shape."""
    from chainrule.check.dictkeys import key_of

    body = list(f.body)
    if not body or not isinstance(body[-1], ast.Return) or body[-1].value is None:
        return None
    ret = body[-1].value
    if isinstance(ret, ast.Dict):
        lit, drop = ret, None
    elif isinstance(ret, ast.Name) and ret.id == pname and len(body) >= 2 and isinstance(body[-2], ast.Assign) \
            and _targets(body[-2]) == [pname] and isinstance(body[-2].value, ast.Dict):
        lit, drop = body[-2].value, body[-2]
    else:
        return None
    if not all(isinstance(kk, ast.Constant) and isinstance(kk.value, str) and kk.value.isidentifier()
               and isinstance(v, ast.Name) for kk, v in zip(lit.keys, lit.values)):
        return None
    var_key = {v.id: kk.value for kk, v in zip(lit.keys, lit.values)}
    if len(var_key) != len(lit.keys) or pname in var_key or set(var_key) & {a.arg for a in f.args.args}:
        return None
    loads = []  # the `W1 = parameters["W1"]` statements
    for st in body[:-1]:
        if st is drop:
            continue
        if isinstance(st, ast.Assign) and _targets(st) and len(_targets(st)) == 1 \
                and _targets(st)[0] in var_key and key_of(st.value) == (pname, var_key[_targets(st)[0]]):
            if any(_targets(x) == _targets(st) for x in loads):
                return None
            loads.append(st)
            continue
        for n in ast.walk(st):
            if isinstance(n, ast.Name) and n.id == pname:
                return None  # the dict is used otherwise: keep the helper as it is
            if isinstance(n, ast.Name) and n.id in var_key and isinstance(n.ctx, ast.Store) \
                    and not (isinstance(st, (ast.Assign, ast.AugAssign)) and is_update(st) == n.id):
                return None
    if {_targets(x)[0] for x in loads} != set(var_key):
        return None

    class _Sub(ast.NodeTransformer):
        def visit_Name(self, node):
            if node.id in var_key:
                return ast.copy_location(ast.Subscript(ast.Name(pname, ast.Load()), ast.Constant(var_key[node.id]),
                                                       node.ctx), node)
            return node

    new_body = [_Sub().visit(copy.deepcopy(st)) for st in body[:-1] if st is not drop and st not in loads]
    new_ret = ast.copy_location(ast.Return(ast.Name(pname, ast.Load())), body[-1])
    g = copy.copy(f)
    g.body = [ast.fix_missing_locations(x) for x in new_body] + [new_ret]
    return g if new_body else None


def _update_helper(s: ast.stmt, call: ast.Call, f: ast.FunctionDef, params: list[str]):
    """For ``T = helper(..., T, ...)`` where the helper returns (its argument) ``T`` changed:
    ``(helper, {helper parameter: caller name})`` so that the helper's updates are written on the
    caller's variables (``parameters``, ``W``); None otherwise."""
    names = _targets(s)
    if not names or len(set(names)) != len(names) or not f.body or not isinstance(f.body[-1], ast.Return) \
            or f.body[-1].value is None:
        return None
    given = dict(zip(params, call.args))
    given.update({kw.arg: kw.value for kw in call.keywords})
    arg_names = [v.id for v in given.values() if isinstance(v, ast.Name)]
    keep: dict[str, str] = {}
    for pos, t in enumerate(names):
        ps = [p for p, v in given.items() if isinstance(v, ast.Name) and v.id == t]
        if len(ps) != 1 or arg_names.count(t) != 1:
            continue
        p = ps[0]
        g = f
        vals = _returned(g.body[-1].value, len(names))
        if vals is None:
            return None
        r = vals[pos]
        if len(names) == 1:
            unpacked = _unpack_dict(g, p)
            if unpacked is not None:
                f, r = unpacked, ast.Name(p, ast.Load())
        if isinstance(r, ast.Name) and r.id != p:
            continue
        # the caller's name must not be used by the helper for something else
        if any(isinstance(n, ast.Name) and n.id == t for n in ast.walk(f)) and t != p:
            continue
        keep[p] = t
    return (f, keep) if keep else None


def _updated_root(stmt: ast.stmt) -> Optional[str]:
    """The variable (``W``, or the dict ``parameters`` for ``parameters["W1"]``) that ``stmt`` updates."""
    from chainrule.check.dictkeys import key_of

    p = is_update(stmt)
    if p is None:
        return None
    t = stmt.target if isinstance(stmt, ast.AugAssign) else stmt.targets[0]
    kk = key_of(t)
    return kk[0] if kk else p
