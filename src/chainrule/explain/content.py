"""The words and formulas of every backward line of the learner's loop.

One :class:`StepSpec` per statement, keyed by the statement exactly as the
learner wrote it.  Maths names next to code names throughout:
X = ``X``, Z = ``np.dot(X, W) + b`` (never named in the code),
H = ``hidden_layer``, S = ``scores``, P = ``probs``, N = ``num_examples``.
``⟨N⟩``, ``⟨D⟩``, ``⟨h⟩``, ``⟨K⟩`` in the texts are filled with the full-size
network's numbers, ``⟨tN⟩`` with the tiny example's N, ``⟨sign⟩`` with a
sentence about the tiny example's own gradient (:func:`.words.sign_sentence`).

The prose is for a reader whose first language is not English: short
sentences, one idea each, no idioms (``tests/explain/test_explain_prose.py``
measures it with :mod:`chainrule.explain.readability`).
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
    notes: dict[str, str] = field(default_factory=dict)  # value notes by expression (before the line)
    after_notes: dict[str, str] = field(default_factory=dict)  # value notes after the line
    labels: dict[str, str] = field(default_factory=dict)  # display names of expressions


_UPDATE_WORDS = {  # parameter -> (chain, shape reason): one idea each, no paragraph twice
    "W": ("This is not a chain-rule step. It is gradient descent. Every entry of `W` moves by "
          "−η times its own gradient, with η = `step_size`. A small step against the gradient "
          "makes the loss smaller. All four gradients are ready before the first update. So the "
          "order of the four updates does not matter.",
          "`dW` has the shape of `W`, (D, h) = (⟨D⟩, ⟨h⟩). So `+=` works entry by entry."),
    "b": ("The same gradient-descent step as for `W`, now for the hidden biases.",
          "`db` has the shape of `b`, (1, h) = (1, ⟨h⟩). So `+=` works entry by entry."),
    "W2": ("The same step for the weights of the output layer.",
           "`dW2` has the shape of `W2`, (h, K) = (⟨h⟩, ⟨K⟩)."),
    "b2": ("The last update. The next pass of the loop starts with the new weights.",
           "`db2` has the shape of `b2`, (1, K) = (1, ⟨K⟩)."),
}


def _update(p: str, g: str, P: str, bias: bool) -> StepSpec:
    chain, why_shape = _UPDATE_WORDS[p]
    ix = "[k]" if bias else "[j,k]"
    return StepSpec(
        code=f"{p} += -step_size * {g}", holds="update", gradient_of=None, factor=None,
        truth=p, title=f"Update {p}",
        formula_latex=r"%s \leftarrow %s - \eta\,%s" % (P, P, d(P)),
        index_latex=r"%s \leftarrow %s - \eta\,%s" % (P + ix, P + ix, d(P + ix)),
        formula_text=f"{latex_free(P)} ← {latex_free(P)} − η·∂L/∂{latex_free(P)}   (η = step_size = 1.0)",
        chain=chain, shape_reason=why_shape,
        holds_text=(f"`{p}` now holds the new weights: the old `{p}` minus `step_size` times "
                    f"∂L/∂`{p}`."),
        formula_keys=("update.gd",),
        before=(p, g), after=(p,),
        notes={p: "before this line: the old " + p}, after_notes={p: "after this line: the new " + p},
    )


def latex_free(sym: str) -> str:
    """``W_2`` -> ``W₂`` (the terminal's way of writing the code's maths names)."""
    return sym.replace("_2", "₂")


STEPS: tuple[StepSpec, ...] = (
    StepSpec(
        code="dscores = probs", holds="intermediate", gradient_of=None, factor=None,
        truth=None, title="Start from the probabilities",
        formula_latex=r"\texttt{dscores} = P",
        index_latex=r"\texttt{dscores}[i,k] = P[i,k]",
        formula_text="dscores = P   (not a gradient yet)",
        chain=("This line is not a chain-rule step yet. The gradient we want is "
               "∂L/∂S = (P − Y)/N. Here Y is the one-hot matrix of the labels. Row i of Y has a 1 "
               "in column `y[i]` and 0 everywhere else. This line starts from the first term, P."),
        shape_reason=("`dscores` must end with the shape of `scores`, (N, K) = (⟨N⟩, ⟨K⟩). "
                      "`probs` has this shape already."),
        holds_text=("`dscores` holds P. It is not a copy: `dscores` and `probs` are the same "
                    "array. So the next two lines change `probs` too (see the pitfall on this line)."),
        formula_keys=("softmax_ce.probs",),
        after=("dscores", "np.eye(probs.shape[1])[y]"),
        after_notes={"dscores": "the very same array as probs",
                     "np.eye(probs.shape[1])[y]": "one-hot: a 1 in column y[i] of row i"},
        labels={"np.eye(probs.shape[1])[y]": "Y"},
    ),
    StepSpec(
        code="dscores[range(num_examples),y] -= 1", holds="scaled", gradient_of="scores",
        factor="N", truth="scores", title="Subtract 1 at the correct class",
        formula_latex=r"N\,%s = P - Y" % d("S"),
        index_latex=r"N\,%s = P[i,k] - \mathbb{1}[k = y_i]" % d("S[i,k]"),
        formula_text="N·∂L/∂S = P − Y   (Y one-hot: 1 at the correct class)",
        chain=("The loss of row i is $L_i = -\\log P[i,y_i] = -S[i,y_i] + \\log\\sum_c e^{S[i,c]}$. "
               "Take the derivative with respect to $S[i,k]$, one term at a time. "
               "The second term gives "
               "$\\frac{\\partial}{\\partial S[i,k]}\\log\\sum_c e^{S[i,c]} = "
               "\\frac{e^{S[i,k]}}{\\sum_c e^{S[i,c]}} = P[i,k]$. "
               "The first term gives −1, but only where $k = y_i$. "
               "Together: $\\partial L_i/\\partial S[i,k] = P[i,k] - \\mathbb{1}[k = y_i]$. "
               "For all rows at once, this is P − Y. "
               "The factor 1/N of the mean comes on the next line."),
        shape_reason=("`range(num_examples)` and `y` are paired entry by entry: (0, `y[0]`), "
                      "(1, `y[1]`), and so on. So the line picks one entry in each row i: column "
                      "`y[i]`, the correct class. The −1 lands exactly where Y has its ones. "
                      "`dscores[:, y]` is something else. It takes whole columns for every row, "
                      "so its shape is (N, N). The tiny example shows both. `dscores` keeps its "
                      "shape (N, K)."),
        holds_text=("`dscores` now holds N·∂L/∂`scores` = P − Y. The direction is right, but it "
                    "is N = ⟨N⟩ times too big (N = ⟨tN⟩ in the tiny example). `probs` has changed "
                    "too, because it is the same array."),
        formula_keys=("softmax_ce.backward",),
        before=("np.array(list(zip(range(num_examples), y)))", "dscores[range(num_examples),y]",
                "dscores[:, y]"),
        after=("dscores", "probs"),
        notes={"np.array(list(zip(range(num_examples), y)))": "the pairs (i, y[i]): row, then column",
               "dscores[range(num_examples),y]": "one entry per row: P of the correct class",
               "dscores[:, y]": "not the same: whole columns, shape (N, N)"},
        after_notes={"dscores": "after this line: N·∂L/∂scores", "probs": "changed too (same array)"},
        labels={"np.array(list(zip(range(num_examples), y)))": "pairs (i, y[i])"},
    ),
    StepSpec(
        code="dscores /= num_examples", holds="gradient", gradient_of="scores", factor="1",
        truth="scores", title="Divide by N: the gradient of the scores",
        formula_latex=r"%s = \frac{1}{N}(P - Y)" % d("S"),
        index_latex=r"%s = \frac{1}{N}\left(P[i,k] - \mathbb{1}[k = y_i]\right)" % d("S[i,k]"),
        formula_text="∂L/∂S = (P − Y) / N",
        chain=("The loss is a mean, $L = \\frac{1}{N}\\sum_i L_i$. So each row's loss reaches L "
               "with slope $\\partial L/\\partial L_i = 1/N$. Upstream 1/N times local (P − Y) "
               "gives (P − Y)/N. This is the only place where 1/N enters. Every later gradient "
               "is built from `dscores`, so it carries the 1/N."),
        shape_reason="A division by a number keeps the shape of `scores`, (N, K) = (⟨N⟩, ⟨K⟩).",
        holds_text=("`dscores` now holds ∂L/∂`scores` exactly: one entry per example and class. "
                    "⟨sign⟩"),
        formula_keys=("softmax_ce.backward",),
        after=("dscores",), after_notes={"dscores": "after this line: ∂L/∂scores"},
    ),
    StepSpec(
        code="dW2 = np.dot(hidden_layer.T, dscores)", holds="gradient", gradient_of="W2",
        factor="1", truth="W2", title="Gradient of W2",
        formula_latex=r"%s = H^{\top}\,%s" % (d("W_2"), d("S")),
        index_latex=r"%s = \sum_{i=1}^{N} H[i,j]\,%s" % (d("W_2[j,k]"), d("S[i,k]")),
        formula_text="∂L/∂W₂ = Hᵀ · ∂L/∂S,   ∂L/∂W₂[j,k] = Σᵢ H[i,j] · ∂L/∂S[i,k]",
        chain=("$S = HW_2 + b_2$, so $S[i,k] = \\sum_j H[i,j]\\,W_2[j,k] + b_2[k]$. The local "
               "derivative is $\\partial S[i,k]/\\partial W_2[j,k] = H[i,j]$. The same weight "
               "$W_2[j,k]$ is used in every row i. The chain rule adds up all these uses: "
               "upstream $\\partial L/\\partial S[i,k]$ times local $H[i,j]$, summed over the "
               "N examples."),
        shape_reason=("A gradient has the shape of its variable. So `dW2` must be (h, K) = "
                      "(⟨h⟩, ⟨K⟩), like `W2`. The inputs are `hidden_layer` (N, h) and `dscores` "
                      "(N, K). Only one product gives (h, K): `hidden_layer.T` (h, N) times "
                      "`dscores` (N, K). The shared N is the sum over the examples. "
                      "`hidden_layer @ dscores` does not multiply at all. `dscores.T @ hidden_layer` "
                      "gives (K, h), the transpose."),
        holds_text="`dW2` holds ∂L/∂`W2`, shape (h, K) = (⟨h⟩, ⟨K⟩).",
        formula_keys=("linear.dW",),
        before=("hidden_layer.T", "dscores"), after=("dW2",),
    ),
    StepSpec(
        code="db2 = np.sum(dscores, axis=0, keepdims=True)", holds="gradient", gradient_of="b2",
        factor="1", truth="b2", title="Gradient of b2: a sum over the rows",
        formula_latex=r"%s = \mathbf{1}^{\top} %s" % (d("b_2"), d("S")),
        index_latex=r"%s = \sum_{i=1}^{N} %s" % (d("b_2[k]"), d("S[i,k]")),
        formula_text="∂L/∂b₂ = 𝟏ᵀ · ∂L/∂S = Σᵢ ∂L/∂S[i,:]   (𝟏: a column of N ones)",
        chain=("`b2` is broadcast: the same $b_2[k]$ is added to $S[i,k]$ in every row i. The "
               "local derivative is 1. So each of the N uses adds its upstream "
               "$\\partial L/\\partial S[i,k]$. The sum runs over the rows, which is `axis=0`. "
               "In the matrix form, 𝟏 is a column of N ones: 𝟏ᵀ times a matrix sums its rows."),
        shape_reason=("`b2` is (1, K) = (1, ⟨K⟩). Summing `dscores` (N, K) over `axis=0` removes "
                      "the N rows. `keepdims=True` keeps that axis with length 1, so `db2` is "
                      "(1, K), like `b2`. Without it, `db2` would be (K,). The update "
                      "`b2 += -step_size * db2` would still work, because numpy broadcasts (K,) "
                      "to (1, K). So here `keepdims` only keeps the two shapes equal. In the "
                      "forward pass it is needed: see the line that computes `probs`."),
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
        chain=("The hidden value $H[i,j]$ feeds every score of its own row, $S[i,k]$, with slope "
               "$W_2[j,k]$. Upstream $\\partial L/\\partial S[i,k]$ times local $W_2[j,k]$, "
               "summed over the K classes."),
        shape_reason=("`dhidden` must have the shape of `hidden_layer`, (N, h) = (⟨N⟩, ⟨h⟩). "
                      "From `dscores` (N, K) and `W2` (h, K), one product gives (N, h): "
                      "`dscores` (N, K) times `W2.T` (K, h). The shared K is the sum over the "
                      "classes."),
        holds_text=("`dhidden` holds ∂L/∂`hidden_layer`, written ∂L/∂H. This is the gradient "
                    "after the ReLU. The next line turns it into the gradient before the ReLU."),
        formula_keys=("linear.dX",),
        before=("dscores", "W2.T"), after=("dhidden",),
        after_notes={"dhidden": "after this line: ∂L/∂hidden_layer"},
    ),
    StepSpec(
        code="dhidden[hidden_layer <= 0] = 0", holds="gradient", gradient_of=PREACT,
        factor="1", truth="Z", title="Through the ReLU: the mask",
        formula_latex=r"%s = %s \odot \mathbb{1}[Z > 0]" % (d("Z"), d("H")),
        index_latex=r"%s = %s \cdot \mathbb{1}[Z[i,j] > 0]" % (d("Z[i,j]"), d("H[i,j]")),
        formula_text="∂L/∂Z = ∂L/∂H ⊙ 𝟙[Z > 0]   (𝟙[…] is 1 where true, 0 where false)",
        chain=("$H = \\max(0, Z)$, entry by entry, with Z = `np.dot(X, W) + b`. Its local "
               "derivative is 1 where $Z > 0$ and 0 where $Z < 0$. Upstream "
               "$\\partial L/\\partial H$ times local $\\mathbb{1}[Z > 0]$ keeps the entries where "
               "the unit is active. It sets the other entries to 0. The code tests "
               "`hidden_layer <= 0`. This is the same test as Z ≤ 0, because `hidden_layer` is 0 "
               "exactly where Z ≤ 0. At Z = 0 exactly, ReLU has no derivative (see the pitfall "
               "on ReLU at 0)."),
        shape_reason=("The mask `hidden_layer <= 0` has the shape of `dhidden`, (N, h) = "
                      "(⟨N⟩, ⟨h⟩). The line works entry by entry, with no sum and no transpose. "
                      "It writes into `dhidden` in place. So the same name now holds a different "
                      "quantity."),
        holds_text=("`dhidden` now holds ∂L/∂Z, the gradient with respect to Z = "
                    "`np.dot(X, W) + b`. The code never gives Z a name. `dhidden` no longer holds "
                    "∂L/∂`hidden_layer`: same variable, different quantity."),
        formula_keys=("relu.backward",),
        before=("hidden_layer <= 0",), after=("dhidden",),
        notes={"hidden_layer <= 0": "1 (True) where the unit is not active"},
        after_notes={"dhidden": "after this line: ∂L/∂Z"},
    ),
    StepSpec(
        code="dW = np.dot(X.T, dhidden)", holds="gradient", gradient_of="W", factor="1",
        truth="W", title="Gradient of W",
        formula_latex=r"%s = X^{\top}\,%s" % (d("W"), d("Z")),
        index_latex=r"%s = \sum_{i=1}^{N} X[i,j]\,%s" % (d("W[j,k]"), d("Z[i,k]")),
        formula_text="∂L/∂W = Xᵀ · ∂L/∂Z,   ∂L/∂W[j,k] = Σᵢ X[i,j] · ∂L/∂Z[i,k]",
        chain=("This is the pattern of `dW2`, one layer down. $Z = XW + b$, so "
               "$\\partial Z[i,k]/\\partial W[j,k] = X[i,j]$. Upstream "
               "$\\partial L/\\partial Z[i,k]$ (the masked `dhidden`) times local $X[i,j]$, "
               "summed over the N examples."),
        shape_reason=("`dW` must be (D, h) = (⟨D⟩, ⟨h⟩), like `W`. From `X` (N, D) and `dhidden` "
                      "(N, h), one product gives (D, h): `X.T` (D, N) times `dhidden` (N, h). "
                      "There is no division by N here. `dhidden` comes from `dscores`, which "
                      "holds the 1/N already."),
        holds_text="`dW` holds ∂L/∂`W`, shape (D, h) = (⟨D⟩, ⟨h⟩).",
        formula_keys=("linear.dW",),
        before=("X.T", "dhidden"), after=("dW",),
    ),
    StepSpec(
        code="db = np.sum(dhidden, axis=0, keepdims=True)", holds="gradient", gradient_of="b",
        factor="1", truth="b", title="Gradient of b: a sum over the rows",
        formula_latex=r"%s = \mathbf{1}^{\top} %s" % (d("b"), d("Z")),
        index_latex=r"%s = \sum_{i=1}^{N} %s" % (d("b[k]"), d("Z[i,k]")),
        formula_text="∂L/∂b = 𝟏ᵀ · ∂L/∂Z = Σᵢ ∂L/∂Z[i,:]   (sum over the rows, axis 0)",
        chain=("Like `b2`: the same $b[k]$ is added to $Z[i,k]$ in every row, with local "
               "derivative 1. So the upstream $\\partial L/\\partial Z[i,k]$ of every row is "
               "added up."),
        shape_reason=("`b` is (1, h) = (1, ⟨h⟩). Summing `dhidden` (N, h) over `axis=0` with "
                      "`keepdims=True` gives (1, h). There is no division by N: it is already in "
                      "`dhidden`."),
        holds_text="`db` holds ∂L/∂`b`, shape (1, h) = (1, ⟨h⟩).",
        formula_keys=("linear.db",),
        before=("dhidden",), after=("db",),
    ),
    _update("W", "dW", "W", bias=False),
    _update("b", "db", "b", bias=True),
    _update("W2", "dW2", "W_2", bias=False),
    _update("b2", "db2", "b_2", bias=True),
)

SPECS: dict[str, StepSpec] = {s.code: s for s in STEPS}


def spec_for(code: str) -> StepSpec:
    """The spec of a backward statement, by its text as written."""
    return SPECS[code]
