"""Which array a code name holds at each line, and its maths symbol.

The page writes a formula for one matrix entry in the maths symbols of the walkthrough
(``H``, ``∂L/∂S``) and ties each to the learner's name (``hidden_layer``, ``dscores``).
A name's meaning can change from line to line (``dscores`` holds ``P``, then
``N·∂L/∂S``, then ``∂L/∂S``); :class:`Names` follows the Report's steps to know which.
It also collects the tiny example's arrays as they are *before* each line, from the
Report's own numbers (nothing is recomputed).
"""

from __future__ import annotations

import re
from typing import Any, Optional

import numpy as np

from chainrule.report import Report, Step, Value

_SUBDIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_DICT_KEY = re.compile(r"""^\w+\[\s*(['"])(\w+)\1\s*\]$""")
_PARAM = re.compile(r"^([A-Za-z]+?)_?(\d+)$")


def latex_symbol(sym: str) -> str:
    """A walkthrough symbol (``"H₁"``, ``"ℓ"``, ``"L_data"``, ``"W_2"``) as LaTeX."""
    s = sym.strip().replace("ℓ", r"\ell")
    m = re.fullmatch(r"(\\?[A-Za-z]+)([₀-₉]+)", s)
    if m:
        return f"{m.group(1)}_{{{m.group(2).translate(_SUBDIGITS)}}}"
    m = re.fullmatch(r"([A-Za-z])_(\w+)", s)
    if m:
        sub = m.group(2) if m.group(2).isdigit() or len(m.group(2)) == 1 else r"\text{" + m.group(2) + "}"
        return m.group(1) + "_{" + sub + "}"
    return s


def code_symbol(name: str) -> str:
    """LaTeX for a code name with no maths symbol of its own (``\\texttt{exp\\_scores}``)."""
    return r"\texttt{" + name.replace("\\", "").replace("_", r"\_").replace("{", "").replace("}", "") + "}"


_SEGMENT = re.compile(r"""\.(\w+)|\[\s*(?:(['"])(\w+)\2|(\d+))\s*\]|^(\w+)""")
_ROLE = re.compile(r"^(?:(w|weights?)|(b|bias|biases))$", re.I)


def _segments(name: str) -> list[tuple[str, str]]:
    """``self.layers[0].W`` -> [("name", "self"), ("attr", "layers"), ("index", "0"), ("attr", "W")]."""
    out, pos = [], 0
    for m in _SEGMENT.finditer(name.replace(" ", "")):
        if m.start() != pos:
            return []
        pos = m.end()
        attr, key, index, first = m.group(1), m.group(3), m.group(4), m.group(5)
        out.append(("attr", attr) if attr else ("key", key) if key else ("index", index) if index else ("name", first))
    return out if pos == len(name.replace(" ", "")) else []


def param_symbol(name: str) -> str:
    """``W2`` -> ``W_{2}``, ``parameters["W1"]`` -> ``W_{1}``, ``self.weights[0]`` -> ``W_{1}``,
    ``dense2.biases`` -> ``b_{2}``, ``layers[0].W`` -> ``W_{1}``; a name with no such reading stays code."""
    segs = _segments(name)
    if not segs:
        return code_symbol(name)
    kind, last = segs[-1]
    m = _PARAM.match(last) if kind != "index" else None
    if m:  # W2, b1, syn0, parameters["W1"], self.W1
        letters = m.group(1) if len(m.group(1)) == 1 else r"\mathrm{" + m.group(1) + "}"
        return f"{letters}_{{{m.group(2)}}}"
    if len(segs) == 1 and re.fullmatch(r"[A-Za-z]", last):
        return last
    layer = ""
    if kind == "index" and len(segs) > 1:  # self.weights[0]: a list counts from 0, layers from 1
        layer, (kind, last) = str(int(last) + 1), segs[-2]
        segs = segs[:-1]
    role = _ROLE.match(last)
    if role is None:
        return code_symbol(name)
    for k, v in reversed(segs[:-1]):  # dense2.weights, layers[1].W
        if layer:
            break
        layer = str(int(v) + 1) if k == "index" else (re.search(r"(\d+)$", v).group(1) if re.search(r"\d+$", v) else "")
    letter = "W" if role.group(1) else "b"
    return f"{letter}_{{{layer}}}" if layer else letter


def grad_symbol(of: str) -> str:
    return r"\frac{\partial L}{\partial " + of + "}"


def code_name(name: str) -> str:
    """``"Z (layer 2)"`` → ``"Z"``: the checker tags a name written once per layer with its layer."""
    return re.sub(r" \(layer \d+\)$", "", name)


def as_array(v: Value) -> np.ndarray:
    return np.asarray(v.data, dtype=float)


def split_values(step: Step) -> tuple[list[Value], Optional[Value], Optional[Value]]:
    """``(inputs, before, after)``: what the line read, and the written variable before and after.

    The Report lists the values read first and the written variable last; when the
    written name occurs twice, the first is its value before the line.
    """
    vals = list(step.values)
    idx = [k for k, v in enumerate(vals) if v.name == step.writes]
    after = vals[idx[-1]] if idx else None
    before = vals[idx[0]] if len(idx) > 1 else None
    inputs = [v for k, v in enumerate(vals) if k not in idx]
    return inputs, before, after


