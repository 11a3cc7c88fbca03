"""A realistic hand-built Report for the learner's network (tests of the renderers).

The tiny example is really computed: ``SETUP_CODE`` and each step's
``check_code`` are executed here to fill the Values and relative errors, and
the notebook test executes the very same code in a kernel.
"""

from __future__ import annotations

import contextlib
import copy
import io
import textwrap
import time

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from chainrule.report import ForwardStep, Pitfall, Report, Step, Training, Value

DL = r"\frac{\partial L}{\partial %s}"

SETUP_CODE = textwrap.dedent('''\
    import numpy as np

    rng = np.random.default_rng(0)
    N, D, h, K = 4, 2, 3, 2          # the tiny example: 4 points, 3 hidden units, 2 classes
    X = rng.standard_normal((N, D))
    y = np.array([0, 1, 1, 0])
    W = rng.standard_normal((D, h))
    b = 0.1 * rng.standard_normal((1, h))
    W2 = rng.standard_normal((h, K))
    b2 = 0.1 * rng.standard_normal((1, K))
    num_examples = N

    # the learner's forward pass
    hidden_layer = np.maximum(0, np.dot(X, W) + b)
    scores = np.dot(hidden_layer, W2) + b2
    exp_scores = np.exp(scores)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    data_loss = np.sum(-np.log(probs[range(num_examples), y])) / num_examples


    def loss_from_scores(S):
        """The cross-entropy loss as a function of the scores alone."""
        e = np.exp(S - S.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        return -np.mean(np.log(p[range(num_examples), y]))


    def num_grad(f, x, eps=1e-6):
        """Centred finite differences of the scalar f() with respect to x (changed in place)."""
        g = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            old = x[idx]
            x[idx] = old + eps
            up = f()
            x[idx] = old - eps
            down = f()
            x[idx] = old
            g[idx] = (up - down) / (2 * eps)
        return g


    def rel_error(a, b):
        return np.max(np.abs(a - b)) / max(1e-12, np.max(np.abs(a) + np.abs(b)))
    ''')

CHECKS = {
    "scaled": '''\
        dscores = probs.copy()
        dscores[range(num_examples), y] -= 1
        S = scores.copy()
        fd = num_grad(lambda: loss_from_scores(S), S)
        err = rel_error(dscores, num_examples * fd)
        print("rel. error vs N * finite differences:", err)
        assert err < 1e-6
        ''',
    "dscores": '''\
        dscores /= num_examples
        S = scores.copy()
        fd = num_grad(lambda: loss_from_scores(S), S)
        err = rel_error(dscores, fd)
        print("rel. error vs finite differences:", err)
        assert err < 1e-6
        ''',
    "dW2": '''\
        dW2 = np.dot(hidden_layer.T, dscores)
        fd = num_grad(lambda: loss_from_scores(np.dot(hidden_layer, W2) + b2), W2)
        err = rel_error(dW2, fd)
        print("rel. error vs finite differences:", err)
        assert err < 1e-6
        ''',
    "dhidden": '''\
        dhidden = np.dot(dscores, W2.T)
        H = hidden_layer.copy()
        fd = num_grad(lambda: loss_from_scores(np.dot(H, W2) + b2), H)
        err = rel_error(dhidden, fd)
        print("rel. error vs finite differences:", err)
        assert err < 1e-6
        ''',
    "mask": '''\
        dhidden[hidden_layer <= 0] = 0
        Z = np.dot(X, W) + b
        fd = num_grad(lambda: loss_from_scores(np.dot(np.maximum(0, Z), W2) + b2), Z)
        err = rel_error(dhidden, fd)
        print("rel. error vs finite differences:", err)
        assert err < 1e-6
        ''',
}

ALIAS_CODE = textwrap.dedent('''\
    probs_demo = probs.copy()
    dscores_demo = probs_demo            # what the learner wrote: no copy, one array, two names
    dscores_demo[range(num_examples), y] -= 1
    print("same array:", np.shares_memory(dscores_demo, probs_demo))
    print("row sums of probs now:", np.round(probs_demo.sum(axis=1), 4))
    ''')


def _run(code: str, ns: dict) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(textwrap.dedent(code), ns)  # noqa: S102 - our own fixture code
    return out.getvalue()


def _val(ns: dict, name: str, note: str = "", expr: str | None = None) -> Value:
    a = np.asarray(eval(expr or name, ns))  # noqa: S307 - our own fixture code
    return Value(name=name, shape=list(a.shape), data=a.tolist(), note=note)


