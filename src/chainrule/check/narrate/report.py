"""``chainrule explain SCRIPT``: the learner's own script as a :class:`chainrule.report.Report`.

Built from the analysis only: the forward chain with the op-table formula of every recognised
quantity (:mod:`.forward`, :mod:`.symbols`), then every backward and update line with the
formula of what it was proven to hold, the chain-rule step and the shape argument in the
script's own names and layout (:mod:`.backward`), windows of the arrays it read and wrote, its
relative error against autograd (the checker's) and against finite differences
(:mod:`.numbers`), and the computation graph (:mod:`.graphview`).  Where the analysis is unsure
(an unrecognised operation, an inferred loss), the texts say so.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from chainrule.check.narrate import backward as bw
from chainrule.check.narrate import textbook as tb
from chainrule.check.narrate import texts as tx
from chainrule.check.narrate.forward import Forward
from chainrule.check.narrate.graphview import graph
from chainrule.check.narrate.numbers import FiniteDifferences, window
from chainrule.check.narrate.result import from_analysis
from chainrule.check.narrate.rules import formulas_for
from chainrule.check.narrate.symbols import forward_formula, text_sym
from chainrule.check.record.state import Node
from chainrule.report import ForwardStep, Report, Step

INTRO = ("Each line of your training loop, in your own names: the forward chain with the formula each line "
         "computes, then every backward line — what its variable holds after it runs (proven with numbers, not "
         "guessed from the text), the formula it implements, the chain-rule step and the shape argument behind "
         "it, the first entries of the arrays it reads and writes in the analysed iteration, and a check "
         "against autograd and finite differences.")

LOSS_WORDS = {"softmax_ce": "softmax cross-entropy", "computed": "", "ce": "cross-entropy of the probabilities",
              "bce": "binary cross-entropy (sigmoid output)", "mse": "squared error", "hinge": "multiclass SVM (hinge)",
              "consistency": "unknown (the lines are checked against each other only)"}


def _shape(v) -> list[int]:
    return [int(s) for s in np.shape(v)]


def _shape_text(v) -> str:
    return "scalar" if np.ndim(v) == 0 else str(tuple(_shape(v)))


def _line_of(a, n: Node) -> Optional[int]:
    if n.site is None:
        return None
    st = a.run.files.info(n.site.file).statement(n.site.line, n.site.col)
    return st.lineno if st is not None else n.site.line


def forward_steps(a, fw: Forward, names: Optional[dict[int, str]] = None) -> list[ForwardStep]:
    """The forward chain; a line run once per example (Nielsen's ``network.py``) is shown for the first one."""
    alias = _loss_alias(a, fw)
    out = []
    info = a.run.files
    seen = set()
    for it in fw.items:
        n = it.node
        line = _line_of(a, n)
        if it.symbol and (line, it.symbol) in seen:
            continue
        seen.add((line, it.symbol))
        lat, txt = forward_formula(fw, it)
        code = info.info(n.site.file).statement_text(line) if n.site is not None and line else ""
        if not lat:
            lat, txt = _generic(a, it), f"{it.name} = {a.label(n)}"
        v = a.values64.get(n.id, n.value)
        vals = [x for x in [window(it.name, v)] if x is not None]
        name = (names or {}).get(n.id, it.name)
        out.append(ForwardStep(code=code, symbol=text_sym(it.symbol) if it.symbol else it.name, name=name,
                               formula_latex=lat, formula_text=txt, shape=_shape(v), shape_text=_shape_text(v),
                               line=line, values=vals))
    out += alias  # (in execution order: a helper defined above the loop comes where it runs)
    return out


def _generic(a, it) -> str:
    return r"\texttt{%s}" % a.label(it.node).replace("_", r"\_")[:60]


def _loss_alias(a, fw: Forward) -> list[ForwardStep]:
    """``loss = data_loss``: the loss gets a second name on a later line."""
    n = a.loss.node
    it = fw.by_node.get(n.id) if n is not None else None
    if it is None or a.loss.line is None or a.loss.name == it.name:
        return []
    it.symbol = r"L_{\text{data}}"
    code = a.run.files.info(a.loss.file).statement_text(a.loss.line)
    v = a.values64.get(n.id, n.value)
    return [ForwardStep(code=code, symbol="L", name=a.loss.name, formula_latex=r"L = L_{\text{data}}",
                        formula_text=f"L = L_data   (the loss is the data loss alone)   [L_data = {it.name}]",
                        shape=[], shape_text="scalar", line=a.loss.line, values=[x for x in [window(a.loss.name, v)] if x])]


def _values(a, L) -> list:
    """Windows of the arrays the line read, then of what it wrote."""
    vals, seen = [], set()
    own = {n.id for n in L.nodes}
    for n in L.nodes:
        for m in n.inputs():
            if m.id in own:
                continue
            src = m.args[0] if m.op == "transpose" and m.args and isinstance(m.args[0], Node) else m
            name = a.label(src)
            if name in seen or src.value is None or getattr(src.value, "dtype", None) is None \
                    or src.value.dtype == bool:
                continue
            seen.add(name)
            note = "before this line" if L.node is not None and src.obj == L.node.obj else ""
            v = window(name, a.values64.get(src.id, src.value), note)
            if v is not None:
                vals.append(v)
    if L.node is not None and L.node.value is not None:
        v = window(L.writes, L.node.value, "after this line")
        if v is not None:
            vals.append(v)
    return vals


def _fd(a, fd: FiniteDifferences, L) -> tuple[Optional[float], Optional[float]]:
    if not L.ok or fd is None:
        return None, None
    if L.verdict in ("gradient", "scaled") and L.match is not None and not L.match.transposed:
        q = a.graph.by_id.get(L.match.q.key)
        V = np.asarray(L.value, dtype=float) / (L.match.factor * a.sign)
        return (fd.rel_error(q, V * a.sign, sign=a.sign) if q is not None else None), L.rel_error
    if L.verdict == "update" and L.param is not None:
        p = L.param
        before = a.values64.get(p.leaf.id, p.leaf.value)
        after = a.values64.get(p.final.id, p.final.value)
        if before is None or after is None or not L.factor:
            return None, L.rel_error
        step = (np.asarray(before, dtype=float) - np.asarray(after, dtype=float))
        q = a.param_candidate(p)
        from chainrule.check.verdict.match import compare
        m = compare(step, q) if q is not None else None
        if m is None or m.rel > 1e-6 or m.transposed or m.factor <= 0:
            return None, L.rel_error  # a momentum/Adam step is not a multiple of the gradient
        return fd.rel_error(p.leaf, step / m.factor), m.rel
    return None, None


def build_report(a) -> Report:
    res = from_analysis(a)
    fw = Forward(a)
    loss_fn = LOSS_WORDS.get(a.loss.kind) if a.loss.inferred else LOSS_WORDS.get(fw.loss_kind(), "")
    network = {"loss": a.loss.formula if a.loss.inferred else a.loss.name,
               "loss function": loss_fn or "computed by the script",
               "loss inferred": a.loss.inferred,
               "layout": "one example per column (W @ A)" if a.graph.layout == "columns" else
               "one example per row (X @ W)",
               "params": {p.name: _shape(p.leaf.value) for p in a.graph.params},
               "optimizer": sorted({p.optimizer for p in a.graph.params})}
    rep = Report(title=f"Your script: {a.name}", intro=INTRO, network=network, source=a.script.text)
    place = tb.places(a, fw)
    names = _names(a, fw, place)
    rep.forward = forward_steps(a, fw, names)
    fd = FiniteDifferences(a) if a.truth is not None else None
    lines, repeats = _shown(a, fw, place)
    if repeats > 1:
        rep.intro += (f" Your loop body runs some lines once per example ({repeats} times in the analysed "
                      f"iteration). The walkthrough shows them for the first example, and again where they end up "
                      f"holding something new; chainrule checked every run.")
    for L in lines:
        p = bw.pattern(a, fw, L)
        fs = formulas_for(p.keys, fw.columns, p)
        chain, reason = tx.texts(a, fw, L, p)
        err_fd, err_ad = _fd(a, fd, L)
        shapes = {}
        for n in L.nodes:
            for m in n.inputs():
                if isinstance(m.value, np.ndarray) and m.id not in {x.id for x in L.nodes}:
                    shapes.setdefault(a.label(m), _shape(m.value))
        if L.node is not None and L.node.value is not None:
            shapes[L.writes] = _shape(L.node.value)
        target = bw._target(a, L)
        gradient_of = names.get(target.id, L.gradient_of) if target is not None and L.gradient_of else L.gradient_of
        title = f"{L.writes}: {_lower_first(fs[-1].title)}" if fs else L.writes  # what the line ends up holding
        if L.kind == "update":
            title = f"Update {L.writes}"
        shape = np.shape(L.node.value) if L.node is not None and L.node.value is not None else None
        rep.steps.append(Step(
            code=L.code, writes=L.writes, holds=L.verdict, gradient_of=gradient_of, factor=L.factor,
            title=title, holds_text=tx.holds(a, L, shape),
            formula_latex=" \\qquad ".join(f.matrix for f in fs) or None,
            index_latex=" \\qquad ".join(f.index for f in fs if f.index) or None,
            formula_text="   |   ".join(f.text for f in fs) or None,
            chain=chain, shape_reason=reason, formula_keys=list(p.keys), shapes=shapes,
            values=_values(a, L) if L.kind != "error" else [], rel_error_fd=err_fd, rel_error_autodiff=err_ad,
            line=L.line if L.file == a.script.path else None, message=L.message, ok=L.ok))
    rep.kinks = res.kinks
    tb.fill(a, fw, rep, lines)
    rep.graph = graph(a, fw, rep, place, names)
    return rep


def _names(a, fw: Forward, place: dict) -> dict[int, str]:
    """The learner's name of each forward quantity; one written once for every layer gets ``(layer l)``."""
    by_label: dict[str, set] = {}
    for it in fw.items:
        q = place.get(it.node.id)
        if q is not None:
            by_label.setdefault(it.name, set()).add((q.kind, q.layer))
    out = {}
    for it in fw.items:
        q = place.get(it.node.id)
        if q is not None and len(by_label.get(it.name, ())) > 1:
            out[it.node.id] = f"{it.name} (layer {q.layer})"
    return out


def _shown(a, fw: Forward, place: dict) -> tuple[list, int]:
    """The lines the walkthrough shows, and how often the most repeated one ran.

    A statement that runs more often than there are layers runs once per example: it is shown for its
    first run, and again where it first holds something new (the mini-batch sum that becomes ∂L/∂W);
    a wrong run is always shown.  Every run stays in the check's verdicts."""
    top = max(fw.layers.values(), default=0) or 1
    groups: dict[tuple, list] = {}
    for L in a.lines:
        groups.setdefault((L.file, L.line, L.writes, np.shape(L.value) if L.value is not None else None), []).append(L)
    hide, repeats = set(), 1
    for grp in groups.values():
        if len(grp) <= top:
            continue
        repeats = max(repeats, len(grp))
        aimed = [L for L in grp if L.aim is not None and L.ok]  # the run that ends up holding ∂L/∂P (a sum)
        keep = {id(aimed[-1])} if aimed else {id(grp[0])}
        hide |= {id(L) for L in grp if L.ok and id(L) not in keep}
    return [L for L in a.lines if id(L) not in hide], repeats


def _lower_first(title: str) -> str:
    """'Gradient of the bias' -> 'gradient of the bias'; words such as 'L2', 'ReLU', 'SVM' stay."""
    first = title.split(" ", 1)[0]
    return title[:1].lower() + title[1:] if first[1:] == first[1:].lower() and first.isalpha() else title
