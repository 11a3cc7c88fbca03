"""The learner's pitfalls, each demonstrated by running code, never only stated.

Every pitfall's ``code`` is a self-contained snippet (numpy, autograd and the
tiny example's numbers as literals); ``output`` is what running it printed,
captured here by executing exactly that snippet in a fresh namespace.
"""

from __future__ import annotations

import contextlib
import io
from typing import Any

import numpy as np

from chainrule.explain.tiny import Tiny, literal
from chainrule.learner import FORUM_SOURCE, SOURCE
from chainrule.report import Pitfall

_PRINT = "np.set_printoptions(precision=4, suppress=False)\n"


def execute(code: str) -> tuple[str, dict[str, Any]]:
    """Run a snippet in a fresh namespace; return what it printed and the namespace."""
    ns: dict[str, Any] = {"__name__": "__chainrule_pitfall__"}
    out = io.StringIO()
    state = np.random.get_state()
    opts = np.get_printoptions()
    try:
        with contextlib.redirect_stdout(out), np.errstate(all="ignore"):
            exec(compile(code, "<pitfall>", "exec"), ns)  # noqa: S102 - our own snippet
    finally:
        np.random.set_state(state)
        np.set_printoptions(**opts)
    return out.getvalue(), ns


def _tiny_literals(tiny: Tiny, params: dict[str, np.ndarray]) -> str:
    lines = [f"X = {literal(tiny.X)}", f"y = {literal(tiny.y)}"]
    lines += [f"{k} = {literal(params[k])}" for k in ("W", "b", "W2", "b2")]
    lines.append("num_examples = X.shape[0]")
    return "\n".join(lines) + "\n"


_FORWARD = """hidden_layer = np.maximum(0, np.dot(X, W) + b)
scores = np.dot(hidden_layer, W2) + b2
exp_scores = np.exp(scores)
probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
"""
_BACKWARD = """dscores = probs.copy()
dscores[range(num_examples),y] -= 1
dscores /= num_examples
dW2 = np.dot(hidden_layer.T, dscores)
db2 = np.sum(dscores, axis=0, keepdims=True)
dhidden = np.dot(dscores, W2.T)
dhidden[hidden_layer <= 0] = 0
dW = np.dot(X.T, dhidden)
db = np.sum(dhidden, axis=0, keepdims=True)
"""
_LOSS = """def loss_of_params(W, b, W2, b2):
    S = anp.dot(anp.maximum(0, anp.dot(X, W) + b), W2) + b2
    m = anp.max(S, axis=1, keepdims=True)
    log_sum_exp = m[:, 0] + anp.log(anp.sum(anp.exp(S - m), axis=1))
    return anp.mean(log_sum_exp - S[np.arange(num_examples), y])

def rel_error(a, b):
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300))
"""
_HEAD = "import numpy as np\nimport autograd.numpy as anp\nfrom autograd import grad\n" + _PRINT


def alias(tiny: Tiny, probs: np.ndarray) -> Pitfall:
    code = (f"import numpy as np\n{_PRINT}"
            f"probs = {literal(probs)}  # the tiny example's probs\n"
            f"y = {literal(tiny.y)}\nnum_examples = {tiny.N}\n"
            "print('probs before:'); print(probs)\n"
            "dscores = probs                      # your line: a second name, not a copy\n"
            "dscores[range(num_examples),y] -= 1\n"
            "dscores /= num_examples\n"
            "print('probs after the next two lines:'); print(probs)\n"
            "print('dscores is probs:', dscores is probs)\n"
            "print('rows of probs sum to:', probs.sum(axis=1))\n")
    out, ns = execute(code)
    shown = bool(ns["dscores"] is ns["probs"]) and not np.allclose(ns["probs"], probs)
    return Pitfall(
        id="alias", title="`dscores = probs` is not a copy", shown=shown, code=code, output=out,
        shown_how="shown with the tiny example's numbers",
        explanation=(
            "In numpy, `dscores = probs` does not copy the array. It gives the same array a "
            "second name. The next two lines change that array in place, so `probs` changes too. "
            "The output shows it: after those lines, the rows of `probs` sum to 0, not to 1. "
            "Your loop still works, because no line reads `probs` after that point. The loss "
            "was computed before, and the next pass computes `probs` again. But a new line that "
            "uses `probs` later, such as an accuracy, would read a gradient instead."),
        fix="dscores = probs.copy()")


