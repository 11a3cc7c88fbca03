"""Forward formulas in the script's own symbols: the op-table formula of each recognised quantity.

The generic symbols of :mod:`chainrule.formulas` (X, W, b, Z, H, S, P, L) are replaced by this
step's (``S = H W_2 + 1 b_2``; in column-major scripts ``Z = W A + b``) and a legend ties every
symbol to the learner's name.  The backward texts live in :mod:`.backward`.
"""

from __future__ import annotations

import re

import numpy as np
from typing import Optional

from chainrule.check.narrate.forward import ACTS, Forward, Item
from chainrule.formulas import get

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def text_sym(sym: str) -> str:
    """Unicode form of a LaTeX symbol: ``W_2`` -> ``W₂``, ``\\ell`` -> ``ℓ``, ``\\texttt{x}`` -> ``x``."""
    m = re.fullmatch(r"\\texttt\{(.*)\}", sym)
    if m:
        return m.group(1).replace(r"\_", "_")
    sym = sym.replace(r"\ell", "ℓ").replace(r"L_{\text{data}}", "L_data").replace("S_{y}", "S_y")
    m = re.fullmatch(r"([A-Za-z])_(\d+)", sym)
    return m.group(1) + m.group(2).translate(_SUB) if m else sym


def subst(s: str, mapping: dict[str, str], latex: bool = True) -> str:
    """Replace the generic one-letter symbols of a formula in one pass."""
    if not mapping:
        return s
    pat = re.compile(r"(?<![a-z\\])(%s)(?![a-z])" % "|".join(map(re.escape, mapping)))

    def rep(m):
        new = mapping[m.group(1)]
        if not latex:
            return text_sym(new)
        return "{%s}" % new if "_" in new or new.startswith("\\") else new
    return pat.sub(rep, s)


def _rhs(s: str) -> str:
    return s.split("=", 1)[1].strip() if "=" in s else s


def _legend(fw: Forward, names: list[str], own: Optional[dict[str, str]] = None) -> tuple[str, str]:
    pairs, seen = [], set()
    for n in names:
        if not n or n in seen:
            continue
        seen.add(n)
        sym = (own or {}).get(n) or fw.symbol(n)
        if text_sym(sym) != n and not sym.startswith(r"\texttt"):
            pairs.append((sym, n))
    if not pairs:
        return "", ""
    lat = r"\qquad " + r",\ ".join(r"%s = \texttt{%s}" % (s, n.replace("_", r"\_").replace("$", "")) for s, n in pairs)
    txt = "   [" + ", ".join(f"{text_sym(s)} = {n}" for s, n in pairs) + "]"
    return lat, txt


def _l2(fw: Forward, terms: list[str]) -> tuple[str, str]:
    f = get("l2.forward")
    lat = " + ".join(subst(_rhs(f.matrix), {"W": fw.symbol(w)}) for w in terms)
    txt = " + ".join(subst("½ λ Σ W²", {"W": fw.symbol(w)}, latex=False) for w in terms)
    return lat, txt


def _halved(top, bottom) -> bool:
    """Does the loss multiply by ½ (or divide by 2) between the squares and itself?  (Names 1/(2N) vs 1/(N·K).)"""
    stack, seen = [top], set()
    while stack:
        n = stack.pop()
        if n is None or id(n) in seen or n is bottom:
            continue
        seen.add(id(n))
        lits = [x for x in n.args if isinstance(x, (int, float))]
        if (n.op == "multiply" and 0.5 in lits) or (n.op in ("divide", "true_divide") and n.args[-1:] == [2]
                                                    or n.op in ("divide", "true_divide") and 2 in lits[-1:]):
            return True
        stack.extend(n.inputs())
    return False


