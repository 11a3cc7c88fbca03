"""A learner's network as the Train panel draws it: its own forward pass, replayed on new weights.

The checker recorded one iteration of the script (:func:`chainrule.check.analysis.analyse`).
From that record, with the check's own pieces (``oracle.seeds`` for the output and its
targets, ``oracle.replay`` for the op table), :class:`ScriptModel` evaluates the script's
forward pass — exactly the operations the script ran, no code of it run again — for any
parameter values the child process streams:

* on the analysed iteration's data: the accuracy, and the loss when the script computes
  none (the loss the checker inferred, e.g. ``½ Σ (y − l2)²``);
* on a grid of points, when the inputs are 2-D: the predicted class and its probability in
  every cell (the decision boundary), with the data node replaced by the grid's points.

Every use is verified first: the replay must reproduce the script's own output (and
inferred loss) to 1e-6 at the analysed weights, else it is not used.  When the network
is a plain MLP (``act(X·W + b)`` layers, the activation *found* by fitting the output),
:meth:`ScriptModel.page_layers` gives its weights in the page's layout so that the page
draws the boundary itself; the fit is the proof.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from chainrule.check.oracle.replay import Unreplayable, replay
from chainrule.check.oracle.seeds import _onehot, seeds

ACTS = {"relu": lambda z: np.maximum(z, 0), "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
        "tanh": np.tanh, "sigmoid": lambda z: 1 / (1 + np.exp(-z))}


def _softmax(S: np.ndarray) -> np.ndarray:
    e = np.exp(S - S.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-6, atol=1e-9))


class ScriptModel:
    """The script's forward pass as a function of its parameters (see the module docstring)."""

    def __init__(self, analysis: Any) -> None:
        g = analysis.graph
        self.g = g
        self.why = ""  # why there is no boundary (one sentence), or ""
        self.params = [p.leaf for p in g.params]
        self.start = [np.asarray(p.value, dtype=float) for p in self.params]
        found = seeds(g)
        self.axis = 1 if g.layout == "rows" else 0
        self.outs = [o for o, _, _ in found]
        self.Y = [_onehot(o.value, t.value, self.axis) for o, t, _ in found]
        self.order = [g.by_id[i] for i in sorted(g.ancestors(self.outs)) if i in g.by_id]
        self.data = [self._data_node(o) for o in self.outs]
        self.ok = bool(self.outs) and self._reproduces()
        self.labels = self._labels() if self.ok else None
        self.X = self._points() if self.ok else None
        self.inferred_loss = self._inferred(analysis) if self.ok else None
        self.first = [g.by_id[i] for i in sorted(g.ancestors(self.outs[:1]))] if self.ok else []
        self.grid_ok = self.ok and self.X is not None and self.labels is not None and self._grid_works()
        self.spec = self._layers() if self.ok else []
        self.mlp = self._find_mlp() if self.grid_ok else None
        examples = sum(int(np.prod(np.shape(o.value))) for o in self.outs)
        self.cost = examples * sum(int(np.size(p)) for p in self.start)  # multiply-adds of one replay, roughly
        if not self.outs:
            self.why = "chainrule could not find where your network's output meets the targets"
        elif not self.ok:
            self.why = "chainrule's replay of your forward pass differs from your script's own numbers"
        elif self.labels is None:
            self.why = "your targets are numbers, not classes, so there is no boundary between classes to draw"
        elif self.X is None:
            self.why = (f"your inputs have {self._features()} features and the page draws points in a plane "
                        "(2 features)")
        elif not self.grid_ok:
            self.why = "chainrule could not replay your forward pass on a grid of points"

    # ------------------------------------------------------------------ finding things
    def _param_of(self, x: Any) -> Optional[tuple[int, bool]]:
        """(parameter index, read transposed) when ``x`` is a parameter or its ``.T``, else None."""
        index = {p.id: i for i, p in enumerate(self.params)}
        if getattr(x, "id", None) in index:
            return index[x.id], False
        if getattr(x, "op", "") == "transpose" and x.args and getattr(x.args[0], "id", None) in index:
            return index[x.args[0].id], True
        return None

    def _data_node(self, out) -> Any:
        """The data the first layer multiplies a parameter with (``X`` in ``X @ W``, ``x`` in ``w.T @ x``)."""
        g = self.g
        for n in (g.by_id[i] for i in sorted(g.ancestors([out])) if i in g.by_id):
            if n.op not in ("dot", "matmul") or len(n.args) < 2:
                continue
            a, b = n.args[:2]
            other = b if self._param_of(a) else a if self._param_of(b) else None
            if other is not None and hasattr(other, "value") and not g.depends_on(other, {p.obj for p in self.params}):
                return other
        return None

    def run(self, params: list[np.ndarray], nodes=None, data: Optional[np.ndarray] = None) -> dict:
        env = {p.id: np.asarray(v, dtype=float) for p, v in zip(self.params, params)}
        if data is not None:
            env[self.data[0].id] = data
        g = self.g
        with np.errstate(all="ignore"):
            return replay(nodes or self.order, np, env, recompute=True,
                          is_input=lambda n: n.id not in env and g.is_input(n))

    def outputs(self, params: list[np.ndarray]) -> list[np.ndarray]:
        env = self.run(params)
        return [np.asarray(env[o.id], dtype=float) for o in self.outs]

    def _reproduces(self) -> bool:
        try:
            got = self.outputs(self.start)
        except Unreplayable:
            return False
        return all(_close(a, np.asarray(o.value, dtype=float)) for a, o in zip(got, self.outs))

    def _rows(self, O: np.ndarray) -> np.ndarray:
        """An output as (examples, classes)."""
        O = np.asarray(O, dtype=float)
        if O.ndim < 2:
            return O.reshape(-1, 1)
        return O if self.axis == 1 else O.T

    def _labels(self) -> Optional[np.ndarray]:
        Y = np.concatenate([self._rows(y) for y in self.Y])
        if Y.shape[1] >= 2 and np.all((Y == 0) | (Y == 1)) and np.all(Y.sum(axis=1) == 1):
            return Y.argmax(axis=1)
        if Y.shape[1] == 1 and np.all((Y == 0) | (Y == 1)):
            return Y[:, 0].astype(np.int64)
        return None

    def _features(self) -> int:
        d = self.data[0]
        if d is None:
            return 0
        shape = np.shape(d.value)
        return shape[-1] if self.axis == 1 else shape[0]

    def _points(self) -> Optional[np.ndarray]:
        if any(d is None for d in self.data) or self._features() != 2:
            return None
        parts = [np.asarray(d.value, dtype=float) for d in self.data]
        X = np.concatenate([p if self.axis == 1 else p.T for p in parts])
        return X if self.labels is not None and len(X) == len(self.labels) else None

    def _inferred(self, analysis: Any) -> Optional[Any]:
        """The loss the checker inferred (the script computes none), as a function of outputs and weights.

        The checker writes it as a formula, e.g. ``L = ½ Σ (y − l2)²`` or ``... + ½·0.01·Σ (W1² + W2²)``;
        the family's sum form times its scale, plus that L2 term, must give the checker's own value.
        """
        import re

        from chainrule.check.oracle.families import FAMILIES

        info, truth = analysis.loss, analysis.truth
        fam = next((f for f in FAMILIES if f.kind == info.kind), None)
        if not info.inferred or fam is None or truth is None:
            return None
        scale = float(getattr(truth, "scale", 1.0))
        m = re.search(r"\+ ½·([0-9.eE+-]+)·Σ \(([^)]*)\)", info.formula or "")
        lam = float(m.group(1)) if m else 0.0
        names = [x.strip().rstrip("²") for x in m.group(2).split("+")] if m else []
        index = {p.name: i for i, p in enumerate(analysis.graph.params)}
        if any(n not in index for n in names):
            return None
        reg = [index[n] for n in names]

        def loss(outs: list[np.ndarray], params: list[np.ndarray]) -> float:
            data = scale * float(sum(fam.fn(O, Y, self.axis, np) for O, Y in zip(outs, self.Y)))
            return data + 0.5 * lam * float(sum(np.sum(np.asarray(params[i]) ** 2) for i in reg))
        with np.errstate(all="ignore"):
            ref = loss([np.asarray(o.value, dtype=float) for o in self.outs], self.start)
        return loss if np.isclose(ref, float(truth.loss), rtol=1e-5) else None

    # ------------------------------------------------------------------ what the page needs
    def _predict(self, O: np.ndarray, probs: Optional[bool] = None) -> tuple[np.ndarray, np.ndarray]:
        """(class, its probability) per example of an output in (examples, classes)."""
        if probs is None:
            T = self._rows(self.outs[0].value)
            probs = bool(np.all(T >= 0) and np.all(T <= 1))
        if O.shape[1] == 1:
            p = O[:, 0] if probs else 1 / (1 + np.exp(-O[:, 0]))
            return (p > 0.5).astype(np.int64), np.maximum(p, 1 - p)
        P = O if probs and np.allclose(O.sum(axis=1), 1) else _softmax(O)
        return P.argmax(axis=1), P.max(axis=1)

    def accuracy(self, outs: list[np.ndarray]) -> float:
        if self.labels is None:
            return float("nan")
        pred, _ = self._predict(np.concatenate([self._rows(O) for O in outs]))
        return float(np.mean(pred == self.labels))

    def mlp_accuracy(self, params: list[np.ndarray]) -> float:
        """The accuracy from the plain MLP (the same argmax as the script's output, far cheaper than a replay)."""
        act = ACTS[self.mlp[0]]
        A = self.X
        layers = self.page_layers(params)
        with np.errstate(all="ignore"):
            for k, (W, b) in enumerate(layers):
                A = A @ W + b
                if k < len(layers) - 1:
                    A = act(A)
        return float(np.mean(A.argmax(axis=1) == self.labels))

    def classes(self) -> int:
        return max(2, int(self._rows(self.Y[0]).shape[1]))

    def grid(self, params: list[np.ndarray], box: tuple[float, float, float, float], G: int
             ) -> tuple[np.ndarray, np.ndarray]:
        """Class and probability on a G×G grid of the box (x0, x1, y0, y1), rows from the top."""
        x0, x1, y0, y1 = box
        c = (np.arange(G) + 0.5) / G
        xs, ys = np.meshgrid(x0 + (x1 - x0) * c, y1 - (y1 - y0) * c)
        pts = np.c_[xs.ravel(), ys.ravel()]
        env = self.run(params, self.first, pts if self.axis == 1 else pts.T)
        O = self._rows(env[self.outs[0].id])
        if O.shape[0] != G * G:
            raise Unreplayable(self.outs[0])
        return self._predict(O)

    def _grid_works(self) -> bool:
        try:
            cls, _ = self.grid(self.start, (-1.0, 1.0, -1.0, 1.0), 8)
        except (Unreplayable, ValueError, IndexError):
            return False
        return cls.shape == (64,)

    # ------------------------------------------------------------------ a plain MLP
    def _layers(self) -> list[tuple[int, Optional[int], bool]]:
        """(weight index, bias index or None, transposed) per layer, in the order the forward uses them.

        ``transposed``: the page's ``W`` (fan_in, fan_out) is the parameter's transpose — ``W @ A``
        (columns), or ``X @ W.T``; ``X @ W`` and ``w.T @ x`` use the parameter as it is.
        """
        g, index = self.g, {p.id: i for i, p in enumerate(self.params)}
        layers, seen = [], set()
        for n in self.first:
            if n.op not in ("dot", "matmul") or len(n.args) < 2:
                continue
            right, left = self._param_of(n.args[1]), self._param_of(n.args[0])
            found = (right[0], right[1]) if right else (left[0], not left[1]) if left else None
            if found is None or found[0] in seen:
                continue
            seen.add(found[0])
            bias = None
            for c in g.consumers.get(n.id, []):
                if c.op == "add":
                    bias = next((index[x.id] for x in c.args if getattr(x, "id", None) in index), None)
                    break
            layers.append((found[0], bias, found[1]))
        return layers

    def sizes(self) -> list[int]:
        """Units per layer, inputs first, as the forward pass uses the weights ([] if not a chain of layers)."""
        shapes = [np.shape(self.start[w])[::-1] if tr else np.shape(self.start[w]) for w, _, tr in self.spec]
        if not shapes or any(len(s) != 2 for s in shapes) or any(a[1] != b[0] for a, b in zip(shapes, shapes[1:])):
            return []
        return [int(shapes[0][0])] + [int(s[1]) for s in shapes]

    def page_layers(self, params: list[np.ndarray], spec=None) -> list[tuple[np.ndarray, np.ndarray]]:
        """The MLP's layers as the page evaluates them: ``W`` (fan_in, fan_out), ``b`` (fan_out,)."""
        out = []
        for w, bias, tr in (spec or self.mlp[1]):
            W = np.asarray(params[w], dtype=float)
            W = W.T if tr else W
            b = np.asarray(params[bias], dtype=float).ravel() if bias is not None else np.zeros(W.shape[1])
            out.append((W, b))
        if out and out[-1][0].shape[1] == 1:  # one output unit: scores [0, s] give softmax = [1 − σ(s), σ(s)]
            W, b = out[-1]
            out[-1] = (np.hstack([np.zeros_like(W), W]), np.concatenate([[0.0], b]))
        return out

    def _find_mlp(self) -> Optional[tuple[str, list]]:
        """``(activation, layers)`` when act(X·W + b) layers reproduce the script's output, else None."""
        spec = self.spec
        if not spec or any(b is not None and np.size(self.start[b]) != np.shape(
                self.start[w])[0 if t else 1] for w, b, t in spec):
            return None
        try:
            layers = self.page_layers(self.start, spec)
        except ValueError:
            return None
        if layers[0][0].shape[0] != 2 or any(a[0].shape[1] != b[0].shape[0] for a, b in zip(layers, layers[1:])):
            return None
        target = np.concatenate([self._rows(o.value) for o in self.outs])
        for name, act in ACTS.items():
            A = self.X
            with np.errstate(all="ignore"):
                for k, (W, b) in enumerate(layers):
                    A = A @ W + b
                    if k < len(layers) - 1:
                        A = act(A)
            S = A[:, 1:] if target.shape[1] == 1 else A
            sig = 1 / (1 + np.exp(-S))
            if any(_close(f, target) for f in (S, _softmax(S) if S.shape[1] > 1 else sig, sig)):
                return name, spec
        return None
