"""PNG plots: the loss curve the learner collects but never draws, and the decision boundary.

Figures are built with :class:`matplotlib.figure.Figure` and rendered by the
Agg canvas straight into PNG bytes.  ``pyplot`` is never imported, so there is
no display, no global figure registry to leak, and a notebook's own backend
is left alone.  Colours are the Okabe-Ito palette (colour-blind friendly) and
each class also has its own marker shape.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from chainrule.errors import ChainruleError
from chainrule.output import ensure_writable, write_bytes

DPI = 110
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LOSS_COLOR = "#0072B2"
ACCURACY_COLOR = "#D55E00"
EDGE_COLOR = "#222222"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

Predict = Callable[[np.ndarray], np.ndarray]


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> bytes:
    """Render ``fig`` to PNG bytes and release it."""
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    finally:
        fig.clear()
    return buffer.getvalue()


def class_color(k: int) -> str:
    """Colour of class ``k`` (Okabe-Ito, cycling after 8 classes)."""
    return PALETTE[k % len(PALETTE)]


# --------------------------------------------------------------------------- loss curve

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
    fig = _figure(6.4, 4.0)
    ax = fig.add_subplot()
    finite = np.isfinite(loss)  # (T,)
    marker = "o" if it.size <= 60 else None
    ax.plot(it[finite], loss[finite], color=LOSS_COLOR, marker=marker, markersize=3, lw=1.8, label="loss")
    if finite.any() and _wants_log(loss[finite]):
        ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss", color=LOSS_COLOR)
    ax.tick_params(axis="y", colors=LOSS_COLOR)
    ax.grid(True, which="major", alpha=0.3)
    handles = ax.get_lines()
    if accuracies is not None:
        handles = handles + _accuracy_axis(ax, it, np.asarray(accuracies, dtype=float))
    ax.legend(handles=handles, loc="center right", framealpha=0.9)
    ax.set_title(title + _loss_suffix(it, loss, finite))
    return _png(fig)


def _wants_log(loss: np.ndarray) -> bool:
    """Log scale when every loss is positive and they span a factor >= 20."""
    return bool(loss.min() > 0 and loss.max() / loss.min() >= 20)


def _loss_suffix(it: np.ndarray, loss: np.ndarray, finite: np.ndarray) -> str:
    if not finite.all():
        first = int(np.argmin(finite))
        return f"\n(loss became {loss[first]} at iteration {it[first]:g}; not plotted from there)"
    return f"\nfinal loss {loss[-1]:.4g} at iteration {it[-1]:g}"


def _accuracy_axis(ax, it: np.ndarray, acc: np.ndarray) -> list[Line2D]:
    if acc.shape != it.shape:
        raise ValueError(f"accuracies has shape {acc.shape}, iterations {it.shape}")
    twin = ax.twinx()
    lines = twin.plot(it, acc, color=ACCURACY_COLOR, lw=1.5, ls="--", label="accuracy")
    twin.set_ylim(0.0, 1.05)
    twin.yaxis.set_major_formatter(PercentFormatter(1.0))
    twin.set_ylabel("accuracy", color=ACCURACY_COLOR)
    twin.tick_params(axis="y", colors=ACCURACY_COLOR)
    return lines


# --------------------------------------------------------------------------- decision boundary

def decision_boundary_png(predict: Predict, X: np.ndarray, y: np.ndarray, title: str = "Decision boundary",
                          class_names: Sequence[str] | None = None, resolution: int = 200) -> bytes:
    """Colour the plane by predicted class and draw the data on top, as PNG bytes.

    Parameters
    ----------
    predict : callable
        ``predict(points)`` with points (M, 2) returns labels (M,); (M, K)
        scores are accepted too (argmax is taken).  Called in chunks of at
        most 4096 points, so a wide hidden layer stays small in memory.
    X : np.ndarray
        (N, 2) the data.  Other D raise :class:`ChainruleError`.
    y : np.ndarray
        (N,) true labels ``0..K-1``.
    title : str
        Figure title; the training accuracy is appended.
    class_names : sequence of str, optional
        Legend entry of each class; default ``class 0``, ``class 1``, ...
    resolution : int
        Grid points per axis.

    Returns
    -------
    bytes
        A PNG image.
    """
    X = np.asarray(X, dtype=float)  # (N, D)
    y = np.asarray(y).astype(np.int64)  # (N,)
    if X.ndim != 2 or X.shape[1] != 2:
        dim = X.shape[1] if X.ndim == 2 else X.ndim
        raise ChainruleError(
            f"The decision-boundary plot needs exactly 2 features, but the data has {dim}. It "
            f"colours the plane (feature 1 across, feature 2 up) by the predicted class, which "
            f"is only possible in 2-D. Use a 2-D data set (e.g. --dataset spiral) or a CSV "
            f"with two feature columns; the loss curve is still drawn."
        )
    if y.shape != (X.shape[0],):
        raise ValueError(f"y has shape {y.shape}, expected ({X.shape[0]},)")
    xx, yy = _grid(X, resolution)  # (R, R) each
    Z = predict_in_chunks(predict, np.c_[xx.ravel(), yy.ravel()]).reshape(xx.shape)  # (R, R)
    classes = int(max(y.max(initial=0), Z.max(initial=0), len(class_names or ()) - 1)) + 1
    names = list(class_names) if class_names else [f"class {k}" for k in range(classes)]
    names += [f"class {k}" for k in range(len(names), classes)]
    fig = _figure(6.0, 5.6)
    ax = fig.add_subplot()
    _fill_regions(ax, xx, yy, Z, classes)
    _scatter_classes(ax, X, y, classes, names)
    accuracy = float(np.mean(predict_in_chunks(predict, X) == y))
    ax.set_title(f"{title}\ntraining accuracy {accuracy:.1%} on {X.shape[0]} points")
    ax.set_xlabel("x₁ (feature 1)")
    ax.set_ylabel("x₂ (feature 2)")
    ax.set_xlim(xx[0, 0], xx[0, -1])
    ax.set_ylim(yy[0, 0], yy[-1, 0])
    ax.set_aspect("equal")
    ax.legend(title="class", loc="upper right", framealpha=0.9, fontsize="small")
    return _png(fig)


def _grid(X: np.ndarray, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """A (R, R) mesh over the data's bounding box padded by 10% on every side."""
    low, high = X.min(axis=0), X.max(axis=0)  # (2,)
    span = np.where(high - low > 0, high - low, 1.0)  # (2,)
    low, high = low - 0.1 * span, high + 0.1 * span
    r = max(int(resolution), 2)
    return np.meshgrid(np.linspace(low[0], high[0], r), np.linspace(low[1], high[1], r))


