"""The walkthrough's general words: the introduction, the glossary, and the sentence about signs.

Short sentences, one idea each, no idioms (the reader's first language is often
not English; ``tests/explain/test_explain_prose.py`` measures it).
"""

from __future__ import annotations

import numpy as np


def sign_sentence(dscores: np.ndarray, probs: np.ndarray, y: np.ndarray) -> str:
    """What the signs of ∂L/∂S mean, with row 0 of the tiny example (and CS231n's 3-class case)."""
    p = ", ".join(f"{v:.2f}" for v in probs[0])
    g = ", ".join(f"{v:.3f}".replace("-", "−") for v in dscores[0])
    return ("The sign of an entry tells the direction. A positive entry means: a larger score "
            "makes the loss larger. A negative entry means: a larger score makes the loss "
            "smaller. Only the correct class has a negative entry. "
            f"In the tiny example, row 0 has P = [{p}] and y[0] = {int(y[0])}, so its row is "
            f"[{g}]. With three classes, P = [0.2, 0.3, 0.5] and correct class 1 give "
            "[0.2, −0.7, 0.5] before the division by N. Gradient descent then raises the "
            "correct score and lowers the others.")


INTRO = (
    "Your loop does three things on each pass. The **forward pass** turns `X` into the loss. "
    "The **backward pass** computes one gradient for each weight matrix. The **update** changes "
    "the weights so that the loss becomes smaller.\n\n"
    "The backward pass is the chain rule, one link at a time. Each line takes the gradient of "
    "the loss with respect to one quantity. This is the *upstream* gradient. The line "
    "multiplies it by one *local* derivative.\n\n"
    "A naming rule helps: a name that starts with d holds a gradient. `dW2` holds ∂L/∂`W2`, "
    "and `dscores` holds ∂L/∂`scores`. There are two exceptions, and the walkthrough shows "
    "them: `dscores` is not yet the gradient for two lines, and `dhidden` changes its meaning "
    "at the mask."
)

GLOSSARY: tuple[tuple[str, str], ...] = (
    ("gradient", "∂L/∂W tells how much the loss changes when one entry of W changes a little. "
                 "It has the shape of W."),
    ("chain rule", "The derivative of a chain of steps is the product of the derivatives of "
                   "the steps."),
    ("upstream gradient", "The gradient of the loss with respect to the output of a line. "
                          "It comes from the lines after it."),
    ("local derivative", "The derivative of one line's output with respect to its input."),
    ("one-hot", "A row of zeros with a single 1. Row i of Y has its 1 in column y[i]."),
    ("broadcast", "numpy repeats a (1, K) row for every row of an (N, K) matrix."),
    ("in place", "The line changes the existing array. It makes no new array."),
    ("mask", "An array of True and False that picks entries."),
    ("transpose", "`A.T` turns the rows of A into columns."),
    ("pass", "One time through the body of the training loop."),
    ("finite differences", "A numerical derivative. Change one entry by a tiny step up and down, "
                           "and divide the change of the loss by the change of the entry."),
    ("autograd", "A Python library that computes exact derivatives of numpy code."),
    ("relative error", "‖a − b‖ / (‖a‖ + ‖b‖). It is 0 when a and b are equal. Below 1e-7, two "
                       "gradients are the same up to rounding."),
    ("subgradient", "A slope at a point where a function has no derivative. For ReLU at 0, "
                    "any number from 0 to 1."),
)