def overflow() -> Pitfall:
    code = ("import numpy as np\n" + _PRINT +
            "scores = np.array([[1000.0, 998.0], [3.0, 1.0]])  # one row with large scores\n"
            "with np.errstate(over='ignore', invalid='ignore'):\n"
            "    exp_scores = np.exp(scores)                  # your line\n"
            "    probs_yours = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)\n"
            "print('exp(scores):'); print(exp_scores)\n"
            "print('probs, your way:'); print(probs_yours)\n"
            "shifted = scores - np.max(scores, axis=1, keepdims=True)  # subtract each row's max\n"
            "exp_scores = np.exp(shifted)\n"
            "probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)\n"
            "print('probs, shifted:'); print(probs)\n"
            "print('largest score whose exp is finite: about', np.log(np.finfo(np.float64).max))\n")
    out, ns = execute(code)
    shown = bool(np.isnan(ns["probs_yours"]).any() and np.all(np.isfinite(ns["probs"])))
    return Pitfall(
        id="overflow", title="`np.exp(scores)` overflows for large scores", shown=shown,
        code=code, output=out, shown_how="shown with two rows of scores",
        explanation=(
            "`np.exp` of a float64 above about 709.78 is `inf`, and `inf / inf` is `nan`. Then "
            "the whole row of `probs` is `nan`, and so are the loss, every gradient and every "
            "weight. Your scores stay small here: the weights start at 0.01·randn and the inputs "
            "are within radius 1. A larger step size or large inputs can push them up. The fix "
            "is simple. Softmax does not change when you subtract the same number from a "
            "whole row: $e^{S_k - m} / \\sum_c e^{S_c - m} = e^{S_k} / \\sum_c e^{S_c}$. "
            "Subtract each row's maximum, and the largest exponent is $e^0 = 1$. The gradient "
            "(P − Y)/N stays the same."),
        fix="exp_scores = np.exp(scores - np.max(scores, axis=1, keepdims=True))")


def kink(tiny: Tiny) -> tuple[Pitfall, list[dict[str, Any]]]:
    """Your first pass: b = 0, so at the spiral's centre point the ReLU input is exactly 0."""
    code = (_HEAD + "# the tiny example, with point 0 moved to the centre (0, 0) as in your data,\n"
            "# and b = 0 as on your first pass\n"
            + _tiny_literals(tiny, {**tiny.params, "b": np.zeros_like(tiny.params["b"])}) +
            "X[0] = 0.0\n"
            "Z = np.dot(X, W) + b\n"
            "print('Z = np.dot(X, W) + b at the centre point:', Z[0])\n"
            "hidden_layer = np.maximum(0, Z)\n"
            "print('your mask hidden_layer <= 0 there:', hidden_layer[0] <= 0)\n"
            "relu = lambda z: anp.maximum(0.0, z)\n"
            "print('your code: slope of max(0, z) at z = 0 -> 0.0')\n"
            "print('autograd, np.maximum(0, z) at z = 0 ->', grad(relu)(0.0))\n"
            "print('autograd, np.where(z > 0, z, 0) at z = 0 ->',"
            " grad(lambda z: anp.where(z > 0, z, 0.0))(0.0))\n"
            "eps = 1e-6\n"
            "print('centered finite difference ->', (relu(eps) - relu(-eps)) / (2 * eps))\n"
            + _FORWARD + _BACKWARD +
            "def loss_of_preactivation(Z):\n"
            "    S = anp.dot(anp.maximum(0, Z), W2) + b2\n"
            "    m = anp.max(S, axis=1, keepdims=True)\n"
            "    log_sum_exp = m[:, 0] + anp.log(anp.sum(anp.exp(S - m), axis=1))\n"
            "    return anp.mean(log_sum_exp - S[np.arange(num_examples), y])\n"
            "print('dL/dH at the centre point (dhidden before the mask):', np.dot(dscores, W2.T)[0])\n"
            "print('dL/dZ there, your code (dhidden after the mask):', dhidden[0])\n"
            "dZ_autograd = grad(loss_of_preactivation)(Z)\n"
            "print('dL/dZ there, autograd (half of dL/dH):', dZ_autograd[0])\n")
    out, ns = execute(code)
    Z = ns["Z"]
    dH = np.dot(ns["dscores"], ns["W2"].T)[0]
    shown = bool(np.all(Z[0] == 0) and np.all(ns["dhidden"][0] == 0)
                 and np.allclose(ns["dZ_autograd"][0], 0.5 * dH, rtol=1e-12, atol=0)
                 and np.any(dH != 0))
    kinks = [{"pass": 0, "row": 0, "unit": int(j), "z": float(Z[0, j]),
              "code_gradient": 0.0, "autograd_gradient": 0.5} for j in range(Z.shape[1])]
    return Pitfall(
        id="relu_kink", title="ReLU at exactly z = 0", shown=shown, code=code, output=out,
        shown_how="shown with the tiny example's numbers and one point at the centre",
        explanation=(
            "Your spiral has one point at the centre, (0, 0), in each class. `create_data_set` "
            "uses the radius `np.linspace(0.0, 1, points)`, and its first value is 0. On the first "
            "pass `b` is all zeros. So at the centre point, Z = `np.dot(X, W) + b` is exactly 0 "
            "in every hidden unit. ReLU has no derivative at 0: its slope jumps from 0 to 1. Any "
            "number from 0 to 1 is a valid choice there. Such a number is called a *subgradient*. "
            "Your mask `hidden_layer <= 0` picks 0. autograd's `np.maximum` picks 0.5, and a "
            "centered finite difference also gives 0.5. With `np.where(z > 0, z, 0)`, autograd "
            "picks 0, as PyTorch's `relu` does. Both choices are correct. But a gradient check "
            "cannot confirm a number exactly at 0. This is why the tiny example has no point "
            "at the centre."),
        fix="# nothing to fix: 0 is a valid subgradient; only never gradient-check exactly at z = 0"), kinks