def _squared_error(fw: Forward, it: Item, sym: str) -> tuple[str, str]:
    """``L = c · Σ D²`` with the script's difference D (``pred - Y``) and c read off the recorded values.

    c is named when it is 1, ½, 1/N, 1/(2N) (N the rows of D) or 1/(N·K), 1/(2N·K) (every entry); a loss
    that is not one number (a per-row sum) is written as the sum over its axis."""
    D = it.inputs.get("D")
    d = fw.symbol(it.ops.get("D", "D"))
    L, Dv = np.asarray(getattr(it.node, "value", None)), np.asarray(getattr(D, "value", None))
    total = float(np.sum(np.square(Dv, dtype=float))) if D is not None and Dv.dtype.kind == "f" else 0.0
    if L.size != 1 or L.dtype.kind != "f" or total <= 0:
        return r"%s = \sum %s^2" % (sym, d), f"{text_sym(sym)} = Σ {text_sym(d)}²   (squared entries, summed)"
    if re.search(r"[^\w{}\\]", d.replace(r"\_", "_")):
        d = f"({d})"  # an unnamed difference, `y_pred - y`: (y_pred - y)²
    c = float(L) / total
    n = Dv.shape[0] if Dv.ndim else 1
    names = [(1, "", ""), (n, "N", "N"), (Dv.size, "NK", "N·K")] if Dv.ndim > 1 else [(1, "", ""), (n, "N", "N")]
    halves = ((2, "2", "2"), (1, "", "")) if _halved(it.node, D) else ((1, "", ""), (2, "2", "2"))
    for half, lat_h, txt_h in halves:
        for count, lat_n, txt_n in names:
            if abs(c * count * half - 1) <= 1e-9:
                den_l, den_t = lat_h + lat_n, txt_h + ("·" if txt_h and txt_n else "") + txt_n
                lat_c = r"\frac{1}{%s}" % den_l if den_l else ""
                txt_c = (f"1/({den_t}) " if len(den_t) > 1 else f"1/{den_t} ") if den_t else ""
                return (r"%s = %s\sum %s^2" % (sym, lat_c, d),
                        f"{text_sym(sym)} = {txt_c}Σ {text_sym(d)}²   (squared error)")
    return (r"%s = %.4g\sum %s^2" % (sym, c, d), f"{text_sym(sym)} = {c:.4g}·Σ {text_sym(d)}²   (squared error)")


