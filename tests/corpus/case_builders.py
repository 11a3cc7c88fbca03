"""Builders for the catalog: each learner style's parameter names and the loss it descends.

The losses are written with :mod:`oracle` (autograd.numpy), independently of the scripts'
backward code. A builder returns ``(params, layers)`` (parameter name -> the expression that
reads it in the script's loop frame, and the (W, b) names per layer) or a loss ``(p, d) -> L``.
"""

from __future__ import annotations

import autograd.numpy as anp

from oracle import bce, l2, leaky_relu, mlp_cols, mlp_rows, relu, sigmoid, softmax_ce, squared_error, stack_examples, tanh
from optimizers import SGD
from spec import Case

TWO = [("W", "b"), ("W2", "b2")]  # the CS231n names
TWO1 = [("W1", "b1"), ("W2", "b2")]


def ce_rows(layers, act=relu, reg=0.0, reg_names=(), reduce="mean"):
    """Softmax cross-entropy of a row-major MLP, plus ``reg · Σ w²`` over ``reg_names``."""
    return lambda p, d: softmax_ce(mlp_rows(p, d["X"], layers, act), d["y"], reduce=reduce) + l2(
        p, reg_names, reg
    )


def cs231n(script, loop, names=TWO, lr=1.0, reg=0.0, style="cs231n", opt=None, **kw):
    """A top-level CS231n-style script: the params are plain globals named as in ``names``."""
    params = {n: n for pair in names for n in pair if n}
    weights = tuple(w for w, _ in names)
    return Case(
        f"{style}/{script}", style, loop, params, {"X": "X", "y": "y"},
        ce_rows(names, reg=0.5 * reg, reg_names=weights if reg else ()), opt or SGD(lr), **kw,
    )


def dense(*objects, w="weights", b="biases"):
    """Params of layer objects (nnfs: ``dense1.weights``) named W1, b1, W2, ... and their layers."""
    params, layers = {}, []
    for i, obj in enumerate(objects, 1):
        params[f"W{i}"], params[f"b{i}"] = f"{obj}.{w}", f"{obj}.{b}"
        layers.append((f"W{i}", f"b{i}"))
    return params, layers


def nnfs(script, layers_of, loss, opt, loop, data=None, **kw):
    """An nnfs-book script: layer objects ``dense1``, ``dense2``, ... with weights and biases."""
    return Case(f"nnfs/{script}", "nnfs", loop, layers_of[0], data or {"X": "X", "y": "y"}, loss, opt, **kw)


NN2 = dense("dense1", "dense2")
NN3 = dense("dense1", "dense2", "dense3")
BLOCKS = ("nnfs_blocks.py",)

def listed(n, w="self.weights", b="self.biases"):
    """Nielsen's lists of layer arrays as params W1, b1, ... and their (W, b) layers."""
    params = {}
    for i in range(n):
        params[f"W{i + 1}"], params[f"b{i + 1}"] = f"{w}[{i}]", f"{b}[{i}]"
    return params, [(f"W{i + 1}", f"b{i + 1}") for i in range(n)]


def nielsen_quadratic(layers):
    """Mean over the mini-batch of ½‖a − y‖², sigmoid everywhere, per-example column vectors."""
    def loss(p, d):
        X, Y = stack_examples(d["batch"])
        out = mlp_cols(p, X, layers, act=sigmoid, out=sigmoid)
        return squared_error(out, Y, 0.5) / X.shape[1]
    return loss


def nielsen_ce_l2(layers, lmbda, n):
    """Mean over the mini-batch of the summed binary cross-entropy + (λ / 2n) Σ‖w‖²."""
    def loss(p, d):
        X, Y = stack_examples(d["batch"])
        a = mlp_cols(p, X, layers, act=sigmoid, out=sigmoid)
        ce = -anp.sum(Y * anp.log(a) + (1 - Y) * anp.log(1 - a)) / X.shape[1]
        return ce + l2(p, [w for w, _ in layers], 0.5 * lmbda / n)
    return loss


def keyed(n, holder="parameters"):
    """deeplearning.ai's ``parameters["W1"]`` ... as params W1, b1, ... and their layers."""
    params = {}
    for i in range(1, n + 1):
        params[f"W{i}"], params[f"b{i}"] = f"{holder}['W{i}']", f"{holder}['b{i}']"
    return params, [(f"W{i}", f"b{i}") for i in range(1, n + 1)]


def bce_cols(layers, act=relu):
    """Mean binary cross-entropy of a column-major MLP with a sigmoid output (Ng's layout)."""
    return lambda p, d: bce(mlp_cols(p, d["X"], layers, act=act, out=sigmoid), d["Y"])


def logistic(p, d):
    """Logistic regression, w of shape (n_x, 1) and a scalar bias b."""
    return bce(sigmoid(anp.dot(p["w"].T, d["X"]) + p["b"]), d["Y"])


def half_sse_rows(layers):
    """½ Σ (y − out)², sigmoid units everywhere (iamtrask: the loss his update descends)."""
    return lambda p, d: squared_error(mlp_rows(p, d["X"], layers, act=sigmoid, out=sigmoid), d["y"])


def relu_tanh_ce(p, d):
    """Dense → ReLU → Dense → tanh → Dense → softmax cross-entropy (layer_stack.py)."""
    h1 = relu(anp.dot(d["X"], p["W1"]) + p["b1"])
    h2 = tanh(anp.dot(h1, p["W2"]) + p["b2"])
    return softmax_ce(anp.dot(h2, p["W3"]) + p["b3"], d["y"])


def leaky(z):
    return leaky_relu(z, 0.1)


THREE1 = [("W1", "b1"), ("W2", "b2"), ("W3", "b3")]
NIELSEN2 = listed(2)
NIELSEN3 = listed(3)