class Names:
    """Symbols and tiny-example arrays of a Report, line by line."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.forward_sym: dict[str, str] = {}
        self._by_shape: dict[tuple[str, tuple], str] = {}  # a helper called per layer: `Z` is Z₁, Z₂, …
        for f in report.forward:
            code = code_name(f.name)
            for name in dict.fromkeys((f.name, code)):
                if f.symbol and name not in self.forward_sym:
                    self.forward_sym[name] = latex_symbol(f.symbol)
                if f.symbol:
                    self._by_shape.setdefault((name, tuple(f.shape)), latex_symbol(f.symbol))
        self.params = {s.writes for s in report.steps if s.holds == "update" and s.writes}
        self.N = (report.network.get("tiny") or {}).get("N") or report.network.get("N")
        base: dict[str, np.ndarray] = {}
        for f in report.forward:
            for v in f.values:
                base.setdefault(v.name, as_array(v))
        self._base = base

    def base_symbol(self, name: str, shape=None) -> str:
        """The maths symbol of a code name; ``shape`` (full size) picks the layer a shared name is at."""
        if name.endswith(".T"):
            return self.base_symbol(name[:-2], shape[::-1] if shape else None) + r"^{\top}"
        if name in self.params:
            return param_symbol(name)
        if shape is not None and (name, tuple(shape)) in self._by_shape:
            return self._by_shape[(name, tuple(shape))]
        if name in self.forward_sym:
            return self.forward_sym[name]
        return code_symbol(name)

    def meaning(self, step: Step) -> Optional[str]:
        """What ``step.writes`` holds after ``step``, as LaTeX (None: its own name)."""
        g = step.gradient_of
        if step.holds == "update" and step.writes:
            return param_symbol(step.writes)
        if g is None or step.holds not in ("gradient", "scaled"):
            return None
        d = grad_symbol(self.base_symbol(g, step.shapes.get(step.writes)))
        if step.holds == "scaled" and step.factor not in (None, 1.0):
            full_n = self.report.network.get("N")
            return ("N\\," if step.factor == full_n else f"{step.factor:g}\\,") + d
        return d

    def symbol(self, name: str, k: int) -> str:
        """The symbol of ``name`` as the line ``steps[k]`` reads it (after the lines before it)."""
        base = name[:-2] if name.endswith(".T") else name
        sym = None
        for s in self.report.steps[:k]:
            if s.writes == base:
                sym = self.meaning(s) if s.holds != "intermediate" else None
                if sym is None and s.holds == "intermediate":
                    sym = self._alias(s)
        shape = self.report.steps[k].shapes.get(base) if k < len(self.report.steps) else None
        sym = sym or self.base_symbol(base, shape)
        return sym + r"^{\top}" if name.endswith(".T") else sym

    def _alias(self, s: Step) -> Optional[str]:
        """``dscores = probs``: the name holds another array as it is (its symbol)."""
        src = self.alias_source(s)
        return self.base_symbol(src) if src else None

    @staticmethod
    def alias_source(s: Step) -> Optional[str]:
        """The right-hand name of a plain ``a = b`` line, or None."""
        m = re.fullmatch(r"\s*\w+\s*=\s*([\w.]+)\s*", s.code)
        return m.group(1) if m else None

    def sizes(self, k: int) -> set[int]:
        """Whole numbers a line may divide by: the tiny and full N, and the integer scalars it can see."""
        found = {int(n) for n in (self.N, self.report.network.get("N")) if n}
        found |= {int(d) for shape in self.report.steps[k].shapes.values() for d in shape if d > 1}
        for v in [*self.report.steps[k].values, *self.arrays_before(k).items()]:
            name, a = (v.name, np.asarray(v.data)) if isinstance(v, Value) else v
            if np.ndim(a) == 0 and float(a) == int(float(a)) and float(a) > 1:
                found.add(int(float(a)))
        return found

    def arrays_before(self, k: int) -> dict[str, np.ndarray]:
        """The tiny example's arrays before ``steps[k]`` runs, by code name."""
        arrays = dict(self._base)
        for s in self.report.steps[:k]:
            _, _, after = split_values(s)
            if after is not None:
                arrays[after.name] = as_array(after)
        return arrays

    def legend(self, names: list[str], k: int) -> list[tuple[str, str]]:
        """``[(symbol, code name)]`` for the names a formula uses."""
        out: list[tuple[str, str]] = []
        for n in names:
            pair = (self.symbol(n, k), n)
            if pair not in out:
                out.append(pair)
        return out


def scalar(arrays: dict[str, Any], *names: str) -> Optional[float]:
    for n in names:
        v = arrays.get(n)
        if v is not None and np.ndim(v) == 0:
            return float(v)
    return None
