"""Eleven more correct scripts, in styles the first catalog lacks or only touches (see :mod:`catalog`).

A PyTorch-like numpy ``Module`` with ``parameters()`` and ``zero_grad()``; mini-batches from a new
``np.random.permutation`` every epoch; small functions returning dicts with the loop in ``main()``;
inverted dropout with a fixed mask; three tanh layers with ``@`` and ``.T``; one-hot targets from
``np.eye(K)[y]``; forward and backward in ``np.einsum``; layers in dicts walked with
``reversed(range(L))``; every weight in one flat vector; an Adam class with state per parameter; AdamW
with the decay inside the step of an inner loop over the parameters.
"""

from __future__ import annotations

import autograd.numpy as anp

from case_builders import THREE1, TWO1, ce_rows
from oracle import bce, mlp_rows, relu, sigmoid, softmax_ce, squared_error, tanh
from optimizers import SGD, Adam, AdamW
from spec import Case

FOUR = [("W1", "b1"), ("W2", "b2"), ("W3", "b3"), ("W4", "b4")]


def dropout_ce(p, d):
    """Softmax cross-entropy with the hidden layer scaled by the fixed inverted-dropout mask."""
    hidden = relu(anp.dot(d["X"], p["W1"]) + p["b1"]) * d["mask"]
    return softmax_ce(anp.dot(hidden, p["W2"]) + p["b2"], d["y"])


def flat_theta_ce(p, d, D=2, H=8, K=2):
    """theta = [W1 (D×H, row by row), b1, W2 (H×K), b2], as ``unpack`` reads it."""
    t = p["theta"]
    cut = [0, D * H, D * H + H, D * H + H + H * K, D * H + H + H * K + K]
    parts = {"W1": anp.reshape(t[cut[0]:cut[1]], (D, H)), "b1": t[cut[1]:cut[2]],
             "W2": anp.reshape(t[cut[2]:cut[3]], (H, K)), "b2": t[cut[3]:cut[4]]}
    return softmax_ce(mlp_rows(parts, d["X"], TWO1, act=tanh), d["y"])


def _names(*names):
    return {n: n for n in names}


EXTRA_CASES: list[Case] = [
    Case("torchlike/module_zero_grad.py", "torchlike", "for epoch in range(100):",
         {"W1": "model.fc1.weight.data", "b1": "model.fc1.bias.data",
          "W2": "model.fc2.weight.data", "b2": "model.fc2.bias.data"}, {"X": "X", "y": "y"},
         ce_rows(TWO1), SGD(0.5),
         about="Module.parameters() / zero_grad(), Parameter.grad filled by backward, optimizer.step()"),
    Case("minibatch/perm_index.py", "minibatch", "for k in range(0, N, batch):", _names("W1", "b1", "W2", "b2"),
         {"X": "xb", "y": "yb"}, ce_rows(TWO1), SGD(0.3),
         about="np.random.permutation(N) every epoch, X[idx] with index arrays, the batch's mean loss"),
    Case("control_flow/main_functions.py", "control_flow", "for step in range(300):",
         {n: f"params['{n}']" for n in ("W1", "b1", "W2", "b2")}, {"X": "X", "y": "y"}, ce_rows(TWO1, act=tanh),
         SGD(0.5), about="forward() -> cache dict, backward() -> grads dict, update() -> new dict, in main()"),
    Case("dropout/fixed_mask.py", "dropout", "for it in range(200):", _names("W1", "b1", "W2", "b2"),
         {"X": "X", "y": "y", "mask": "mask"}, dropout_ce, SGD(1.0),
         about="inverted dropout, one mask drawn before training, applied forward and backward"),
    Case("deep_rows/three_tanh_at.py", "deep_rows", "for it in range(400):",
         {n: n for pair in FOUR for n in pair}, {"X": "X", "y": "Y"},
         lambda p, d: squared_error(mlp_rows(p, d["X"], FOUR, act=tanh), d["y"], scale=1.0, reduce="mean"),
         SGD(0.1), about="three tanh layers, @ and .T, mean squared error of one output"),
    Case("cs231n/onehot_eye.py", "cs231n", "for i in range(250):", _names("W", "b", "V", "c"),
         {"X": "X", "y": "y"}, lambda p, d: softmax_ce(mlp_rows(p, d["X"], [("W", "b"), ("V", "c")]), d["y"]),
         SGD(0.5), about="Y = np.eye(K)[y]; dS = (P - Y) / N; whiteboard names"),
    Case("einsum/einsum_net.py", "einsum", "for step in range(150):", {n: n for pair in THREE1 for n in pair},
         {"X": "X", "y": "y"}, ce_rows(THREE1), SGD(0.4),
         about="np.einsum for every product, forward and backward; square 6×6 W2"),
    Case("deep_rows/dict_layers.py", "deep_rows", "for epoch in range(120):",
         {f"{k}{i + 1}": f"{k}[{i}]" for i in range(3) for k in ("W", "b")}, {"X": "X", "y": "y"},
         ce_rows(THREE1), SGD(0.3), about="W[l], b[l] dicts; grads['W', l] in for l in reversed(range(L))"),
    Case("flat_vector/flat_theta.py", "flat_vector", "for it in range(200):", {"theta": "theta"},
         {"X": "X", "y": "y"}, flat_theta_ce, SGD(0.8),
         about="one flat parameter vector, reshaped views, np.concatenate of the gradients"),
    Case("optimizers/adam_class.py", "optimizers", "for epoch in range(150):",
         {n: f"params['{n}']" for n in ("W1", "b1", "W2", "b2")}, {"X": "X", "y": "y"},
         lambda p, d: bce(mlp_rows(p, d["X"], TWO1, out=sigmoid), d["y"]), Adam(0.05, eps=1e-8), steps=2,
         about="class Adam with a state dict per parameter name and its own step count t"),
    Case("optimizers/adamw_loop.py", "optimizers", "for it in range(60):",
         {n: f"P['{n}']" for n in ("W1", "b1", "W2", "b2")}, {"X": "X", "y": "y"}, ce_rows(TWO1),
         AdamW(0.05, eps=1e-8, wd=0.01), steps=2,
         about="decoupled weight decay inside the step of an inner `for k in P` loop (not the training loop)"),
]