def _png(draw) -> bytes:
    fig = Figure(figsize=(4.2, 3.2), dpi=80)
    FigureCanvasAgg(fig)
    draw(fig.add_subplot())
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _training() -> Training:
    """Train the learner's network (small) for real and draw the two plots."""
    start = time.perf_counter()
    rng = np.random.default_rng(1)
    n, k, hid = 60, 2, 40
    r = np.tile(np.linspace(0.0, 1, n), k)
    t = np.concatenate([np.linspace(c * 4, (c + 1) * 4, n) for c in range(k)])
    t = t + rng.standard_normal(n * k) * 0.3
    X = np.c_[r * np.sin(t), r * np.cos(t)]
    y = np.repeat(np.arange(k), n)
    W, b = 0.5 * rng.standard_normal((2, hid)), np.zeros((1, hid))
    W2, b2 = 0.5 * rng.standard_normal((hid, k)), np.zeros((1, k))
    its, losses, accs = [], [], []

    def predict(P):
        return np.dot(np.maximum(0, P @ W + b), W2) + b2

    for i in range(400):
        H = np.maximum(0, X @ W + b)
        S = H @ W2 + b2
        P = np.exp(S - S.max(1, keepdims=True))
        P /= P.sum(1, keepdims=True)
        if i % 20 == 0:
            its.append(i)
            losses.append(float(-np.mean(np.log(P[range(len(y)), y]))))
            accs.append(float(np.mean(S.argmax(1) == y)))
        dS = P.copy()
        dS[range(len(y)), y] -= 1
        dS /= len(y)
        dH = dS @ W2.T
        dH[H <= 0] = 0
        W -= 1.0 * X.T @ dH
        b -= 1.0 * dH.sum(0, keepdims=True)
        W2 -= 1.0 * H.T @ dS
        b2 -= 1.0 * dS.sum(0, keepdims=True)

    def loss_plot(ax):
        ax.plot(its, losses, color="#0072B2")
        ax.set_xlabel("iteration")
        ax.set_ylabel("loss")

    def boundary_plot(ax):
        gx, gy = np.meshgrid(np.linspace(-1.1, 1.1, 120), np.linspace(-1.1, 1.1, 120))
        zz = predict(np.c_[gx.ravel(), gy.ravel()]).argmax(1).reshape(gx.shape)
        ax.contourf(gx, gy, zz, alpha=0.3, colors=["#0072B2", "#E69F00"])
        ax.scatter(X[:, 0], X[:, 1], c=np.where(y == 0, "#0072B2", "#E69F00"), s=10)

    final_scores = predict(X)
    return Training(iterations=its, losses=losses, accuracies=accs, final_loss=losses[-1],
                    train_accuracy=float(np.mean(final_scores.argmax(1) == y)),
                    seconds=time.perf_counter() - start,
                    loss_png=_png(loss_plot), boundary_png=_png(boundary_plot))


def _forward(ns: dict) -> list[ForwardStep]:
    return [
        ForwardStep(code="hidden_layer = np.maximum(0, np.dot(X, W) + b)", symbol="H",
                    name="hidden_layer", formula_latex=r"H = \max(0,\, XW + \mathbf{1}b)",
                    formula_text="H = max(0, X·W + b)", shape=[800, 1000],
                    shape_text="(N, h) = (800, 1000)", line=21,
                    values=[_val(ns, "hidden_layer")]),
        ForwardStep(code="scores = np.dot(hidden_layer, W2) + b2", symbol="S", name="scores",
                    formula_latex=r"S = HW_2 + \mathbf{1}b_2", formula_text="S = H·W2 + b2",
                    shape=[800, 2], shape_text="(N, K) = (800, 2)", line=22,
                    values=[_val(ns, "scores")]),
        ForwardStep(code="probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)",
                    symbol="P", name="probs",
                    formula_latex=r"P_{ik} = \frac{e^{S_{ik}}}{\sum_{c} e^{S_{ic}}}",
                    formula_text="P[i,k] = exp(S[i,k]) / Σ_c exp(S[i,c])", shape=[800, 2],
                    shape_text="(N, K) = (800, 2)", line=25),
        ForwardStep(code="data_loss = np.sum(corect_logprobs)/num_examples", symbol="L",
                    name="data_loss", formula_latex=r"L = -\frac{1}{N} \sum_{i} \log P_{i, y_i}",
                    formula_text="L = −(1/N) Σᵢ log P[i, yᵢ]", shape=[],
                    shape_text="scalar", line=28),
    ]