def n_comment(tiny: Tiny) -> Pitfall:
    start = SOURCE.index("def create_data_set")
    func = SOURCE[start:SOURCE.index("    return X, y\n") + len("    return X, y\n")]
    code = ("import numpy as np\n" + func +
            "X, y = create_data_set(400, 2)   # your call\n"
            "N = 200 # number of points per class   <- your comment\n"
            "num_examples = X.shape[0]\n"
            "print('X.shape:', X.shape)\n"
            "print('points per class:', np.bincount(y))\n"
            "print('num_examples =', num_examples, '- this is the N of the formulas')\n"
            "print('N in your code =', N, '- never used again')\n")
    out, ns = execute(code)
    shown = ns["X"].shape[0] == 800 and list(np.bincount(ns["y"])) == [400, 400]
    return Pitfall(
        id="n_comment", title="The comment `N = 200` is wrong: there are 400 points per class",
        shown=bool(shown), code=code, output=out, shown_how="shown by running your data lines",
        explanation=(
            "`create_data_set(400, 2)` makes 400 points for each of 2 classes. So `X` has 800 "
            "rows. The line `N = 200 # number of points per class` is left from another version, "
            "and no line uses it. In the formulas, N is the number of examples, "
            "`num_examples = X.shape[0]` = 800. This is the number that `dscores` is divided by."),
        fix="N = 400 # number of points per class (num_examples = N * K = 800)")


def python2_print() -> Pitfall:
    forum_head = "\n".join(FORUM_SOURCE.splitlines()[:4])
    code = ("forum_code = " + repr(forum_head + "\n") + "  # the first lines as they reached the forum\n"
            "try:\n    compile(forum_code, 'forum', 'exec')\n"
            "except SyntaxError as e:\n    print(f'{type(e).__name__}: {e.msg} (line {e.lineno})')\n"
            "try:\n    compile('print \"i:\", i, \"loss: \", loss', 'forum', 'exec')\n"
            "except SyntaxError as e:\n    print(type(e).__name__ + ':', e.msg)\n"
            "i, loss = 0, 0.6931\n"
            "print(\"i:\", i, \"loss: \", loss)  # Python 3\n")
    out, _ = execute(code)
    return Pitfall(
        id="python2_print", title="Python 2 `print` (and lost indentation)",
        shown="Missing parentheses" in out or "SyntaxError" in out, code=code, output=out,
        shown_how="shown by compiling the posted code with Python 3",
        explanation=(
            "The code as posted does not run in Python 3, for two reasons. First, the forum lost "
            "every indentation. In Python, indentation is part of the syntax: the bodies of "
            "`create_data_set` and of the loop must be indented. Second, "
            "`print \"i:\", i, \"loss: \", loss` is Python 2. In Python 3, `print` is a "
            "function and needs parentheses. chainrule explains the repaired script, with the "
            "indentation back and `print(...)`. Nothing else is changed."),
        fix='print("i:", i, "loss: ", loss)')


