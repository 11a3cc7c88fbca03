"""Twelve more correct scripts and their mutants, from a fresh-eyes sweep of styles the catalog lacked.

A ``Layer`` class hierarchy whose layers update themselves inside ``backward(grad_output)``; column-major
layer classes with ``update(lr)`` and the loop in ``fit()``; one-hot rows with a max-shifted softmax and
``np.log(P + 1e-8)``; log-sum-exp with mini-batches from a ``default_rng`` Generator and ½λ‖W‖²; parameter
and gradient dicts with active gradient clipping and a per-epoch learning-rate decay; dict-returning
``forward``/``backward`` functions with BCE through ``dA2``; multi-label sigmoid outputs; per-example
``np.outer`` accumulation; linear regression with ½·MSE; the loop inside a function returning the loss;
f-string prints every epoch and ``plt.show()``.
"""

from __future__ import annotations

from case_builders import THREE1, TWO1, ce_rows, dense
from oracle import bce, leaky_relu, mlp_cols, mlp_rows, sigmoid, softmax_ce_onehot, squared_error, tanh
from optimizers import SGD, ClippedSGD, NormClippedMomentum
from catalog_mutants import M
from spec import Case, Mutant


def _names(*names):
    return {n: n for n in names}


def _leaky(slope):
    return lambda z: leaky_relu(z, slope)


def _keys(holder, *names):
    return {n: f"{holder}['{n}']" for n in names}


W4 = ("W1", "b1", "W2", "b2")

SWEEP_CASES: list[Case] = [
    Case("layer_classes/layer_hierarchy.py", "layer_classes", "for epoch in range(120):",
         dense("layers[0]", "layers[2]", "layers[4]")[0], {"X": "X", "y": "y"}, ce_rows(THREE1, act=_leaky(0.05)),
         SGD(0.3), about="class Layer with subclasses; Dense updates itself in backward(grad_output); np.where leaky "
                         "ReLU; stable softmax; for layer in reversed(layers)"),
    Case("layer_classes/column_layers.py", "layer_classes", "for it in range(iterations):",
         dense("model[0]", "model[2]", "model[4]", w="W", b="b")[0], {"X": "X", "Y": "Y"},
         lambda p, d: softmax_ce_onehot(mlp_cols(p, d["X"], THREE1, act=tanh), d["Y"], axis=0), SGD(0.5),
         about="W @ A layer classes, backward(dZ) then update(lr); 1 - np.power(A, 2); loop in fit() returning costs"),
    Case("stable_softmax/onehot_eps.py", "stable_softmax", "for it in range(200):", _names(*W4),
         {"X": "X", "Y": "Y"}, lambda p, d: softmax_ce_onehot(mlp_rows(p, d["X"], TWO1, act=tanh), d["Y"]), SGD(0.5),
         about="one-hot Y rows, scores - scores.max(...), np.mean(np.sum(-Y * np.log(P + 1e-8), axis=1))"),
    Case("stable_softmax/logsumexp_batches.py", "stable_softmax", "for start in range(0, N, batch):",
         _names(*W4), {"X": "xb", "y": "yb"}, ce_rows(TWO1, reg=0.5e-3, reg_names=("W1", "W2")), SGD(0.3),
         about="log-softmax via log-sum-exp, default_rng permutation mini-batches, 1-D biases, + lam * W"),
    Case("params_dict/clip_decay.py", "params_dict", "for epoch in range(150):", _keys("params", *W4),
         {"X": "X", "y": "y"}, ce_rows(TWO1), ClippedSGD(0.5, decay=0.05, clip=0.1), steps=2,
         about="grads dict clipped with np.clip (active) before `for k in params: params[k] -= lr * grads[k]`; "
               "lr = lr0 / (1 + decay * epoch)"),
    Case("params_dict/norm_clip_momentum.py", "params_dict", "for epoch in range(100):", _keys("params", *W4),
         {"X": "X", "Y": "Y"}, lambda p, d: softmax_ce_onehot(mlp_rows(p, d["X"], TWO1, act=tanh), d["Y"]),
         NormClippedMomentum(0.4, mu=0.9, max_norm=0.15), steps=2,
         about="per-parameter clipping by norm in place (g[k] *= max_norm / norm), momentum over a velocity dict"),
    Case("params_dict/grads_fn_keys.py", "params_dict", "for i in range(300):", _keys("params", *W4),
         {"X": "X", "Y": "Y"}, lambda p, d: bce(mlp_rows(p, d["X"], TWO1, act=sigmoid, out=sigmoid), d["Y"]),
         SGD(2.0), about="forward()/backward() dicts; dA2 = -(Y/A2 - (1-Y)/(1-A2)) / m; log(A2 + eps) in the loss"),
    Case("multilabel/sigmoid_bce.py", "multilabel", "for step in range(250):", _names(*W4), {"X": "X", "T": "T"},
         lambda p, d: 3 * bce(mlp_rows(p, d["X"], TWO1, act=leaky_relu, out=sigmoid), d["T"]), SGD(0.8),
         about="three sigmoid outputs, BCE summed over labels and averaged over examples; np.where leaky ReLU"),
    Case("per_example/outer_accumulate.py", "per_example", "for epoch in range(300):",
         {"W1": "W1", "b1": "b1", "w2": "w2", "b2": "b2"}, {"X": "X", "t": "t"},
         lambda p, d: squared_error(mlp_rows(p, d["X"], [("W1", "b1"), ("w2", "b2")], act=tanh), d["t"], 0.5, "mean"),
         SGD(0.2), about="for i in range(N): dW1 += np.outer(x, dz) ...; then /= N; scalar output bias b2 = 0.0"),
    Case("linreg/mse_half.py", "linreg", "for epoch in range(100):", _names("W", "b"), {"X": "X", "Y": "Y"},
         lambda p, d: squared_error(d["X"] @ p["W"] + p["b"], d["Y"], 0.5) / d["X"].shape[0], SGD(0.1),
         about="linear regression, two outputs, 0.5 * mean over examples of the squared error; f'{loss=}'"),
    Case("train_fn/returns_loss.py", "train_fn", "for epoch in range(epochs):", _names(*W4), {"X": "X", "y": "y"},
         ce_rows(TWO1, reg=1e-3, reg_names=("W1", "W2")), SGD(0.4),
         about="the loop in train() returning the loss, under __main__; np.dot / .dot / np.matmul; 2 * reg * W"),
    Case("show_plots/plot_each_epoch.py", "show_plots", "for epoch in range(60):", _names(*W4),
         {"X": "X", "y": "y"}, ce_rows(TWO1), SGD(0.6),
         about="print(f'...') every epoch, plt.plot / plt.show() after the loop; ReLU as * (hidden > 0)"),
]