def _steps(ns: dict) -> list[Step]:
    errs = {}
    for key, code in CHECKS.items():
        _run(code, ns)
        errs[key] = float(ns["err"])
    # "autodiff": the closed form (P - Y) / N pushed through the chain, independently
    Y = np.eye(2)[ns["y"]]
    dS = (ns["probs"] - Y) / ns["N"]
    dZ = (dS @ ns["W2"].T) * (ns["hidden_layer"] > 0)
    ad = {"scaled": ns["rel_error"](ns["N"] * dS, ns["probs"] - Y),
          "dscores": ns["rel_error"](dS, ns["dscores"]),
          "dW2": ns["rel_error"](ns["hidden_layer"].T @ dS, ns["dW2"]),
          "dhidden": ns["rel_error"](dS @ ns["W2"].T, ns["dscores"] @ ns["W2"].T),
          "mask": ns["rel_error"](dZ, ns["dhidden"])}
    n = ns["N"]
    probs_after = ns["probs"] - Y
    return [
        Step(code="dscores[range(num_examples),y] -= 1", writes="dscores", holds="scaled",
             gradient_of="scores", factor=float(n), title="Subtract 1 at the correct class",
             holds_text="`dscores` now holds $N$ times the gradient of the loss with respect "
                        "to `scores`: $P - Y$, where $Y$ is 1 at each row's correct class.",
             formula_latex=r"N\,%s = P - Y" % (DL % "S"),
             index_latex=r"N\,%s = P_{ik} - \mathbb{1}[k = y_i]" % (DL % "S_{ik}"),
             formula_text="N·∂L/∂S = P − Y",
             chain="The derivative of −log softmax is 'predicted minus true' per row.",
             shape_reason="Same shape as `scores`: one row per example, one column per class.",
             shapes={"dscores": [800, 2], "probs": [800, 2]},
             formula_keys=["softmax_ce.backward"],
             values=[Value("probs", [4, 2], ns["probs"].tolist(), "before this line"),
                     Value("dscores", [4, 2], probs_after.tolist(), "after this line")],
             rel_error_fd=errs["scaled"], rel_error_autodiff=float(ad["scaled"]),
             check_code=textwrap.dedent(CHECKS["scaled"]), line=41),
        Step(code="dscores /= num_examples", writes="dscores", holds="gradient",
             gradient_of="scores", factor=1.0, title="Gradient of the scores",
             holds_text="`dscores` now holds exactly $\\partial L/\\partial S$: the loss is "
                        "a mean over the $N$ examples.",
             formula_latex=DL % "S" + r" = \frac{1}{N}(P - Y)",
             index_latex=DL % "S_{ik}" + r" = \frac{1}{N}\left(P_{ik} - \mathbb{1}[k = y_i]\right)",
             formula_text="∂L/∂S = (P − Y) / N",
             chain="L = (1/N) Σᵢ Lᵢ, so every row's gradient is divided by N.",
             shape_reason="Dividing by a number keeps the shape (N, K).",
             shapes={"dscores": [800, 2]}, formula_keys=["softmax_ce.backward"],
             values=[_val(ns, "dscores", "after this line")],
             rel_error_fd=errs["dscores"], rel_error_autodiff=float(ad["dscores"]),
             check_code=textwrap.dedent(CHECKS["dscores"]), line=42),
        Step(code="dW2 = np.dot(hidden_layer.T, dscores)", writes="dW2", holds="gradient",
             gradient_of="W2", factor=1.0, title="Gradient of W2",
             holds_text="`dW2` holds $\\partial L/\\partial W_2$, summed over the examples.",
             formula_latex=r"%s = H^{\top} %s" % (DL % "W_2", DL % "S"),
             index_latex=r"%s = \sum_{i} H_{ij} %s" % (DL % "W_{2,jk}", DL % "S_{ik}"),
             formula_text="∂L/∂W2 = Hᵀ · ∂L/∂S",
             chain="upstream ∂L/∂S × local ∂S/∂W2 = H: W2[j,k] touches S[i,k] in every "
                   "row i with slope H[i,j].",
             shape_reason="`dW2` must have the shape of `W2`, (h, K). Only Hᵀ·dS gives it: "
                          "(h, N)·(N, K) = (h, K).",
             shapes={"hidden_layer.T": [1000, 800], "dscores": [800, 2], "dW2": [1000, 2]},
             formula_keys=["linear.dW"],
             values=[_val(ns, "hidden_layer.T"), _val(ns, "dscores"), _val(ns, "dW2")],
             rel_error_fd=errs["dW2"], rel_error_autodiff=float(ad["dW2"]),
             check_code=textwrap.dedent(CHECKS["dW2"]), line=45),
        Step(code="dhidden = np.dot(dscores, W2.T)", writes="dhidden", holds="intermediate",
             gradient_of="hidden_layer", factor=1.0, title="Back into the hidden layer",
             holds_text="`dhidden` holds $\\partial L/\\partial H$, the gradient at the ReLU "
                        "*output*; the mask comes next.",
             formula_latex=r"%s = %s W_2^{\top}" % (DL % "H", DL % "S"),
             index_latex=r"%s = \sum_{k} %s W_{2,jk}" % (DL % "H_{ij}", DL % "S_{ik}"),
             formula_text="∂L/∂H = ∂L/∂S · W2ᵀ",
             chain="upstream ∂L/∂S × local ∂S/∂H = W2.",
             shape_reason="(N, K)·(K, h) = (N, h), the shape of `hidden_layer`.",
             shapes={"dscores": [800, 2], "W2.T": [2, 1000], "dhidden": [800, 1000]},
             formula_keys=["linear.dX"], values=[_val(ns, "dhidden", expr="dscores @ W2.T")],
             rel_error_fd=errs["dhidden"], rel_error_autodiff=float(ad["dhidden"]),
             check_code=textwrap.dedent(CHECKS["dhidden"]), line=47),
        Step(code="dhidden[hidden_layer <= 0] = 0", writes="dhidden", holds="gradient",
             gradient_of="np.dot(X, W) + b", factor=1.0, title="Backprop through the ReLU",
             holds_text="`dhidden` now holds $\\partial L/\\partial Z$ for $Z = XW + b$.",
             formula_latex=r"%s = %s \odot \mathbb{1}[Z > 0]" % (DL % "Z", DL % "H"),
             index_latex=r"%s = %s \cdot \mathbb{1}[Z_{ij} > 0]" % (DL % "Z_{ij}", DL % "H_{ij}"),
             formula_text="∂L/∂Z = ∂L/∂H ⊙ 1[Z > 0]",
             chain="max(0, z) has slope 1 where z > 0 and 0 elsewhere.",
             shape_reason="Elementwise: the shape stays (N, h).",
             shapes={"dhidden": [800, 1000], "hidden_layer": [800, 1000]},
             formula_keys=["relu.backward"],
             values=[_val(ns, "hidden_layer"), _val(ns, "dhidden", "after this line")],
             rel_error_fd=errs["mask"], rel_error_autodiff=float(ad["mask"]),
             check_code=textwrap.dedent(CHECKS["mask"]), line=49),
    ]


