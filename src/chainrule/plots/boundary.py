"""The decision boundary: the plane coloured by predicted class, the data on top."""

from __future__ import annotations

import contextlib
import warnings
from typing import Sequence

import numpy as np
from matplotlib.colors import to_rgba

from chainrule.errors import ChainruleError
from chainrule.plots.figure import (EDGE_COLOR, MARKERS, PREDICT_CHUNK, REGION_ALPHA, Layout, Predict,
                                    class_color, png_bytes)

BOUNDARY_BOX = (4.65, 4.3)  # the largest plot box in inches; one side shrinks to keep x and y to scale
BOUNDARY_MARGINS = (1.0, 0.4, 0.7, 0.8)  # left, right, bottom, top: roomy, the image is cropped
BOUNDARY_MIN_WIDTH = 4.4  # inches of figure, so a narrow plot box still has room for the title
MAX_STRETCH = 4.0  # data wider (or taller) than this is not drawn to scale but squeezed


def decision_boundary_png(predict: Predict, X: np.ndarray, y: np.ndarray, title: str = "Decision boundary",
                          class_names: Sequence[str] | None = None, resolution: int = 200) -> bytes:
    """Colour the plane by predicted class and draw the data on top, as PNG bytes.

    Parameters
    ----------
    predict : callable
        ``predict(points)`` with points (M, 2) returns labels (M,); (M, K)
        scores are accepted too (argmax is taken).  Called in chunks of at
        most 256 points, with BLAS held to one thread if threadpoolctl is
        installed, so a wide hidden layer stays small and in cache.
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
    xs, ys = _grid(X, resolution)  # (R,) each
    points = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)  # (R*R, 2), x varying fastest
    with _one_blas_thread():
        Z = predict_in_chunks(predict, points).reshape(ys.size, xs.size)  # (R, R), row i at y = ys[i]
        accuracy = float(np.mean(predict_in_chunks(predict, X) == y))
    classes = int(max(y.max(initial=0), Z.max(initial=0), len(class_names or ()) - 1)) + 1
    names = list(class_names) if class_names else [f"class {k}" for k in range(classes)]
    names += [f"class {k}" for k in range(len(names), classes)]
    box = _boundary_box(xs[-1] - xs[0], ys[-1] - ys[0])
    left, right, bottom, top = BOUNDARY_MARGINS
    side = max((BOUNDARY_MIN_WIDTH - box[0] - left - right) / 2, 0.0)
    layout = Layout(box, (left + side, right + side, bottom, top))
    fig = layout.figure()
    ax = fig.add_subplot()
    _fill_regions(ax, xs, ys, Z, classes)
    _scatter_classes(ax, X, y, classes, names)
    ax.set_title(f"{title}\ntraining accuracy {accuracy:.1%} on {X.shape[0]} points", y=1.0)
    ax.set_xlabel("x₁ (feature 1)")
    ax.set_ylabel("x₂ (feature 2)")
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.set_aspect("auto")  # the box already has the data's proportions
    ax.legend(title="class", loc="upper right", framealpha=0.9, fontsize="small")
    return png_bytes(fig, layout)


def _grid(X: np.ndarray, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """(R,) x and (R,) y grid lines over the data's bounding box padded by 10% on every side."""
    low, high = X.min(axis=0), X.max(axis=0)  # (2,)
    span = np.where(high - low > 0, high - low, 1.0)  # (2,)
    low, high = low - 0.1 * span, high + 0.1 * span
    r = max(int(resolution), 2)
    return np.linspace(low[0], high[0], r), np.linspace(low[1], high[1], r)


def _boundary_box(x_span: float, y_span: float) -> tuple[float, float]:
    """Plot box (width, height) in inches with x and y to one scale, as large as fits ``BOUNDARY_BOX``.

    Data more than ``MAX_STRETCH`` times wider than tall (or the reverse) is
    squeezed to that ratio instead of being drawn as a sliver.
    """
    ratio = float(np.clip(x_span / y_span, 1 / MAX_STRETCH, MAX_STRETCH))  # width / height
    width, height = BOUNDARY_BOX
    return (width, width / ratio) if width / ratio <= height else (height * ratio, height)


def _one_blas_thread():
    """A context holding BLAS to one thread while the grid is predicted (if threadpoolctl is installed).

    The products are small, (256, 2) @ (2, h) and the like: waking a second
    thread for each costs more than it saves, and on a busy machine it can
    make the grid many times slower.
    """
    try:
        from threadpoolctl import threadpool_limits

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return threadpool_limits(limits=1, user_api="blas")
    except Exception:  # not installed, or no BLAS it knows
        return contextlib.nullcontext()


def predict_in_chunks(predict: Predict, points: np.ndarray, chunk: int = PREDICT_CHUNK) -> np.ndarray:
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


def _region_colors(classes: int) -> np.ndarray:
    """(K, 4) RGBA of the class regions: each class colour at ``REGION_ALPHA``."""
    return np.array([to_rgba(class_color(k), REGION_ALPHA) for k in range(classes)])


def _fill_regions(ax, xs: np.ndarray, ys: np.ndarray, Z: np.ndarray, classes: int) -> None:
    """The predicted class of every grid point as one image, each cell centred on its point.

    Every pixel has the colour of one class (nearest, no blending: no false
    in-between class on a 0|2 border); a thin contour line traces the borders.
    """
    dx, dy = (xs[-1] - xs[0]) / (xs.size - 1), (ys[-1] - ys[0]) / (ys.size - 1)
    extent = (xs[0] - dx / 2, xs[-1] + dx / 2, ys[0] - dy / 2, ys[-1] + dy / 2)
    ax.imshow(_region_colors(classes)[Z], origin="lower", extent=extent, interpolation="nearest",
              aspect="auto", zorder=0)
    if np.unique(Z).size > 1:
        ax.contour(xs, ys, Z, levels=np.arange(classes - 1) + 0.5, colors=EDGE_COLOR, linewidths=0.6,
                   alpha=0.6, zorder=1)


def _scatter_classes(ax, X: np.ndarray, y: np.ndarray, classes: int, names: list[str]) -> None:
    size = float(np.clip(6000 / max(X.shape[0], 1), 8, 40))
    for k in range(classes):
        pts = X[y == k]  # (N_k, 2)
        if pts.size:
            ax.scatter(pts[:, 0], pts[:, 1], s=size, c=class_color(k), marker=MARKERS[k % len(MARKERS)],
                       edgecolors=EDGE_COLOR, linewidths=0.5, label=names[k], zorder=3)