SWEEP_MUTANTS: list[Mutant] = [
    M("layer_classes/layer_hierarchy.py", "wrong_activation_derivative",
      "return grad_output * np.where(self.x > 0, 1.0, self.alpha)",
      "return grad_output * np.where(self.x > 0, 1.0, 0.0)", "leaky ReLU's negative slope dropped in backward"),
    M("layer_classes/layer_hierarchy.py", "update_order", "return grad_input",
      "return np.matmul(grad_output, self.weights.T)", "the input gradient read after the layer updated itself"),
    M("layer_classes/column_layers.py", "missing_1_over_m", "self.db = np.sum(dZ, axis=1, keepdims=True) / m",
      "self.db = np.sum(dZ, axis=1, keepdims=True)", "dZ = P - Y is not divided by m: db must divide"),
    M("layer_classes/column_layers.py", "wrong_activation_derivative", "return dA * (1 - np.power(self.A, 2))",
      "return dA * (1 - self.A)", "tanh' as 1 - a inside Tanh.backward"),
    M("stable_softmax/onehot_eps.py", "missing_1_over_m", "dZ2 = (P - Y) / N", "dZ2 = P - Y",
      "the loss is a mean over the N rows"),
    M("stable_softmax/onehot_eps.py", "wrong_activation_derivative", "dZ1 = dA1 * (1 - np.power(A1, 2))",
      "dZ1 = dA1 * (1 - np.power(X.dot(W1) + b1, 2))", "tanh' evaluated on the pre-activation instead of tanh(z)"),
    M("stable_softmax/logsumexp_batches.py", "regularisation", "dW2 = h.T @ d_logits + lam * W2",
      "dW2 = h.T @ d_logits + 2 * lam * W2", "the penalty is ½λ‖W‖²: its gradient is λW, not 2λW"),
    M("stable_softmax/logsumexp_batches.py", "missing_1_over_m", "d_logits /= n", "d_logits /= N",
      "divides by all 120 examples instead of the batch of 40"),
    M("params_dict/clip_decay.py", "clipping", "grads[k] = np.clip(grads[k], -clip, clip)",
      "params[k] = np.clip(params[k], -clip, clip)", "the weights are clipped instead of the gradients"),
    M("params_dict/clip_decay.py", "mask_wrong_array", "dz1 = dh * (z1 > 0)", "dz1 = dh * (dh > 0)",
      "the ReLU mask is taken from the gradient instead of the pre-activation"),
    M("params_dict/norm_clip_momentum.py", "clipping", "g[k] *= max_norm / norm", "g[k] *= norm / max_norm",
      "the clipping factor upside down: large gradients grow instead of shrinking"),
    M("params_dict/norm_clip_momentum.py", "wrong_activation_derivative", "dh = (ds @ params[\"W2\"].T) * (1 - h ** 2)",
      "dh = (ds @ params[\"W2\"].T) * (1 - h) ** 2", "tanh' as (1 - h)²"),
    M("params_dict/grads_fn_keys.py", "sign", "dA2 = -(Y / A2 - (1 - Y) / (1 - A2)) / m",
      "dA2 = -(Y / A2 + (1 - Y) / (1 - A2)) / m", "the BCE derivative with + for -"),
    M("params_dict/grads_fn_keys.py", "wrong_activation_derivative", "dZ1 = dA1 * A1 * (1 - A1)",
      "dZ1 = dA1 * sigmoid(A1) * (1 - sigmoid(A1))", "sigmoid applied again to the activation in its derivative"),
    M("multilabel/sigmoid_bce.py", "wrong_factor", "dZ2 = (P - T) / N", "dZ2 = (P - T) / (N * L)",
      "the loss averages over the N examples only, not over the N·L entries"),
    M("multilabel/sigmoid_bce.py", "mask_wrong_array", "dZ1 = np.where(Z1 > 0, dA1, 0.01 * dA1)",
      "dZ1 = np.where(dA1 > 0, dA1, 0.01 * dA1)", "the leaky ReLU's branch chosen by the gradient's sign"),
    M("per_example/outer_accumulate.py", "missing_transpose", "dW1 += np.outer(x, dz)", "dW1 += np.outer(dz, x)",
      "outer product in the wrong order (4×4: no shape error)"),
    M("per_example/outer_accumulate.py", "sign", "db2 += err", "db2 -= err",
      "the output bias's per-example terms subtracted instead of added"),
    M("per_example/outer_accumulate.py", "wrong_activation_derivative", "dz = err * w2 * (1 - a ** 2)",
      "dz = err * w2 * (1 - a) ** 2", "(1 - a)² instead of 1 - a², in every example's backward"),
    M("linreg/mse_half.py", "wrong_factor", "grad_W = X.T @ residual / n_samples",
      "grad_W = 2 * X.T @ residual / n_samples", "the ½ of the loss already cancels the 2"),
    M("linreg/mse_half.py", "scalar_bias", "grad_b = np.sum(residual, axis=0, keepdims=True) / n_samples",
      "grad_b = np.sum(residual) / n_samples", "one number for both outputs' biases"),
    M("linreg/mse_half.py", "sign", "W -= learning_rate * grad_W", "W += learning_rate * grad_W",
      "gradient ascent on W"),
    M("show_plots/plot_each_epoch.py", "clipping", "W1 -= alpha * grad_W1",
      "W1 = np.clip(W1 - alpha * grad_W1, -1, 1)", "the weights clipped after the step instead of the gradient"),
    M("train_fn/returns_loss.py", "regularisation", "dW2 = h.T.dot(ds) + 2 * reg * W2", "dW2 = h.T.dot(ds) + reg * W2",
      "the gradient of reg·ΣW² is 2·reg·W"),
    M("train_fn/returns_loss.py", "regularisation", "dW1 = np.matmul(X.T, dh) + 2 * reg * W1",
      "dW1 = np.matmul(X.T, dh)", "the penalty's gradient forgotten for W1"),
    M("train_fn/returns_loss.py", "missing_relu_mask", "dh[h <= 0] = 0", "dh[h < 0] = 0",
      "a ReLU output is never < 0: nothing is masked"),
    M("show_plots/plot_each_epoch.py", "mask_wrong_array", "grad_hidden = grad_hidden * (hidden > 0)",
      "grad_hidden = grad_hidden * (grad_hidden > 0)", "the ReLU mask from the gradient instead of the activation"),
]