def build_report() -> Report:
    """The learner's network, explained: forward chain, 5 backward steps, a pitfall."""
    ns: dict = {}
    _run(SETUP_CODE, ns)
    forward = _forward(ns)
    steps = _steps(ns)
    alias_ns: dict = {}
    _run(SETUP_CODE, alias_ns)
    alias_out = _run(ALIAS_CODE, alias_ns)
    pitfall = Pitfall(
        id="alias", title="`dscores = probs` does not copy", shown=True,
        explanation="`dscores = probs` gives the same array a second name. The next line, "
                    "`dscores[range(num_examples),y] -= 1`, therefore also changes `probs`: "
                    "its rows no longer sum to 1, so $P$ is gone.\n\nThe learner's loop gets "
                    "away with it only because `probs` is not used again.",
        code=ALIAS_CODE, output=alias_out, fix="dscores = probs.copy()")
    return Report(
        title="Which line is which formula? A 2-layer network, line by line",
        intro="Each backward line of your code, the formula it computes, why the chain "
              "rule gives it, and a check with real numbers on a tiny example "
              "(4 points, 3 hidden units).",
        network={"N": 800, "D": 2, "h": 1000, "K": 2, "activation": "relu",
                 "tiny": {"N": 4, "D": 2, "h": 3, "K": 2}},
        forward=forward, steps=steps, pitfalls=[pitfall], training=_training(),
        setup_code=SETUP_CODE)


@pytest.fixture(scope="session")
def _report_master() -> Report:
    return build_report()


@pytest.fixture
def report(_report_master: Report) -> Report:
    """A fresh copy of the realistic report (tests may modify it)."""
    return copy.deepcopy(_report_master)


@pytest.fixture
def bad_report(report: Report) -> Report:
    """The report with a wrong step, a broken formula, NaN errors and hostile text."""
    report.title = "<script>alert('x')</script> & more"
    bad = report.steps[2]
    bad.ok = False
    bad.holds = "wrong"
    bad.message = "dW2 has shape (2, 1000) but W2 is (1000, 2): transpose `dscores` <b>."
    bad.formula_latex = r"\frac{"
    bad.rel_error_fd = float("nan")
    bad.rel_error_autodiff = float("inf")
    bad.values[0].data[0][0] = float("nan")
    report.training.losses[3] = float("nan")
    report.pitfalls[0].explanation += " <img src=x onerror=alert(1)>"
    return report


@pytest.fixture
def minimal_report() -> Report:
    """A report with nothing but a title."""
    return Report(title="Nothing yet", intro="", network={})