def predict_in_chunks(predict: Predict, points: np.ndarray, chunk: int = 4096) -> np.ndarray:
    """``predict`` over (M, 2) points, ``chunk`` rows at a time, as (M,) int64 labels."""
    out = []
    for start in range(0, points.shape[0], chunk):
        part = np.asarray(predict(points[start:start + chunk]))
        if part.ndim == 2 and part.shape[1] > 1:
            part = part.argmax(axis=1)  # scores (m, K) -> labels (m,)
        out.append(part.reshape(-1))
    labels = np.concatenate(out) if out else np.zeros(0)
    if labels.shape != (points.shape[0],):
        raise ValueError(f"predict returned {labels.shape[0]} labels for {points.shape[0]} points")
    if labels.size and labels.min() < 0:
        raise ValueError("predict returned a negative label")
    return labels.astype(np.int64)


def _fill_regions(ax, xx: np.ndarray, yy: np.ndarray, Z: np.ndarray, classes: int) -> None:
    """One filled contour per class (no false in-between classes on a 0|2 border)."""
    for k in range(classes):
        inside = (Z == k).astype(float)  # (R, R)
        if inside.any():
            ax.contourf(xx, yy, inside, levels=[0.5, 1.5], colors=[class_color(k)], alpha=0.28)
    if np.unique(Z).size > 1:
        ax.contour(xx, yy, Z, levels=np.arange(classes - 1) + 0.5, colors=EDGE_COLOR, linewidths=0.6, alpha=0.6)


def _scatter_classes(ax, X: np.ndarray, y: np.ndarray, classes: int, names: list[str]) -> None:
    size = float(np.clip(6000 / max(X.shape[0], 1), 8, 40))
    for k in range(classes):
        pts = X[y == k]  # (N_k, 2)
        if pts.size:
            ax.scatter(pts[:, 0], pts[:, 1], s=size, c=class_color(k), marker=MARKERS[k % len(MARKERS)],
                       edgecolors=EDGE_COLOR, linewidths=0.5, label=names[k], zorder=3)


# --------------------------------------------------------------------------- writing

def write_plots(out_dir: str | Path, pngs: Mapping[str, bytes], force: bool) -> list[Path]:
    """Write ``{file name: PNG bytes}`` into ``out_dir``; nothing is written if any would be overwritten.

    Parameters
    ----------
    out_dir : str or Path
        The folder (created if missing).
    pngs : mapping of str to bytes
        e.g. ``{"loss.png": ..., "boundary.png": ...}``; plain file names only.
    force : bool
        Replace existing files (``--force``).

    Returns
    -------
    list of Path
        The written files, in the mapping's order.
    """
    folder = Path(out_dir)
    paths = []
    for name in pngs:
        if not name or Path(name).name != name:
            raise ValueError(f"plot name {name!r} must be a plain file name such as 'loss.png'")
        paths.append(ensure_writable(folder / name, force))  # check all before writing any
    return [write_bytes(path, pngs[path.name], force) for path in paths]
