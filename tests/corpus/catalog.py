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
    leaky_relu,
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
import autograd.numpy as anp

from optimizers import SGD, Adam, Momentum, Nesterov, RMSProp
from spec import Case, Mutant

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


def nnfs(script, layers_of, loss, opt, steps=1, data=None, **kw):
    params, _ = layers_of
    return Case(f"nnfs/{script}", "nnfs", kw.pop("loop"), params, data or {"X": "X", "y": "y"},
                loss, opt, steps=steps, **kw)


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
    # ---- nnfs book classes ----
    nnfs("split_sgd.py", NN2, ce_rows(NN2[1]), SGD(0.85), loop="for epoch in range(151):",
         siblings=BLOCKS, about="classes in a sibling module"),
    nnfs("momentum_decay.py", NN2, ce_rows(NN2[1]), Momentum(0.9, decay=1e-2, mu=0.8), steps=2,
         loop="for epoch in range(121):", siblings=BLOCKS),
    nnfs("adam_spiral.py", NN2, ce_rows(NN2[1]), Adam(0.03, decay=5e-4, eps=1e-7), steps=2,
         loop="for epoch in range(101):", siblings=BLOCKS),
    nnfs("rmsprop_spiral.py", NN3, ce_rows(NN3[1]), RMSProp(0.01, decay=1e-4, rho=0.95, eps=1e-7), steps=2,
         loop="for epoch in range(101):", siblings=BLOCKS),
    nnfs("l2_regularized.py", NN2,
         lambda p, d: softmax_ce(mlp_rows(p, d["X"], NN2[1]), d["y"]) + l2(p, ["W1", "b1", "W2"], 5e-2),
         SGD(0.5), loop="for epoch in range(101):"),
    nnfs("separate_softmax.py", NN2,
         lambda p, d: softmax_ce_onehot(mlp_rows(p, d["X"], NN2[1], act=tanh), d["Y"]),
         SGD(0.7), data={"X": "X", "Y": "y_onehot"}, loop="for epoch in range(80):"),
    nnfs("binary_sigmoid.py", NN2, lambda p, d: bce(mlp_rows(p, d["X"], NN2[1], out=sigmoid), d["y"]),
         SGD(0.5), loop="for epoch in range(150):"),
    nnfs("sine_regression.py", NN3,
         lambda p, d: squared_error(mlp_rows(p, d["X"], NN3[1]), d["y"], scale=1.0, reduce="mean"),
         Adam(0.01, eps=1e-7), steps=2, loop="for epoch in range(200):"),
    # ---- Nielsen's network.py style: per-example column vectors, zip comprehensions ----
    Case("nielsen/train_blobs.py", "nielsen", "for batch in batches:", NIELSEN2[0], {"batch": "batch"},
         nielsen_quadratic(NIELSEN2[1]), SGD(3.0), loop_file="tiny_net.py", computes_loss=False,
         about="network class in a sibling module; the loop is inside its method"),
    Case("nielsen/train_square.py", "nielsen", "for batch in batches:", NIELSEN2[0], {"batch": "batch"},
         nielsen_quadratic(NIELSEN2[1]), SGD(2.0), loop_file="tiny_net.py", computes_loss=False,
         about="square 5×5 weights: a missing transpose changes numbers, not shapes"),
    Case("nielsen/ce_l2_net.py", "nielsen", "for chunk in chunks:", NIELSEN3[0], {"batch": "chunk"},
         nielsen_ce_l2(NIELSEN3[1], 4.0, 80), SGD(0.8), computes_loss=False,
         about="cross-entropy cost, L2 as weight decay inside the update comprehension"),
    # ---- deeplearning.ai course 1 ----
    Case("dlai_w2/logreg_images.py", "dlai_w2", "for i in range(num_iterations):", {"w": "w", "b": "b"},
         {"X": "X", "Y": "Y"}, logistic, SGD(0.05),
         about="zero init, scalar bias, propagate() returns grads and cost = float(np.squeeze(cost))"),
    Case("dlai_w2/logreg_loop.py", "dlai_w2", "for it in range(150):", {"w": "w", "b": "b"},
         {"X": "X", "Y": "Y"}, logistic, SGD(0.4), about="the cost is built with math.log in a generator"),
    Case("dlai_w3/planar_tanh.py", "dlai_w3", "for i in range(0, num_iterations):", keyed(2)[0],
         {"X": "X", "Y": "Y"}, bce_cols(keyed(2)[1], act=tanh), SGD(1.2), siblings=("planar_helpers.py",),
         about="from planar_helpers import ...: a helper module beside the script; __main__ guard"),
    Case("dlai_w3/planar_sigmoid.py", "dlai_w3", "for i in range(200):", keyed(2)[0],
         {"X": "X", "Y": "Y"}, bce_cols(keyed(2)[1], act=sigmoid), SGD(2.0), siblings=("planar_helpers.py",)),
    Case("dlai_w4/deep_model.py", "dlai_w4", "for i in range(0, num_iterations):", keyed(3)[0],
         {"X": "X", "Y": "Y"}, bce_cols(keyed(3)[1]), SGD(0.3), siblings=("dnn_helpers.py",),
         about='parameters["W" + str(l)], caches, L_model_backward, helpers in dnn_helpers.py'),
    Case("dlai_w4/deep_app.py", "dlai_w4", "for i in range(150):", keyed(4)[0],
         {"X": "train_x", "Y": "train_y"}, bce_cols(keyed(4)[1]), SGD(0.25),
         siblings=("deep_model.py", "dnn_helpers.py"), about="three hidden layers, every function imported"),
    Case("dlai_w4/two_layer_app.py", "dlai_w4", "for i in range(0, num_iterations):", keyed(2)[0],
         {"X": "X", "Y": "Y"}, bce_cols(keyed(2)[1]), SGD(0.5), siblings=("deep_model.py", "dnn_helpers.py"),
         about="update loop over computed keys: parameters[key] -= ... grads['d' + key]"),
    # ---- iamtrask: no loss line, error = y - out with += updates (that is descent) ----
    Case("iamtrask/single_layer.py", "iamtrask", "for iter in range(200):", {"W": "syn0"},
         {"X": "X", "y": "y"}, half_sse_rows([("W", None)]), SGD(1.0), computes_loss=False,
         about="integer X; the derivative helper takes the sigmoid's output"),
    Case("iamtrask/three_layer.py", "iamtrask", "for j in range(200):", {"W0": "syn0", "W1": "syn1"},
         {"X": "X", "y": "y"}, half_sse_rows([("W0", None), ("W1", None)]), SGD(1.0), computes_loss=False,
         about="prints mean |error| every 50 iterations, never the loss"),
    Case("iamtrask/alpha_hidden.py", "iamtrask", "for j in range(200):", {"W0": "synapse_0", "W1": "synapse_1"},
         {"X": "X", "y": "y"}, half_sse_rows([("W0", None), ("W1", None)]), SGD(0.5), computes_loss=False,
         about="error = output - target with -= updates"),
    # ---- dennybritz nn-from-scratch: model dict, tanh, loss in a helper called every 1000 passes ----
    Case("dennybritz/moons_tanh.py", "dennybritz", "for i in range(0, num_passes):",
         {n: n for n in ("W1", "b1", "W2", "b2")}, {"X": "X", "y": "y"},
         ce_rows(TWO1, act=tanh, reg=0.005, reg_names=("W1", "W2"), reduce="sum"), SGD(0.005),
         about="gradients of the summed loss (no 1/N); calculate_loss() reports it divided by N"),
    # ---- Kaggle "MNIST from scratch": column-major, one-hot, functions returning tuples, no loss ----
    Case("kaggle_mnist/digits_scratch.py", "kaggle_mnist", "for i in range(iterations):",
         {n: n for n in ("W1", "b1", "W2", "b2")}, {"X": "X", "Y": "Y"},
         lambda p, d: softmax_ce(mlp_cols(p, d["X"], TWO1), d["Y"], axis=0), SGD(0.1), computes_loss=False,
         about="softmax with the builtin sum(); prints accuracy, never a loss"),
    # ---- jcjohnson's numpy two-layer regression ----
    Case("jcjohnson/relu_regression.py", "jcjohnson", "for t in range(200):", {"w1": "w1", "w2": "w2"},
         {"X": "x", "y": "y"},
         lambda p, d: squared_error(mlp_rows(p, d["X"], [("w1", None), ("w2", None)]), d["y"], scale=1.0),
         SGD(1e-4), about="loss = np.square(y_pred - y).sum(), no biases"),
    Case("jcjohnson/bias_regression.py", "jcjohnson", "for t in range(200):",
         {n: n for n in ("w1", "b1", "w2", "b2")}, {"X": "x", "y": "y"},
         lambda p, d: squared_error(mlp_rows(p, d["X"], [("w1", "b1"), ("w2", "b2")]), d["y"], 1.0, "mean"),
         SGD(0.05), about="the output bias b2 is a Python float"),
    # ---- a list of layer objects walked forward, then in reverse ----
    Case("layers_list/layer_stack.py", "layers_list", "for step in range(150):",
         dense("layers[0]", "layers[2]", "layers[4]", w="W", b="b")[0], {"X": "X", "y": "y"},
         relu_tanh_ce, SGD(0.2), about="for layer in reversed(layers): grad = layer.backward(grad)"),
    Case("layers_list/inplace_update.py", "layers_list", "for epoch in range(200):",
         dense("net[0]", "net[2]", "net[4]", w="W", b="b")[0], {"X": "X", "Y": "Y"},
         lambda p, d: squared_error(mlp_rows(p, d["X"], NN3[1], act=sigmoid), d["Y"], 1.0, "mean"),
         SGD(0.5), computes_loss=True, about="each layer updates itself inside backward()"),
    Case("layers_list/sequential_momentum.py", "layers_list", "for epoch in range(epochs):",
         dense("self.layers[0]", "self.layers[2]", w="W", b="b")[0], {"X": "X", "y": "y"},
         ce_rows(NN2[1], act=leaky), Momentum(0.3, mu=0.85), steps=2,
         about="Sequential.fit() owns the loop; leaky ReLU; momentum inside each layer's step()"),
    # ---- the CS231n assignment's TwoLayerNet class: loss() returns (loss, grads) ----
    Case("cs231n_class/two_layer_net.py", "cs231n_class", "for it in range(num_iters):",
         {n: f"self.params['{n}']" for n in ("W1", "b1", "W2", "b2")}, {"X": "X_batch", "y": "y_batch"},
         ce_rows(TWO1, reg=0.02, reg_names=("W1", "W2")), SGD(0.1),
         about="random minibatch with replacement each iteration; reg·ΣW² (gradient 2·reg·W)"),
    # ---- top-level optimizers (judged as optimizer steps, two iterations) ----
    cs231n("momentum_vars.py", "for i in range(150):", lr=0.5, style="optimizers", steps=2,
           opt=Momentum(0.5, mu=0.9)),
    Case("optimizers/nesterov_dict.py", "optimizers", "for it in range(100):",
         {n: f"model['{n}']" for n in ("W1", "b1", "W2", "b2")}, {"X": "X", "y": "y"},
         ce_rows(TWO1), Nesterov(0.2, mu=0.9), steps=2),
    Case("optimizers/rmsprop_zip.py", "optimizers", "for epoch in range(120):",
         {n: n for n in ("W1", "b1", "W2", "b2")}, {"X": "X", "y": "y"},
         ce_rows(TWO1, act=tanh), RMSProp(0.01, rho=0.99, eps=1e-8), steps=2,
         about="in-place updates of list items inside a zip() loop"),
    Case("optimizers/adam_config.py", "optimizers", "for t in range(100):",
         {n: f"model['{n}']" for n in ("W1", "b1", "W2", "b2")}, {"X": "X", "y": "y"},
         ce_rows(TWO1), Adam(0.02, eps=1e-8), steps=2, about="next_w, config = adam(w, dw, config)"),
    # ---- mini-batches: the proven step is the gradient of the first batch's loss ----
    Case("minibatch/shuffled_epochs.py", "minibatch", "for start in range(0, N, batch_size):",
         {n: n for n in ("W1", "b1", "W2", "b2")}, {"X": "Xb", "y": "yb"}, ce_rows(TWO1), SGD(0.5),
         about="rng.permutation every epoch, slices of 32"),
    Case("minibatch/batch_generator.py", "minibatch", "for xb, tb in iterate_minibatches(X, t, 20, rng):",
         {n: n for n in ("W1", "b1", "W2", "b2")}, {"X": "xb", "y": "tb"},
         lambda p, d: bce(mlp_rows(p, d["X"], TWO1, act=tanh, out=sigmoid), d["y"]), SGD(1.0),
         about="batches from a generator function; sigmoid + BCE"),
    # ---- control flow that must not confuse the checker ----
    cs231n("early_stopping.py", "while epoch < 500:", lr=0.8, style="control_flow",
           about="while loop, patience counter, break"),
    cs231n("skip_and_break.py", "for i in range(300):", TWO1, lr=0.6, style="control_flow",
           about="continue before the backward pass when the loss is not finite; break on target"),
    Case("control_flow/sys_exit_main.py", "control_flow", "for it in range(200):",
         {n: n for n in ("W1", "b1", "W2", "b2")}, {"X": "X", "y": "y"}, ce_rows(TWO1, act=tanh), SGD(0.5),
         about="training inside main(); sys.exit(main()) under the __main__ guard"),
    cs231n("exit_after_loop.py", "for i in range(150):", lr=1.0, style="control_flow", computes_loss=False,
           about="sys.exit() after the loop, unreachable plotting code after it; no loss line"),
    cs231n("os_exit_after.py", "for step in range(100):", TWO1, lr=0.7, style="control_flow",
           about="os._exit(0) at the end; the loss is only computed inside a print branch"),
    # ---- dtypes and encodings ----
    cs231n("float32_spiral.py", "for i in range(150):", lr=1.0, style="dtypes", about="float32 everywhere"),
    cs231n("int_inputs.py", "for i in range(200):", lr=0.05, reg=1e-3, style="dtypes",
           about="integer X straight into np.dot"),
    cs231n("bom_utf8.py", "for schritt in range(120):", lr=0.7, style="dtypes",
           about="UTF-8 BOM, German names and comments, non-ASCII text"),
    # ---- deeper row-major nets ----
    Case("deep_rows/two_hidden_relu.py", "deep_rows", "for it in range(150):",
         {n: n for pair in THREE1 for n in pair}, {"X": "X", "y": "y"}, ce_rows(THREE1), SGD(0.5),
         about="square 16×16 W2: a missing transpose keeps the shapes"),
    Case("deep_rows/three_hidden_lists.py", "deep_rows", "for epoch in range(100):",
         listed(4, "Ws", "bs")[0], {"X": "X", "y": "y"}, ce_rows(listed(4)[1], act=tanh), SGD(0.3),
         about="lists of weights, reversed(range(...)) backward loop, zip() update"),
    Case("deep_rows/sigmoid_bce_rows.py", "deep_rows", "for i in range(200):",
         {n: n for pair in THREE1 for n in pair}, {"X": "X", "y": "y"},
         lambda p, d: bce(mlp_rows(p, d["X"], THREE1, out=sigmoid), d["y"]), SGD(0.8),
         about="one sigmoid output, binary cross-entropy, rebinding updates W = W - alpha * dW"),
    # ---- Jupyter notebooks (code cells in order; %magic and !shell lines are skipped) ----
    cs231n("spiral_notebook.ipynb", "for i in range(200):", lr=1.0, reg=1e-3, style="notebook",
           runs_plain=False, about="!pip, %matplotlib inline, markdown cells between code cells"),
    Case("notebook/logreg_notebook.ipynb", "notebook", "for i in range(num_iterations):",
         {"w": "w", "b": "b"}, {"X": "X", "Y": "Y"}, logistic, SGD(0.8), runs_plain=False,
         about="%load_ext / %autoreload; functions spread over cells"),
    Case("notebook/digits_notebook.ipynb", "notebook", "for i in range(120):",
         {n: n for n in ("W1", "b1", "W2", "b2")}, {"X": "X_train", "Y": "Y_train"},
         lambda p, d: softmax_ce(mlp_cols(p, d["X"], TWO1), d["Y"], axis=0), SGD(0.2), runs_plain=False,
         computes_loss=False, about="%%time cell magic on the training cell"),
    # ---- notebooks saved as .py ----
    Case("py_export/moons_export.py", "py_export", "for epoch in range(150):",
         {n: n for n in ("W1", "b1", "W2", "b2")}, {"X": "X", "y": "y"}, ce_rows(TWO1, act=tanh), SGD(0.6),
         runs_plain=False, about="nbconvert export: get_ipython().run_line_magic / .system / run_cell_magic"),
    Case("py_export/pasted_magics.py", "py_export", "for it in range(100):",
         {n: n for n in ("W1", "b1", "W2", "b2")}, {"X": "X", "y": "y"}, ce_rows(TWO1), SGD(0.5),
         runs_plain=False, about="bare %matplotlib / %config / !shell lines, a %time inside the loop"),
]

