"""The loss curve the learner collects in ``error`` but never draws (and the accuracy beside it)."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from matplotlib.ticker import FuncFormatter, NullFormatter, PercentFormatter

from chainrule.plots.figure import ACCURACY_COLOR, LOSS_COLOR, Layout, png_bytes

LOSS_BOX = (4.96, 3.08)  # plot box in inches
LOSS_MARGINS = (1.0, 0.4, 0.7, 0.8)  # left, right, bottom, top: roomy, the image is cropped
ACCURACY_MARGIN = 1.0  # right margin with the accuracy axis


def loss_curve_png(iterations: Sequence[int], losses: Sequence[float],
                   accuracies: Sequence[float] | None = None, title: str = "Training loss") -> bytes:
    """The loss (and optionally accuracy) against the iteration, as PNG bytes.

    Parameters
    ----------
    iterations : sequence of int
        (T,) iteration numbers, the learner's ``ii``.
    losses : sequence of float
        (T,) loss at each of them, the learner's ``error``.  Non-finite
        values (a diverged run) are left out and marked in the title.
    accuracies : sequence of float, optional
        (T,) training accuracy in ``[0, 1]``, drawn on a second y axis.
    title : str
        Figure title.

    Returns
    -------
    bytes
        A PNG image.  The loss axis is logarithmic when the finite losses are
        all positive and span a factor of 20 or more.
    """
    it = np.asarray(iterations, dtype=float)  # (T,)
    loss = np.asarray(losses, dtype=float)  # (T,)
    if it.shape != loss.shape or it.ndim != 1 or it.size == 0:
        raise ValueError(f"need equally long, non-empty iterations and losses; got {it.shape} and {loss.shape}")
    acc = None if accuracies is None else np.asarray(accuracies, dtype=float)  # (T,)
    if acc is not None and acc.shape != it.shape:
        raise ValueError(f"accuracies has shape {acc.shape}, iterations {it.shape}")
    left, right, bottom, top = LOSS_MARGINS
    layout = Layout(LOSS_BOX, (left, right if acc is None else ACCURACY_MARGIN, bottom, top))
    fig = layout.figure()
    ax = fig.add_subplot()
    finite = np.isfinite(loss)  # (T,)
    marker = "o" if it.size <= 60 else None
    ax.plot(it[finite], loss[finite], color=LOSS_COLOR, marker=marker, markersize=3, lw=1.8, label="loss")
    if finite.any() and _wants_log(loss[finite]):
        _log_axis(ax, loss[finite])
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss", color=LOSS_COLOR)
    ax.tick_params(axis="y", which="both", colors=LOSS_COLOR)
    ax.grid(True, which="major", alpha=0.3)
    handles = list(ax.get_lines())
    if acc is not None:
        handles += _accuracy_axis(ax, it, acc).get_lines()
    ax.legend(handles=handles, loc="center right", framealpha=0.9)
    # A given y spares matplotlib's search for top tick labels to dodge (there are none).
    ax.set_title(title + _loss_suffix(it, loss, finite), y=1.0)
    return png_bytes(fig, layout)


def _wants_log(loss: np.ndarray) -> bool:
    """Log scale when every loss is positive and they span a factor >= 20."""
    return bool(loss.min() > 0 and loss.max() / loss.min() >= 20)


def _log_axis(ax, loss: np.ndarray) -> None:
    """Log scale for ``loss`` (finite, positive), labelled in plain text.

    Over a few decades the 1, 2 and 5 steps are labelled as numbers (0.05,
    0.1, 0.2, 0.5); over more, the powers of ten (10⁻³, 10⁻², ...).  Plain
    text also spares the first, slow use of matplotlib's mathtext parser,
    which its default log labels need.
    """
    ax.set_yscale("log")
    if loss.max() / loss.min() < 10 ** 2.5:
        ax.yaxis.set_major_formatter(FuncFormatter(_number_label))
        ax.yaxis.set_minor_formatter(FuncFormatter(_two_five_label))
    else:
        ax.yaxis.set_major_formatter(FuncFormatter(_decade_label))
        ax.yaxis.set_minor_formatter(NullFormatter())


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _decade_label(value: float, pos: object = None) -> str:
    """``10⁻²`` for 0.01 (other values as plain numbers)."""
    if value > 0:
        exponent = round(float(np.log10(value)))
        if np.isclose(value, 10.0 ** exponent):
            return "10" + str(exponent).translate(_SUPERSCRIPT)
    return _number_label(value)


def _number_label(value: float, pos: object = None) -> str:
    return f"{value:g}"


def _two_five_label(value: float, pos: object = None) -> str:
    """``0.02``, ``0.5``, ``20``: the 2 and 5 steps of a log axis; the other minor ticks stay unlabelled."""
    if value > 0:
        digit = value / 10.0 ** np.floor(np.log10(value) + 1e-9)
        if np.isclose(digit, 2.0) or np.isclose(digit, 5.0):
            return f"{value:g}"
    return ""


def _loss_suffix(it: np.ndarray, loss: np.ndarray, finite: np.ndarray) -> str:
    if not finite.all():
        first = int(np.argmin(finite))
        return f"\n(loss became {loss[first]} at iteration {it[first]:g}; not plotted from there)"
    return f"\nfinal loss {loss[-1]:.4g} at iteration {it[-1]:g}"


def _accuracy_axis(ax, it: np.ndarray, acc: np.ndarray):
    twin = ax.twinx()
    twin.plot(it, acc, color=ACCURACY_COLOR, lw=1.5, ls="--", label="accuracy")
    twin.set_ylim(0.0, 1.05)
    twin.yaxis.set_major_formatter(PercentFormatter(1.0))
    twin.set_ylabel("accuracy", color=ACCURACY_COLOR)
    twin.tick_params(axis="y", colors=ACCURACY_COLOR)
    return twin
