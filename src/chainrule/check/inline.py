"""Inlining of helper functions called from the training loop.

Helper functions called from the loop body (``scores = forward(X, W)``) are
inlined with their local names renamed, so that each of their lines is
analysed like a line of the loop.  A helper that returns (changed) the
variable it is given and assigned back to (``parameters = update_parameters(
parameters, grads, lr)``, ``W, b = update(W, b, dW, db, lr)``) is inlined on
the caller's variables, so that its updates count as the loop's updates
(``W1 = parameters["W1"]`` ... ``parameters = {"W1": W1}`` becomes updates of
``parameters["W1"]``).
"""

from __future__ import annotations

import ast
import copy
from typing import Optional

from chainrule.check.locate import Stmt, is_update
from chainrule.check.source import Script


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