def forward_formula(fw: Forward, it: Item) -> tuple[str, str]:
    """(LaTeX, unicode) formula of a recognised forward quantity, with its legend."""
    sym = it.symbol
    ops = it.ops
    names = [it.name] + [v for k, v in ops.items() if k != "rows"] + list(it.terms)
    own = {it.name: sym}  # this layer's symbols (a name written once for every layer has one per layer)
    for role, x in it.inputs.items():
        s_ = fw.symbol_of(x)
        if s_ and ops.get(role):
            own[ops[role]] = s_
    if it.kind == "linear":
        f = get("linear.forward")
        m = {"Z": sym, "X": own.get(ops["X"]) or fw.symbol(ops["X"]), "W": fw.symbol(ops["W"]),
             "b": fw.symbol(ops.get("b", "b"))}
        if fw.columns:  # examples are columns: Z = W A + b (b broadcast to every column)
            lat = subst(r"Z = W X + b\mathbf{1}^{\top}", m)
            txt = subst("Z = W·X + b   (b broadcast to every column: one column per example)", m, latex=False)
        else:
            lat, txt = subst(f.matrix, m), subst(f.text, m, latex=False)
        if "b" not in ops:
            lat, txt = lat.split(" + ")[0], txt.split(" + ")[0]
    elif it.kind in ACTS:
        f = get(it.key)
        m = {"H": sym, "Z": own.get(ops["Z"]) or fw.symbol(ops["Z"])}
        lat, txt = subst(f.matrix, m), subst(f.text, m, latex=False)
    elif it.kind == "exp":
        S = fw.symbol(ops["S"])
        lat = r"E = e^{%s - m},\quad m_i = \max_k %s_{ik}" % (S, S) if it.shifted else r"E = e^{%s}" % S
        txt = f"E = exp({text_sym(S)})   (entry by entry: the numerators of the softmax)"
    elif it.kind == "probs":
        f = get("softmax_ce.probs")
        m = {"P": sym, "S": fw.symbol(ops["S"])}
        shifted = any(x.kind == "shift" or x.shifted for x in fw.items)
        lat = subst(f.matrix if shifted else r"P = \operatorname{softmax}(S),\quad " + f.index, m)
        txt = subst(f.text if shifted else "P[i,k] = exp(S[i,k]) / Σ_c exp(S[i,c])   (each row sums to 1)",
                    m, latex=False)
    elif it.kind in ("ce_rows", "logp"):
        lat = r"\ell_i = -\log %s_{i, y_i}" % fw.symbol(ops["P"])
        txt = f"ℓᵢ = −log {text_sym(fw.symbol(ops['P']))}[i, yᵢ]   (one number per example)"
    elif it.kind in ("bce_rows", "bce"):
        A = fw.symbol(ops.get("A", "A"))
        lat = r"%s = -\frac{1}{m}\sum_i \left[ Y_i \log %s_i + (1 - Y_i) \log(1 - %s_i) \right]" % (sym, A, A)
        txt = f"{text_sym(sym)} = −(1/m) Σᵢ [Yᵢ log {text_sym(A)}ᵢ + (1 − Yᵢ) log(1 − {text_sym(A)}ᵢ)]   (binary cross-entropy)"
        if it.kind == "bce_rows":
            lat = r"\ell_i = Y_i \log %s_i + (1 - Y_i) \log(1 - %s_i)" % (A, A)
            txt = f"ℓᵢ = Yᵢ log {text_sym(A)}ᵢ + (1 − Yᵢ) log(1 − {text_sym(A)}ᵢ)   (one number per example)"
    elif it.kind == "mse":
        lat, txt = _squared_error(fw, it, sym)
    elif it.kind in ("sq", "sqw"):
        lat, txt = r"%s = (\cdot)^2" % sym, f"{text_sym(sym)} = (·)²   (entry by entry)"
    elif it.kind in ("ce", "hinge"):
        f = get(it.key)
        m = {"L": sym, "P": fw.symbol(ops.get("P", "P"))}
        if it.kind == "ce":
            lat, txt = subst(f.matrix, m), subst(f.text, m, latex=False)
        else:
            lat, txt = r"%s = \frac{1}{N}\sum_{i,k} M_{ik}" % sym, f"{text_sym(sym)} = (1/N) Σᵢₖ M[i,k]"
        if it.terms:
            l_lat, l_txt = _l2(fw, it.terms)
            lat, txt = lat + " + " + l_lat, txt + " + " + l_txt
    elif it.kind == "pick":
        lat = r"(S_{y})_i = %s_{i, y_i}" % fw.symbol(ops["S"])
        txt = f"S_y[i] = {text_sym(fw.symbol(ops['S']))}[i, yᵢ]   (the correct class's score, one per row)"
    elif it.kind == "margins":
        S = fw.symbol(ops["S"])
        lat = r"M_{ik} = \max(0,\, %s_{ik} - %s_{i y_i} + \Delta)" % (S, S)
        txt = "M[i,k] = max(0, S[i,k] − S[i,yᵢ] + Δ),  Δ = 1"
    elif it.kind == "margins_zero":
        lat, txt = r"M_{i y_i} = 0", "M[i, yᵢ] = 0   (the correct class is not a margin)"
    elif it.kind == "l2":
        l_lat, l_txt = _l2(fw, it.terms)
        lat, txt = f"{sym} = {l_lat}", f"{text_sym(sym)} = {l_txt}"
    elif it.kind == "sum":
        parts = [fw.symbol(t) for t in it.terms]
        lat = f"{sym} = " + " + ".join(parts)
        txt = f"{text_sym(sym)} = " + " + ".join(text_sym(p) for p in parts)
        if len(parts) == 1:
            txt += "   (the loss is the data loss alone)"
    elif it.kind == "shift":
        lat = r"%s \leftarrow %s - m,\quad m_i = \max_k %s_{ik}" % (sym, sym, sym)
        txt = f"{text_sym(sym)} ← {text_sym(sym)} − (row max)   (softmax unchanged; exp cannot overflow)"
    else:
        return "", ""
    names = [n for n in names if isinstance(n, str)]
    l_lat, l_txt = _legend(fw, names, own)
    return lat + l_lat, txt + l_txt
