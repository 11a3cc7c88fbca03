"""Parameters kept in a dict: ``model["W1"] += -step * grads["W1"]``.

Just before the analysed iteration runs, every subscript of a dict with a
constant string key (``model["W1"]``) in the loop body is rewritten to a
plain variable (``model__W1``) that starts as the dict's entry, so that the
rest of the checker sees ordinary names.  The learner sees ``model["W1"]``
(``plan.display``).  Only dicts that the iteration does not replace as a whole
are rewritten (``grads = {}`` is allowed), plus plain aliases of them such as
the argument of an inlined helper (``def forward(X, params)``).
"""

from __future__ import annotations

import ast
import re
from typing import Optional


def key_of(node: ast.AST) -> Optional[tuple[str, str]]:
    """``(dict name, key)`` for ``d["key"]`` with a constant, identifier-like string key."""
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) \
            and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str) \
            and node.slice.value.isidentifier():
        return node.value.id, node.slice.value
    return None


def synthetic(d: str, k: str) -> str:
    return f"{d}__{k}"


def shown(text, display: dict):
    """``text`` with the synthetic names of dict entries (``model__W1``) as ``model["W1"]``."""
    if not isinstance(text, str):
        return text
    for name, learner in display.items():
        if learner.endswith('"]') and name in text:
            text = re.sub(rf"\b{re.escape(name)}\b", lambda m: learner, text)
    return text


class _Rewrite(ast.NodeTransformer):
    def __init__(self, dicts: dict[str, str], used: set):
        self.dicts, self.used = dicts, used  # alias -> real dict name

    def visit_Subscript(self, node):
        kk = key_of(node)
        if kk and kk[0] in self.dicts:
            name = synthetic(self.dicts[kk[0]], kk[1])
            self.used.add((self.dicts[kk[0]], kk[1]))
            return ast.copy_location(ast.Name(id=name, ctx=node.ctx), node)
        return self.generic_visit(node)


def _whole_writes(node: ast.stmt) -> list[tuple[str, ast.AST]]:
    """Names a statement (re)binds as a whole, with the assigned value (None if unknown)."""
    out = []
    for n in ast.walk(node):
        if isinstance(n, ast.Assign):
            for t in n.targets:
                for e in ast.walk(t):
                    if isinstance(e, ast.Name) and isinstance(e.ctx, ast.Store):
                        out.append((e.id, n.value if t is e else None))
        elif isinstance(n, (ast.AugAssign, ast.AnnAssign)) and isinstance(n.target, ast.Name):
            out.append((n.target.id, None))
        elif isinstance(n, (ast.For, ast.comprehension)) or (isinstance(n, ast.withitem)):
            t = n.target if not isinstance(n, ast.withitem) else n.optional_vars
            for e in ast.walk(t) if t is not None else []:
                if isinstance(e, ast.Name):
                    out.append((e.id, None))
    return out


def _literal_dict(v) -> bool:
    """``{}`` or ``{"W1": W1, "b1": b1}``: constant identifier keys only."""
    return isinstance(v, ast.Dict) and all(isinstance(k, ast.Constant) and isinstance(k.value, str)
                                           and k.value.isidentifier() for k in v.keys)


def rewrite(plan, ns: dict) -> None:
    """Rewrite ``plan.body`` in place and set the synthetic variables in ``ns``."""
    from chainrule.check.locate import Stmt

    body = plan.body
    cands = set()
    for st in body:
        for n in ast.walk(st.node):
            kk = key_of(n)
            if kk:
                cands.add(kk[0])
    if not cands:
        return
    dicts: dict[str, str] = {}  # name -> the dict it holds (itself, or the one it aliases)
    fresh: set[str] = set()  # dicts built by the iteration (d = {} / d = {"W1": W1, ...})
    bad: set[str] = set()
    for st in body:
        for name, value in _whole_writes(st.node):
            if name in dicts or name in bad:
                bad.add(name)
            elif _literal_dict(value):
                dicts[name] = name
                fresh.add(name)
            elif isinstance(value, ast.Name) and (value.id in dicts or isinstance(ns.get(value.id), dict)):
                dicts[name] = dicts.get(value.id, value.id)  # alias (helper argument / return value)
            else:
                bad.add(name)
    for d in cands:
        if d not in dicts and d not in bad and isinstance(ns.get(d), dict):
            dicts[d] = d
    dicts = {a: d for a, d in dicts.items() if a not in bad and d not in bad}
    if not dicts:
        return
    used: set = set()
    out = []
    for st in body:
        node = st.node
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and node.targets[0].id in dicts and _literal_dict(node.value) and node.value.keys:
            # d = {"W1": e1, ...} -> d__W1 = e1; ...; d = {"W1": d__W1, ...} (hidden)
            d = node.targets[0].id
            for k, v in zip(node.value.keys, node.value.values):
                used.add((d, k.value))
                one = ast.Assign(targets=[ast.Name(synthetic(d, k.value), ast.Store())],
                                 value=_Rewrite(dicts, used).visit(v))
                out.append(Stmt(ast.fix_missing_locations(ast.copy_location(one, node)), st.line, st.code,
                                internal=st.internal, helper=st.helper))
            back = ast.Assign(targets=[ast.Name(d, ast.Store())], value=ast.Dict(
                keys=[ast.Constant(k.value) for k in node.value.keys],
                values=[ast.Name(synthetic(d, k.value), ast.Load()) for k in node.value.keys]))
            out.append(Stmt(ast.fix_missing_locations(ast.copy_location(back, node)), st.line, st.code,
                            internal=True, helper=st.helper))
            continue
        st.node = ast.fix_missing_locations(_Rewrite(dicts, used).visit(node))
        out.append(st)
    body[:] = out
    for d, k in used:
        name = synthetic(d, k)
        plan.display[name] = f'{plan.display.get(d, d)}["{k}"]'
        if d not in fresh and isinstance(ns.get(d), dict) and k in ns[d]:
            ns[name] = ns[d][k]