def regularisation(tiny: Tiny) -> Pitfall:
    code = (_HEAD + _tiny_literals(tiny, tiny.params) +
            "try:  # uncommenting your line alone:\n"
            "    reg_loss = 0.5*reg*np.sum(W*W) + 0.5*reg*np.sum(W2*W2)\n"
            "except NameError as e:\n    print('NameError:', e)\n"
            "reg = 1e-3                          # it needs a strength\n"
            + _FORWARD + _BACKWARD +
            "dW += reg * W                       # the two extra backward terms\n"
            "dW2 += reg * W2\n"
            "print('reg * W  ='); print(reg * W)\n"
            "print('reg * W2 ='); print(reg * W2)\n"
            + _LOSS +
            "def total_loss(W, b, W2, b2):\n"
            "    return loss_of_params(W, b, W2, b2) + 0.5*reg*anp.sum(W*W) + 0.5*reg*anp.sum(W2*W2)\n"
            "dW_true, dW2_true = grad(total_loss, 0)(W, b, W2, b2), grad(total_loss, 2)(W, b, W2, b2)\n"
            "print(f'dW  with reg * W:  relative error vs autograd {rel_error(dW, dW_true):.1e}')\n"
            "print(f'dW2 with reg * W2: relative error vs autograd {rel_error(dW2, dW2_true):.1e}')\n"
            "print(f'dW  without it:    relative error vs autograd {rel_error(dW - reg * W, dW_true):.1e}')\n")
    out, ns = execute(code)
    rel = ns["rel_error"]
    shown = ("NameError" in out and rel(ns["dW"], ns["dW_true"]) < 1e-7
             and rel(ns["dW2"], ns["dW2_true"]) < 1e-7 and rel(ns["dW"] - ns["reg"] * ns["W"], ns["dW_true"]) > 1e-3)
    return Pitfall(
        id="regularisation", title="Regularisation is commented out", shown=bool(shown),
        code=code, output=out, shown_how="shown with the tiny example's numbers and autograd",
        explanation=(
            "The line `#reg_loss = 0.5*reg*np.sum(W*W) + 0.5*reg*np.sum(W2*W2)` is commented out. "
            "`reg` is never defined, so this line alone raises a NameError. The penalty adds "
            "$R = \\frac{1}{2}\\lambda\\sum W^2 + \\frac{1}{2}\\lambda\\sum W_2^2$ to the loss, "
            "with λ = `reg`. Its gradient is $\\partial R/\\partial W = \\lambda W$: the ½ cancels "
            "the 2 of the square. So two more backward lines are needed: `dW += reg * W` and "
            "`dW2 += reg * W2`. They come after `dW` and `dW2` are computed. The biases are not "
            "regularised, so `db` and `db2` stay the same. The output shows that these gradients "
            "match autograd on the regularised loss. Without the two lines, `dW` would be wrong."),
        fix="reg = 1e-3\nreg_loss = 0.5*reg*np.sum(W*W) + 0.5*reg*np.sum(W2*W2)\n"
            "loss = data_loss + reg_loss\n# ... after dW and dW2:\ndW += reg * W\ndW2 += reg * W2")


def one_over_n(tiny: Tiny) -> Pitfall:
    code = (_HEAD + _tiny_literals(tiny, tiny.params) + _FORWARD + _BACKWARD + _LOSS +
            "dW_true = grad(loss_of_params, 0)(W, b, W2, b2)\n"
            "print(f'dW as your code computes it:     rel. error {rel_error(dW, dW_true):.1e}')\n"
            "print(f'dW divided by N a second time:   rel. error {rel_error(dW / num_examples, dW_true):.1e}')\n"
            "dscores_sum = probs.copy(); dscores_sum[range(num_examples), y] -= 1  # no /= N\n"
            "dW_sum = np.dot(X.T, np.where(hidden_layer > 0, np.dot(dscores_sum, W2.T), 0))\n"
            "print(f'dW without dscores /= N:        rel. error {rel_error(dW_sum, dW_true):.1e}')\n"
            "print('dW_sum / dW =', np.round(dW_sum[np.abs(dW) > 0] / dW[np.abs(dW) > 0], 10), '= N')\n")
    out, ns = execute(code)
    rel = ns["rel_error"]
    shown = rel(ns["dW"], ns["dW_true"]) < 1e-7 and rel(ns["dW"] / ns["num_examples"], ns["dW_true"]) > 0.1
    return Pitfall(
        id="one_over_n", title="Dividing by N twice, or not at all",
        shown=bool(shown), code=code, output=out, shown_how="shown with the tiny example's numbers",
        explanation=(
            "The 1/N of the mean enters once, in `dscores /= num_examples` (see “Where 1/N lives” "
            "in the textbook section). Two mistakes are common. Dividing `dW` by N again gives a "
            "gradient N times too small. Leaving out the division gives one N times too big: the "
            "gradient of the sum of the losses, not of their mean. The output shows both."),
        fix="# divide once, in dscores /= num_examples, and nowhere else")


def all_pitfalls(tiny: Tiny, probs: np.ndarray) -> tuple[list[Pitfall], list[dict[str, Any]]]:
    """The seven pitfalls in reading order, and the kink records for the report."""
    kink_pitfall, kinks = kink(tiny)
    return [alias(tiny, probs), overflow(), kink_pitfall, n_comment(tiny), python2_print(),
            regularisation(tiny), one_over_n(tiny)], kinks