def M(base, family, old, new, why, file=""):
    return Mutant(base, family, old, new, why, file)


MUTANTS: list[Mutant] = [
    # ---- missing transpose (shapes square, so only the numbers are wrong) ----
    M("nielsen/train_square.py", "missing_transpose",
      "delta = np.dot(self.weights[-layer + 1].transpose(), delta) * logistic_prime(zs[-layer])",
      "delta = np.dot(self.weights[-layer + 1], delta) * logistic_prime(zs[-layer])",
      "BP2 needs (w^{l+1})^T δ^{l+1}; the 5×5 weights hide the missing transpose", file="tiny_net.py"),
    M("deep_rows/two_hidden_relu.py", "missing_transpose", "dh1 = dh2 @ W2.T", "dh1 = dh2 @ W2",
      "backpropagates through W2 instead of W2.T (16×16, so no shape error)"),
    M("kaggle_mnist/digits_scratch.py", "missing_transpose",
      "dZ1 = W2.T.dot(dZ2) * ReLU_deriv(Z1)", "dZ1 = W2.dot(dZ2) * ReLU_deriv(Z1)",
      "dA1 = W2ᵀ·dZ2; W2 is 10×10 so W2·dZ2 runs"),
    M("nnfs/separate_softmax.py", "missing_transpose",
      "jacobian_matrix = np.diagflat(single_output) - np.dot(single_output, single_output.T)",
      "jacobian_matrix = np.diagflat(single_output) - np.dot(single_output.T, single_output)",
      "the outer product s·sᵀ written as the inner product sᵀ·s (a 1×1 that broadcasts)"),
    # ---- missing 1/m ----
    M("dlai_w3/planar_tanh.py", "missing_1_over_m", "dW2 = (1 / m) * np.dot(dZ2, A1.T)", "dW2 = np.dot(dZ2, A1.T)",
      "the cost is a mean over the m examples; dW2 forgets the 1/m"),
    M("kaggle_mnist/digits_scratch.py", "missing_1_over_m",
      "dW1 = 1 / m_train * dZ1.dot(X.T)", "dW1 = dZ1.dot(X.T)", "dW1 is m times too large"),
    M("dlai_w2/logreg_loop.py", "missing_1_over_m", "dw = np.dot(X, dz.T) / m", "dw = np.dot(X, dz.T)",
      "dw summed over the examples instead of averaged"),
    # ---- 1/m twice ----
    M("nnfs/momentum_decay.py", "1_over_m_twice",
      "self.dweights = np.dot(self.inputs.T, dvalues)", "self.dweights = np.dot(self.inputs.T, dvalues) / len(dvalues)",
      "the loss's backward already divided by the number of samples", file="nnfs_blocks.py"),
    M("dlai_w4/deep_app.py", "1_over_m_twice",
      "dAL = - (np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))",
      "dAL = - (np.divide(Y, AL) - np.divide(1 - Y, 1 - AL)) / m",
      "linear_backward divides by m again", file="deep_model.py"),
    M("py_export/pasted_magics.py", "1_over_m_twice", "dW1 = X.T @ dh", "dW1 = X.T @ dh / 100",
      "dscores was already divided by the 100 examples"),
    M("dtypes/int_inputs.py", "1_over_m_twice", "db = np.sum(dhidden, axis=0, keepdims=True)",
      "db = np.sum(dhidden, axis=0, keepdims=True) / num_examples", "db divided by N a second time"),
    # ---- wrong activation derivative ----
    M("dlai_w3/planar_tanh.py", "wrong_activation_derivative",
      "dZ1 = np.multiply(np.dot(W2.T, dZ2), 1 - np.power(A1, 2))", "dZ1 = np.multiply(np.dot(W2.T, dZ2), 1 - A1)",
      "tanh' = 1 - a², not 1 - a"),
    M("dennybritz/moons_tanh.py", "wrong_activation_derivative",
      "delta2 = delta3.dot(W2.T) * (1 - np.power(a1, 2))", "delta2 = delta3.dot(W2.T) * (1 - a1)",
      "tanh' = 1 - a1², not 1 - a1"),
    M("iamtrask/single_layer.py", "wrong_activation_derivative", "return x * (1 - x)", "return x",
      "sigmoid' written as s instead of s(1 - s), inside the helper"),
    M("dlai_w3/planar_sigmoid.py", "wrong_activation_derivative",
      "dZ1 = np.dot(W2.T, dZ2) * A1 * (1 - A1)", "dZ1 = np.dot(W2.T, dZ2) * A1", "sigmoid' as s instead of s(1 - s)"),
    M("iamtrask/three_layer.py", "wrong_activation_derivative",
      "l1_delta = l1_error * nonlin(l1, deriv=True)", "l1_delta = l1_error * nonlin(l1)",
      "forgot deriv=True: multiplies by sigmoid(l1) instead of the slope"),
    M("py_export/moons_export.py", "wrong_activation_derivative",
      "d1 = d2.dot(W2.T) * (1 - a1 ** 2)", "d1 = d2.dot(W2.T) * (1 - a1)", "tanh' as 1 - a"),
    M("control_flow/sys_exit_main.py", "wrong_activation_derivative",
      "dz = da * (1 - a ** 2)", "dz = da * (1 - a) ** 2", "(1 - a)² instead of 1 - a²"),
    M("deep_rows/three_hidden_lists.py", "wrong_activation_derivative",
      "delta = (delta @ Ws[l].T) * (1 - acts[l] ** 2)", "delta = delta @ Ws[l].T",
      "the tanh derivative is left out inside the backward loop"),
    M("layers_list/sequential_momentum.py", "wrong_activation_derivative",
      "return np.where(self.x > 0, g, self.slope * g)", "return np.where(self.x > 0, g, 0)",
      "leaky ReLU's slope on the negative side is dropped (plain ReLU derivative)"),
    M("minibatch/batch_generator.py", "wrong_activation_derivative",
      "d_z1 = d_a1 * (1 - a1 * a1)", "d_z1 = d_a1 * (1 - a1)", "tanh' as 1 - a"),
    # ---- wrong axis in a bias sum ----
    M("kaggle_mnist/digits_scratch.py", "wrong_axis",
      "db2 = 1 / m_train * np.sum(dZ2, axis=1, keepdims=True)", "db2 = 1 / m_train * np.sum(dZ2)",
      "sums over every axis: a scalar (0 for softmax) instead of one value per output unit"),
    M("cs231n_class/two_layer_net.py", "wrong_axis", "grads['b2'] = np.sum(dscores, axis=0)",
      "grads['b2'] = np.sum(dscores)", "no axis: one scalar for all the biases"),
    M("dlai_w3/planar_tanh.py", "wrong_axis",
      "db1 = (1 / m) * np.sum(dZ1, axis=1, keepdims=True)", "db1 = (1 / m) * np.sum(dZ1, axis=0, keepdims=True)",
      "sums over the hidden units instead of the examples: b1 silently becomes (n_h, m)"),
    M("cs231n/spiral_flat_bias.py", "wrong_axis", "db = np.sum(dhidden, axis=0)", "db = np.sum(dhidden)",
      "no axis: every hidden bias moves by the same total"),
    # ---- missing keepdims where it matters (column-major biases) ----
    M("dlai_w4/deep_model.py", "missing_keepdims",
      "db = 1. / m * np.sum(dZ, axis=1, keepdims=True)", "db = 1. / m * np.sum(dZ, axis=1)",
      "db has shape (n,), b is (n, 1): b - lr*db broadcasts to (n, n)"),
    M("kaggle_mnist/digits_scratch.py", "missing_keepdims",
      "db1 = 1 / m_train * np.sum(dZ1, axis=1, keepdims=True)", "db1 = 1 / m_train * np.sum(dZ1, axis=1)",
      "b1 (10, 1) minus a (10,) vector becomes 10×10"),
    # ---- missing ReLU mask ----
    M("kaggle_mnist/digits_scratch.py", "missing_relu_mask",
      "dZ1 = W2.T.dot(dZ2) * ReLU_deriv(Z1)", "dZ1 = W2.T.dot(dZ2)", "ReLU' left out"),
    M("layers_list/layer_stack.py", "missing_relu_mask", "return grad * (self.x > 0)", "return grad",
      "ReLU.backward passes the gradient through unmasked"),
    M("deep_rows/two_hidden_relu.py", "missing_relu_mask",
      "dh2 = (dscores @ W3.T) * (h2 > 0)", "dh2 = dscores @ W3.T", "the second ReLU's mask is missing"),
    # ---- mask on the wrong array ----
    M("cs231n/learner_seed.py", "mask_wrong_array",
      "dhidden[hidden_layer <= 0] = 0", "dhidden[dhidden <= 0] = 0",
      "masks by the sign of the gradient instead of the hidden layer's activation"),
    M("deep_rows/two_hidden_relu.py", "mask_wrong_array", "dh1[h1 <= 0] = 0", "dh1[h2 <= 0] = 0",
      "uses the other hidden layer's activations (same width, so it runs)"),
    M("jcjohnson/relu_regression.py", "mask_wrong_array", "grad_h[h < 0] = 0", "grad_h[h_relu < 0] = 0",
      "tests the ReLU's output, which is never negative: nothing is masked"),
    # ---- sign errors (gradient ascent somewhere) ----
    M("cs231n/svm_two_layer.py", "sign",
      "binary[np.arange(N), y] = -row_sum", "binary[np.arange(N), y] = row_sum",
      "the correct class's score enters every margin with a minus sign"),
    M("iamtrask/single_layer.py", "sign", "l1_error = y - l1", "l1_error = l1 - y",
      "with `syn0 += ...` the error must be y - l1"),
    M("iamtrask/alpha_hidden.py", "sign", "layer_2_error = layer_2 - y", "layer_2_error = y - layer_2",
      "with `synapse -= alpha * ...` the error must be output - target"),
    M("dlai_w2/logreg_images.py", "sign", "w = w - learning_rate * dw", "w = w + learning_rate * dw",
      "ascent on the weights"),
    M("nnfs/rmsprop_spiral.py", "sign",
      "layer.weights += -self.current_learning_rate * layer.dweights / (np.sqrt(layer.weight_cache) + self.epsilon)",
      "layer.weights += self.current_learning_rate * layer.dweights / (np.sqrt(layer.weight_cache) + self.epsilon)",
      "the optimizer method forgets the minus"),
    M("nnfs/sine_regression.py", "sign",
      "self.dinputs = -2 * (y_true - dvalues) / outputs", "self.dinputs = -2 * (dvalues - y_true) / outputs",
      "MSE gradient with the difference the wrong way round"),
    M("dlai_w4/two_layer_app.py", "sign",
      "dA2 = - (np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))", "dA2 = - (np.divide(Y, A2) + np.divide(1 - Y, 1 - A2))",
      "d(BCE)/dA: the second term's sign"),
    M("dtypes/float32_spiral.py", "sign",
      "dscores[range(num_examples), y] -= 1", "dscores[range(num_examples), y] += 1",
      "adds the one-hot instead of subtracting it"),
    M("layers_list/sequential_momentum.py", "sign",
      "self.vW = mu * self.vW - lr * self.gW", "self.vW = mu * self.vW + lr * self.gW",
      "the velocity accumulates +lr·gradient: ascent"),
    M("dtypes/bom_utf8.py", "sign", "W2 -= schrittweite * dW2", "W2 += schrittweite * dW2", "ascent on W2"),
    # ---- regularisation doubled / missing / mis-scaled in one gradient ----
    M("cs231n/spiral_reg3.py", "regularisation", "dW2 += reg * W2", "dW2 += 2 * reg * W2",
      "the loss has 0.5·reg·ΣW², whose gradient is reg·W, not 2·reg·W"),
    M("cs231n/svm_linear.py", "regularisation",
      "dW = X.T @ mask / num_train + reg * W", "dW = X.T @ mask / num_train",
      "the loss has the ½·reg·ΣW² penalty, the gradient forgets its reg·W"),
    M("nnfs/l2_regularized.py", "regularisation",
      "self.dweights += 2 * self.weight_regularizer_l2 * self.weights",
      "self.dweights += self.weight_regularizer_l2 * self.weights",
      "the loss is λ·Σw² (no ½): its gradient is 2λw"),
    M("nielsen/ce_l2_net.py", "regularisation",
      "self.weights = [(1 - eta * (lmbda / n)) * w - (eta / len(chunk)) * sw",
      "self.weights = [(1 - eta * lmbda) * w - (eta / len(chunk)) * sw",
      "weight decay without the 1/n of the regularised cost"),
    M("cs231n_class/two_layer_net.py", "regularisation",
      "grads['W1'] = X.T.dot(dh1) + 2 * reg * W1", "grads['W1'] = X.T.dot(dh1) + reg * W1",
      "reg·ΣW² needs 2·reg·W in the gradient"),
    # ---- a scalar bias's gradient ----
    M("dlai_w2/logreg_images.py", "scalar_bias", "db = 1 / m * np.sum(A - Y)", "db = np.sum(A - Y)",
      "the scalar db forgets the 1/m"),
    M("jcjohnson/bias_regression.py", "scalar_bias", "grad_b2 = grad_y_pred.sum()", "grad_b2 = grad_y_pred.mean()",
      "grad_y_pred is already divided by N: the scalar bias needs its sum"),
    # ---- the wrong line is inside a helper / method / sibling module, not at the call site ----
    M("nnfs/split_sgd.py", "helper", "self.dinputs[self.inputs <= 0] = 0", "self.dinputs[self.inputs > 0] = 0",
      "ReLU.backward in the sibling module zeroes the wrong half", file="nnfs_blocks.py"),
    M("nielsen/train_blobs.py", "helper", "return s * (1 - s)", "return z * (1 - z)",
      "sigmoid' computed from z instead of sigmoid(z), in the module's helper", file="tiny_net.py"),
    M("dlai_w4/deep_app.py", "helper", "dZ = dA * s * (1 - s)", "dZ = dA * (1 - s)",
      "sigmoid_backward in dnn_helpers.py drops a factor s", file="dnn_helpers.py"),
    M("layers_list/layer_stack.py", "helper", "return grad * (1 - self.out ** 2)", "return grad * (1 - self.out)",
      "Tanh.backward: 1 - out instead of 1 - out²"),
    M("optimizers/adam_config.py", "helper",
      "m_hat = config['m'] / (1 - config['beta1'] ** config['t'])", "m_hat = config['m']",
      "adam() forgets the first moment's bias correction: the first steps are 10× too small"),
    # ---- update order: the backward pass uses an already-updated weight ----
    M("cs231n/spiral_update_as_you_go.py", "update_order",
      "dhidden = np.dot(dscores, W2_old.T)", "dhidden = np.dot(dscores, W2.T)",
      "backpropagates through W2 after it was already updated"),
    M("layers_list/inplace_update.py", "update_order", "return grad_in", "return grad_out @ self.W.T",
      "the input gradient is computed with the weights just updated"),
    # ---- a wrong line in a notebook cell ----
    M("notebook/spiral_notebook.ipynb", "notebook_cell",
      "dhidden[hidden_layer <= 0] = 0", "dhidden[hidden_layer < 0] = 0",
      "the ReLU output is never < 0: nothing is masked", file="spiral_notebook.ipynb"),
    M("notebook/logreg_notebook.ipynb", "notebook_cell", "db = np.sum(A - Y) / m", "db = np.sum(A - Y)",
      "the scalar db forgets the 1/m", file="logreg_notebook.ipynb"),
    M("notebook/digits_notebook.ipynb", "notebook_cell",
      "db1 = 1 / m * np.sum(dZ1, axis=1, keepdims=True)", "db1 = 1 / m * np.sum(dZ1, axis=1)",
      "b1 (12, 1) minus a (12,) vector becomes 12×12", file="digits_notebook.ipynb"),
    # ---- more: 1/m twice at the learner's own script ----
    M("cs231n/learner_seed.py", "1_over_m_twice",
      "dW2 = np.dot(hidden_layer.T, dscores)", "dW2 = np.dot(hidden_layer.T, dscores) / num_examples",
      "divides by N again although dscores is already divided"),
]
