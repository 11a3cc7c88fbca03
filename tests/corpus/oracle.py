"""Losses and forward passes written with ``autograd.numpy``: the independent side of the proof.

The catalog writes each script's loss from these pieces, as a function ``loss(p, d)`` of the
parameters ``p`` (a dict of float64 arrays) and the iteration's data ``d``. Nothing here looks at
the scripts' backward code: the true gradient is autograd's derivative of the loss the script is
meant to descend.

Layouts: "rows" means one example per row (``X`` is N × D, ``scores`` N × K); "cols" means one
example per column (``X`` is D × m, Ng's and Nielsen's layout).
"""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np


# ---- activations (each one's derivative at an exact 0 is 0, like a ``<= 0`` mask) ----------
def relu(z):
    return anp.where(z > 0, z, 0.0)


def leaky_relu(z, slope=0.01):
    return anp.where(z > 0, z, slope * z)


def sigmoid(z):
    return 1.0 / (1.0 + anp.exp(-z))


def tanh(z):
    return anp.tanh(z)


def identity(z):
    return z


# ---- losses -----------------------------------------------------------------------------
def log_softmax(scores, axis):
    shifted = scores - anp.max(scores, axis=axis, keepdims=True)
    return shifted - anp.log(anp.sum(anp.exp(shifted), axis=axis, keepdims=True))


def softmax_ce(scores, y, axis=1, reduce="mean"):
    """Cross-entropy of softmax(scores) against integer labels ``y``; ``axis`` is the class axis."""
    y = np.asarray(y).astype(int).ravel()
    logp = log_softmax(scores, axis)
    picked = logp[np.arange(len(y)), y] if axis == 1 else logp[y, np.arange(len(y))]
    total = -anp.sum(picked)
    return total / len(y) if reduce == "mean" else total


def softmax_ce_onehot(scores, Y, axis=1):
    """Mean cross-entropy against one-hot targets ``Y`` (same layout as ``scores``)."""
    m = scores.shape[0] if axis == 1 else scores.shape[1]
    return -anp.sum(Y * log_softmax(scores, axis)) / m


def bce(probs, y):
    """Mean binary cross-entropy of probabilities ``probs`` against 0/1 targets of the same size."""
    y = np.asarray(y, dtype=float).reshape(probs.shape)
    return -anp.mean(y * anp.log(probs) + (1.0 - y) * anp.log(1.0 - probs))


def squared_error(out, y, scale=0.5, reduce="sum"):
    """``scale · Σ (out − y)²`` (``reduce="mean"``: divided by the number of entries)."""
    diff = out - np.asarray(y, dtype=float).reshape(out.shape)
    total = scale * anp.sum(diff * diff)
    return total / diff.size if reduce == "mean" else total


def multiclass_hinge(scores, y, delta=1.0):
    """Mean over rows of Σ_{j≠y} max(0, s_j − s_y + Δ) (the CS231n SVM loss)."""
    y = np.asarray(y).astype(int).ravel()
    n = len(y)
    correct = scores[np.arange(n), y]
    margins = anp.maximum(0.0, scores - correct[:, None] + delta)
    not_y = np.ones(scores.shape)
    not_y[np.arange(n), y] = 0.0
    return anp.sum(margins * not_y) / n


def l2(p, names, lam):
    """``lam · Σ_names Σ w²`` (write ``0.5 * lam`` for the CS231n ½λ‖W‖²)."""
    return lam * sum(anp.sum(p[name] * p[name]) for name in names)


# ---- forward passes ----------------------------------------------------------------------
def mlp_rows(p, X, layers, act=relu, out=identity):
    """Row-major MLP: ``layers`` = [(W, b), ...] names; ``b`` may be None (no bias)."""
    a = np.asarray(X, dtype=float)
    for i, (w, b) in enumerate(layers):
        z = anp.dot(a, p[w]) + (p[b] if b else 0.0)
        a = act(z) if i < len(layers) - 1 else out(z)
    return a


def mlp_cols(p, X, layers, act=relu, out=identity):
    """Column-major MLP (Ng, Nielsen): z = W·a + b with ``X`` of shape D × m."""
    a = np.asarray(X, dtype=float)
    for i, (w, b) in enumerate(layers):
        z = anp.dot(p[w], a) + (p[b] if b else 0.0)
        a = act(z) if i < len(layers) - 1 else out(z)
    return a


def stack_examples(batch):
    """Nielsen's list of (x, y) column-vector pairs as two matrices X (D × m) and Y (K × m)."""
    xs, ys = zip(*batch)
    return np.hstack(xs).astype(float), np.hstack(ys).astype(float)
