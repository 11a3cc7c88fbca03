"""Every corpus case, in data: the script, its style, and how to prove its first step.

``CASES`` are correct scripts; ``MUTANTS`` are one-line learners' mistakes made from them at
test time (see :mod:`spec` for the fields, :mod:`proof` for the proof, :mod:`mutants` for how a
mutant is written and where its culprit is). The losses are written here with
:mod:`oracle` (autograd.numpy), independently of the scripts' backward code.
"""

from __future__ import annotations

from oracle import (
    bce,
    l2,
    mlp_cols,
    mlp_rows,
    multiclass_hinge,
    relu,
    sigmoid,
    softmax_ce,
    softmax_ce_onehot,
    squared_error,
    stack_examples,
    tanh,
)
from optimizers import SGD, Adam, Momentum, Nesterov, RMSProp
from spec import Case, Mutant

TWO = [("W", "b"), ("W2", "b2")]  # the CS231n names
TWO1 = [("W1", "b1"), ("W2", "b2")]


def ce_rows(layers, act=relu, reg=0.0, reg_names=(), reduce="mean"):
    """Softmax cross-entropy of a row-major MLP, plus ``reg · Σ w²`` over ``reg_names``."""
    return lambda p, d: softmax_ce(mlp_rows(p, d["X"], layers, act), d["y"], reduce=reduce) + l2(
        p, reg_names, reg
    )


def cs231n(script, loop, names=TWO, lr=1.0, reg=0.0, style="cs231n", **kw):
    """A top-level CS231n-style script: the params are plain globals named as in ``names``."""
    params = {n: n for pair in names for n in pair if n}
    weights = tuple(w for w, _ in names)
    return Case(
        f"{style}/{script}", style, loop, params, {"X": "X", "y": "y"},
        ce_rows(names, reg=0.5 * reg, reg_names=weights if reg else ()), SGD(lr), **kw,
    )


CASES: list[Case] = [
    cs231n("learner_seed.py", "for i in range(200):",
           about="the learner's own script (Python 3 prints, smaller sizes, seeded)"),
    cs231n("spiral_reg3.py", "for it in range(150):", TWO1, lr=0.8, reg=0.05),
    cs231n("spiral_flat_bias.py", "for epoch in range(120):", lr=0.5,
           about="1-D biases and bias sums without keepdims: harmless in row-major"),
    cs231n("spiral_update_as_you_go.py", "for step in range(100):", lr=1.0,
           about="each layer updated as soon as its gradient is known; W2_old kept for dhidden"),
    Case("cs231n/svm_two_layer.py", "cs231n", "for i in range(150):",
         {n: n for n in ("W1", "b1", "W2", "b2")}, {"X": "X", "y": "y"},
         lambda p, d: multiclass_hinge(mlp_rows(p, d["X"], TWO1), d["y"]), SGD(0.3)),
    Case("cs231n/svm_linear.py", "cs231n", "for epoch in range(200):",
         {"W": "W", "b": "b"}, {"X": "X", "y": "y"},
         lambda p, d: multiclass_hinge(d["X"] @ p["W"] + p["b"], d["y"]) + l2(p, ["W"], 0.05),
         SGD(0.05)),
]

MUTANTS: list[Mutant] = [
    # ---- cs231n ----
    Mutant("cs231n/learner_seed.py", "mask_wrong_array",
           "dhidden[hidden_layer <= 0] = 0", "dhidden[dhidden <= 0] = 0",
           "masks by the sign of the gradient instead of the hidden layer's activation"),
    Mutant("cs231n/learner_seed.py", "1_over_m_twice",
           "dW2 = np.dot(hidden_layer.T, dscores)", "dW2 = np.dot(hidden_layer.T, dscores) / num_examples",
           "divides by N again although dscores is already divided"),
    Mutant("cs231n/spiral_reg3.py", "regularisation",
           "dW2 += reg * W2", "dW2 += 2 * reg * W2",
           "the loss has 0.5·reg·ΣW², whose gradient is reg·W, not 2·reg·W"),
    Mutant("cs231n/spiral_update_as_you_go.py", "update_order",
           "dhidden = np.dot(dscores, W2_old.T)", "dhidden = np.dot(dscores, W2.T)",
           "backpropagates through W2 after it was already updated"),
    Mutant("cs231n/svm_two_layer.py", "sign",
           "binary[np.arange(N), y] = -row_sum", "binary[np.arange(N), y] = row_sum",
           "the correct class's score enters every margin with a minus sign"),
    Mutant("cs231n/svm_linear.py", "regularisation",
           "dW = X.T @ mask / num_train + reg * W", "dW = X.T @ mask / num_train",
           "the loss has the ½·reg·ΣW² penalty, the gradient forgets its reg·W"),
]
