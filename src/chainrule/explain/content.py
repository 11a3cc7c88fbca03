"""The words and formulas of every backward line of the learner's loop.

One :class:`StepSpec` per statement, keyed by the statement exactly as the
learner wrote it.  Maths names next to code names throughout:
X = ``X``, Z = ``np.dot(X, W) + b`` (never named in the code),
H = ``hidden_layer``, S = ``scores``, P = ``probs``, N = ``num_examples``.
``⟨N⟩``, ``⟨D⟩``, ``⟨h⟩``, ``⟨K⟩`` in the texts are filled with the full-size
network's numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

PREACT = "np.dot(X, W) + b"  # the ReLU input: the code never gives it a name


def d(sym: str) -> str:
    """LaTeX ∂L/∂sym."""
    return r"\frac{\partial L}{\partial %s}" % sym


@dataclass(frozen=True)
class StepSpec:
    """What one backward statement computes and why (all words, no numbers)."""

    code: str
    holds: str  # gradient | scaled | intermediate | update
    gradient_of: Optional[str]
    factor: Optional[str]  # "1" | "N" | None
    truth: Optional[str]  # key of the truth this step is checked against
    title: str
    formula_latex: str
    index_latex: str
    formula_text: str
    chain: str
    shape_reason: str
    holds_text: str
    formula_keys: tuple[str, ...] = ()
    before: tuple[str, ...] = ()  # expressions printed before the line runs
    after: tuple[str, ...] = ()  # expressions printed after it
    notes: dict[str, str] = field(default_factory=dict)  # value notes by expression


def _update(p: str, g: str, P: str, shape: str, bias: bool) -> StepSpec:
    why_shape = (f"`{g}` has exactly the shape of `{p}`, {shape}, so the in-place `+=` adds "
                 "entry by entry" + (": that is what `keepdims=True` bought when "
                                     f"`{g}` was summed" if bias else "") + ".")
    return StepSpec(
        code=f"{p} += -step_size * {g}", holds="update", gradient_of=None, factor=None,
        truth=p, title=f"Update {p}",
        formula_latex=r"%s \leftarrow %s - \eta\,%s" % (P, P, d(P)),
        index_latex=r"%s \leftarrow %s - \eta\,%s" % (
            P + ("[k]" if bias else "[j,k]"), P + ("[k]" if bias else "[j,k]"),
            d(P + ("[k]" if bias else "[j,k]"))),
        formula_text=f"{P} ← {P} − η·∂L/∂{P}   (η = step_size = 1.0)",
        chain=("No chain rule here: this is gradient descent. Every entry of "
               f"`{p}` takes a step of size η = `step_size` against its own gradient, "
               "downhill on the loss. All four gradients were computed before the first "
               "update, so the order of the four updates does not matter."),
        shape_reason=why_shape,
        holds_text=(f"`{p}` now holds the new weights that the next pass of the loop uses: "
                    f"old `{p}` minus `step_size` × ∂L/∂{p}."),
        formula_keys=("update.gd",),
        before=(p, g), after=(p,),
        notes={p: "before this line"},
    )


STEPS: tuple[StepSpec, ...] = (
    StepSpec(
        code="dscores = probs", holds="intermediate", gradient_of=None, factor=None,
        truth=None, title="Start from the probabilities",
        formula_latex=r"\texttt{dscores} = P",
        index_latex=r"\texttt{dscores}[i,k] = P[i,k]",
        formula_text="dscores = P   (not a gradient yet)",
        chain=("No chain-rule step yet. The gradient we are building is "
               "∂L/∂S = (P − Y)/N (Y is one-hot: 1 at the "
               "correct class of each row). This line starts from its first term, P."),
        shape_reason=("`dscores` must end up with the shape of `scores`, (N, K) = (⟨N⟩, ⟨K⟩); "
                      "`probs` already has that shape."),
        holds_text=("`dscores` holds the probabilities P — and it is not a copy: `dscores` and "
                    "`probs` are the same array, so the next two lines change `probs` too "
                    "(see the pitfall *dscores = probs is not a copy*)."),
        formula_keys=("softmax_ce.probs",),
        after=("dscores",), notes={"dscores": "the very same array as probs"},
    ),
    StepSpec(
        code="dscores[range(num_examples),y] -= 1", holds="scaled", gradient_of="scores",
        factor="N", truth="scores", title="Subtract 1 at the correct class",
        formula_latex=r"N\,%s = P - Y" % d("S"),
        index_latex=r"N\,%s = P[i,k] - \mathbb{1}[k = y_i]" % d("S[i,k]"),
        formula_text="N·∂L/∂S = P − Y   (Y one-hot: 1 at the correct class)",
        chain=("The loss of row i is $L_i = -\\log P[i,y_i] = -S[i,y_i] + \\log\\sum_c e^{S[i,c]}$. "
               "Its derivative with respect to $S[i,k]$: the log-sum-exp term gives $P[i,k]$, and "
               "$-S[i,y_i]$ gives $-1$ only where $k = y_i$. So "
               "$\\partial L_i/\\partial S[i,k] = P[i,k] - \\mathbb{1}[k = y_i]$, "
               "“predicted minus true”. That is the local derivative of softmax and −log together; "
               "the upstream factor $\\partial L/\\partial L_i = 1/N$ comes on the next line."),
        shape_reason=("`range(num_examples), y` picks one entry per row — row i, column `y[i]`, the "
                      "correct class — so the −1 lands exactly where Y has its ones. "
                      "`dscores[range(num_examples),y]` is a vector of N = ⟨N⟩ entries; "
                      "`dscores` keeps its shape (N, K)."),
        holds_text=("`dscores` now holds N·∂L/∂`scores` = P − Y: the right direction but "
                    "N = `num_examples` = ⟨N⟩ times too big (in the tiny example, N = ⟨tN⟩). "
                    "`probs` has changed too: it is the same array."),
        formula_keys=("softmax_ce.backward",),
        after=("dscores", "probs"),
        notes={"dscores": "after this line: N·∂L/∂scores", "probs": "changed too (alias)"},
    ),
    StepSpec(
        code="dscores /= num_examples", holds="gradient", gradient_of="scores", factor="1",
        truth="scores", title="Divide by N: the gradient on the scores",
        formula_latex=r"%s = \frac{1}{N}(P - Y)" % d("S"),
        index_latex=r"%s = \frac{1}{N}\left(P[i,k] - \mathbb{1}[k = y_i]\right)" % d("S[i,k]"),
        formula_text="∂L/∂S = (P − Y) / N",
        chain=("The loss is a mean, $L = (1/N)\\sum_i L_i$, so every row's loss reaches L "
               "with slope $\\partial L/\\partial L_i = 1/N$. Upstream 1/N × local (P − Y). This is "
               "the only place where 1/N enters: every later gradient is built from `dscores` "
               "and inherits it."),
        shape_reason="Division by a number: `dscores` keeps the shape of `scores`, (N, K) = (⟨N⟩, ⟨K⟩).",
        holds_text=("`dscores` now holds ∂L/∂`scores` exactly — the gradient of the loss with "
                    "respect to S, one entry per example and class."),
        formula_keys=("softmax_ce.backward",),
        after=("dscores",), notes={"dscores": "after this line: ∂L/∂scores"},
    ),
    StepSpec(
        code="dW2 = np.dot(hidden_layer.T, dscores)", holds="gradient", gradient_of="W2",
        factor="1", truth="W2", title="Gradient of W2",
        formula_latex=r"%s = H^{\top}\,%s" % (d("W_2"), d("S")),
        index_latex=r"%s = \sum_{i=1}^{N} H[i,j]\,%s" % (d("W_2[j,k]"), d("S[i,k]")),
        formula_text="∂L/∂W₂ = Hᵀ · ∂L/∂S,   ∂L/∂W₂[j,k] = Σᵢ H[i,j] · ∂L/∂S[i,k]",
        chain=("$S = HW_2 + b_2$, so $S[i,k] = \\sum_j H[i,j]\\,W_2[j,k] + b_2[k]$ and the local "
               "derivative is $\\partial S[i,k]/\\partial W_2[j,k] = H[i,j]$. The same weight "
               "$W_2[j,k]$ is used in every row i, so the chain rule adds up all its uses: "
               "upstream $\\partial L/\\partial S[i,k]$ × local $H[i,j]$, summed over the N examples."),
        shape_reason=("A gradient has the shape of its variable: `dW2` must be (h, K) = (⟨h⟩, ⟨K⟩) "
                      "like `W2`. The ingredients are `hidden_layer` (N, h) and `dscores` (N, K). "
                      "The only way to multiply them into (h, K) is `hidden_layer.T` (h, N) · "
                      "`dscores` (N, K): the shared N is the sum over examples. "
                      "`hidden_layer @ dscores` does not even multiply ((N, h)·(N, K)), and "
                      "`dscores.T @ hidden_layer` gives (K, h), the transpose."),
        holds_text="`dW2` holds ∂L/∂`W2`, shape (h, K) = (⟨h⟩, ⟨K⟩).",
        formula_keys=("linear.dW",),
        before=("hidden_layer.T", "dscores"), after=("dW2",),
    ),
    StepSpec(
        code="db2 = np.sum(dscores, axis=0, keepdims=True)", holds="gradient", gradient_of="b2",
        factor="1", truth="b2", title="Gradient of b2: a sum over the rows",
        formula_latex=r"%s = \mathbf{1}^{\top} %s" % (d("b_2"), d("S")),
        index_latex=r"%s = \sum_{i=1}^{N} %s" % (d("b_2[k]"), d("S[i,k]")),
        formula_text="∂L/∂b₂ = Σᵢ ∂L/∂S[i,:]   (sum over the rows, axis 0)",
        chain=("`b2` is broadcast: the same $b_2[k]$ is added to $S[i,k]$ in every row i, with "
               "local derivative 1. So each of the N uses contributes upstream "
               "$\\partial L/\\partial S[i,k]$ × 1, and the chain rule adds them: a sum over axis 0."),
        shape_reason=("`b2` is (1, K) = (1, ⟨K⟩), so `db2` must be (1, K). Summing `dscores` "
                      "(N, K) over `axis=0` removes the N rows; `keepdims=True` keeps that axis "
                      "with length 1, giving (1, K) instead of the flat (K,), so `db2` has "
                      "exactly the shape of `b2`."),
        holds_text="`db2` holds ∂L/∂`b2`, shape (1, K) = (1, ⟨K⟩).",
        formula_keys=("linear.db",),
        before=("dscores",), after=("db2",),
    ),
    StepSpec(
        code="dhidden = np.dot(dscores, W2.T)", holds="gradient", gradient_of="hidden_layer",
        factor="1", truth="hidden_layer", title="Into the hidden layer",
        formula_latex=r"%s = %s\,W_2^{\top}" % (d("H"), d("S")),
        index_latex=r"%s = \sum_{k=1}^{K} %s\,W_2[j,k]" % (d("H[i,j]"), d("S[i,k]")),
        formula_text="∂L/∂H = ∂L/∂S · W₂ᵀ,   ∂L/∂H[i,j] = Σₖ ∂L/∂S[i,k] · W₂[j,k]",
        chain=("Hidden unit $H[i,j]$ feeds every score of its own row, $S[i,k]$, with slope "
               "$W_2[j,k]$. Upstream $\\partial L/\\partial S[i,k]$ × local $W_2[j,k]$, summed "
               "over the K classes it feeds."),
        shape_reason=("`dhidden` must have the shape of `hidden_layer`, (N, h) = (⟨N⟩, ⟨h⟩). From "
                      "`dscores` (N, K) and `W2` (h, K) the product that gives (N, h) is "
                      "`dscores` (N, K) · `W2.T` (K, h): the shared K is the sum over classes."),
        holds_text=("`dhidden` holds ∂L/∂`hidden_layer` (∂L/∂H): the gradient *after* the ReLU. "
                    "The next line turns it into the gradient before the ReLU."),
        formula_keys=("linear.dX",),
        before=("dscores", "W2.T"), after=("dhidden",),
        notes={"dhidden": "after this line: ∂L/∂hidden_layer"},
    ),
    StepSpec(
        code="dhidden[hidden_layer <= 0] = 0", holds="gradient", gradient_of=PREACT,
        factor="1", truth="Z", title="Through the ReLU: the mask",
        formula_latex=r"%s = %s \odot \mathbb{1}[Z > 0]" % (d("Z"), d("H")),
        index_latex=r"%s = %s \cdot \mathbb{1}[Z[i,j] > 0]" % (d("Z[i,j]"), d("H[i,j]")),
        formula_text="∂L/∂Z = ∂L/∂H ⊙ 1[Z > 0]   (zero where the unit did not fire)",
        chain=("$H = \\max(0, Z)$ entry by entry, with Z = `np.dot(X, W) + b`. Its local "
               "derivative is 1 where $Z > 0$ and 0 where $Z < 0$. Upstream "
               "$\\partial L/\\partial H$ × local $\\mathbb{1}[Z > 0]$: keep the entries where "
               "the unit fired, zero the others. The code tests `hidden_layer <= 0`, which is "
               "the same as Z ≤ 0 because `hidden_layer` is 0 exactly where Z ≤ 0. At Z = 0 "
               "exactly there is no derivative; the code picks 0 (see the pitfall on the kink)."),
        shape_reason=("Entry by entry: the mask `hidden_layer <= 0` has the shape of `dhidden`, "
                      "(N, h) = (⟨N⟩, ⟨h⟩); no sum, no transpose. The assignment writes into "
                      "`dhidden` in place, so the same name now means a different quantity."),
        holds_text=("`dhidden` now holds ∂L/∂Z, the gradient with respect to the pre-activation "
                    "`np.dot(X, W) + b` — which the code never names — and no longer "
                    "∂L/∂`hidden_layer`. Same variable, different quantity."),
        formula_keys=("relu.backward",),
        before=("hidden_layer <= 0",), after=("dhidden",),
        notes={"hidden_layer <= 0": "1 (True) where the unit did not fire",
               "dhidden": "after this line: ∂L/∂Z"},
    ),
    StepSpec(
        code="dW = np.dot(X.T, dhidden)", holds="gradient", gradient_of="W", factor="1",
        truth="W", title="Gradient of W",
        formula_latex=r"%s = X^{\top}\,%s" % (d("W"), d("Z")),
        index_latex=r"%s = \sum_{i=1}^{N} X[i,j]\,%s" % (d("W[j,k]"), d("Z[i,k]")),
        formula_text="∂L/∂W = Xᵀ · ∂L/∂Z,   ∂L/∂W[j,k] = Σᵢ X[i,j] · ∂L/∂Z[i,k]",
        chain=("The same pattern as `dW2` one layer down: $Z = XW + b$, so "
               "$\\partial Z[i,k]/\\partial W[j,k] = X[i,j]$. Upstream $\\partial L/\\partial Z[i,k]$ "
               "(the masked `dhidden`) × local $X[i,j]$, summed over the N examples."),
        shape_reason=("`dW` must be (D, h) = (⟨D⟩, ⟨h⟩) like `W`. From `X` (N, D) and `dhidden` "
                      "(N, h) the product that gives (D, h) is `X.T` (D, N) · `dhidden` (N, h). "
                      "No division by N here: `dhidden` was built from `dscores`, which already "
                      "holds the 1/N."),
        holds_text="`dW` holds ∂L/∂`W`, shape (D, h) = (⟨D⟩, ⟨h⟩).",
        formula_keys=("linear.dW",),
        before=("X.T", "dhidden"), after=("dW",),
    ),
    StepSpec(
        code="db = np.sum(dhidden, axis=0, keepdims=True)", holds="gradient", gradient_of="b",
        factor="1", truth="b", title="Gradient of b: a sum over the rows",
        formula_latex=r"%s = \mathbf{1}^{\top} %s" % (d("b"), d("Z")),
        index_latex=r"%s = \sum_{i=1}^{N} %s" % (d("b[k]"), d("Z[i,k]")),
        formula_text="∂L/∂b = Σᵢ ∂L/∂Z[i,:]   (sum over the rows, axis 0)",
        chain=("Like `b2`: the same $b[k]$ is added to $Z[i,k]$ in every row with local "
               "derivative 1, so the upstream $\\partial L/\\partial Z[i,k]$ of every row is "
               "added up."),
        shape_reason=("`b` is (1, h) = (1, ⟨h⟩); summing `dhidden` (N, h) over `axis=0` with "
                      "`keepdims=True` gives (1, h). No division by N: it is already in `dhidden`."),
        holds_text="`db` holds ∂L/∂`b`, shape (1, h) = (1, ⟨h⟩).",
        formula_keys=("linear.db",),
        before=("dhidden",), after=("db",),
    ),
    _update("W", "dW", "W", "(D, h) = (⟨D⟩, ⟨h⟩)", bias=False),
    _update("b", "db", "b", "(1, h) = (1, ⟨h⟩)", bias=True),
    _update("W2", "dW2", "W_2", "(h, K) = (⟨h⟩, ⟨K⟩)", bias=False),
    _update("b2", "db2", "b_2", "(1, K) = (1, ⟨K⟩)", bias=True),
)

SPECS: dict[str, StepSpec] = {s.code: s for s in STEPS}


def spec_for(code: str) -> StepSpec:
    """The spec of a backward statement, by its text as written."""
    return SPECS[code]


INTRO = (
    "Your loop does three things each time round: a **forward pass** that turns `X` into the "
    "loss, a **backward pass** that turns the loss into one gradient per weight matrix, and an "
    "**update** that moves the weights downhill. The backward pass is the chain rule applied "
    "one link at a time, from the loss back to `W`: each line takes the gradient with respect "
    "to one quantity (the *upstream* gradient) and multiplies it by one *local* derivative. "
    "Below, every backward line of your code is matched to its formula (matrix form and "
    "index form), its shapes, what the variable holds after the line, real numbers on a tiny "
    "copy of your network, and a numerical proof that it is the true gradient."
)
