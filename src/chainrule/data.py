"""Toy 2-D classification data sets, starting with the learner's spiral.

Every generator has the signature ``(points_per_class, classes, noise, rng)``
and returns a :class:`Dataset` with ``points_per_class * classes`` rows,
class ``c`` occupying rows ``points_per_class*c`` to
``points_per_class*(c+1) - 1`` (the learner's layout).

:func:`spiral` is the learner's ``create_data_set`` line for line: with
``rng=np.random.RandomState(S)`` its ``X`` is bit-identical to the learner's
after ``np.random.seed(S)``.  The other sets are in the spirit of TensorFlow
Playground and scikit-learn: ``moons``, ``circles``, ``xor``, ``gaussian``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from chainrule.errors import ChainruleError
from chainrule.rng import Rng, integers, normal, uniform


@dataclass
class Dataset:
    """Features, integer labels and where they came from.

    Attributes
    ----------
    X : np.ndarray
        ``(N, D)`` float64 features, one example per row.
    y : np.ndarray
        ``(N,)`` int64 labels in ``0..K-1``.
    name : str
        ``spiral``, ``moons``, ... or the CSV file name.
    classes : int
        K, the number of classes.
    notices : list of str
        One-line notices for the user (e.g. how CSV labels were remapped).
    class_names : list of str
        Display name of each class (``class_names[k]`` for label ``k``);
        defaults to ``"0"``, ``"1"``, ...; a CSV keeps its original labels.
    """

    X: np.ndarray
    y: np.ndarray
    name: str
    classes: int
    notices: list[str] = field(default_factory=list)
    class_names: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.class_names:
            self.class_names = [str(k) for k in range(self.classes)]

    @property
    def n(self) -> int:
        """N, the number of examples (rows of ``X``)."""
        return int(self.X.shape[0])

    @property
    def dim(self) -> int:
        """D, the number of features (columns of ``X``)."""
        return int(self.X.shape[1])


Generator = Callable[..., Dataset]


# --------------------------------------------------------------------------- checks

def _check_sizes(points_per_class: int, classes: int, noise: float) -> None:
    """Raise :class:`ChainruleError` naming the option for a size that cannot work."""
    if points_per_class < 1:
        raise ChainruleError(
            f"--points must be at least 1 (points per class), got {points_per_class}. "
            f"The learner's script uses 100 to 400; try --points 100."
        )
    if classes < 2:
        raise ChainruleError(
            f"--classes must be at least 2, got {classes}: a classifier needs two or more "
            f"classes to tell apart. Try --classes 2 (the learner's K) or 3."
        )
    if not np.isfinite(noise) or noise < 0:
        raise ChainruleError(
            f"--noise must be a finite number >= 0, got {noise}. Use 0 for no noise; "
            f"each data set's default is listed by --help."
        )


def _need_two_classes(name: str, classes: int) -> None:
    if classes != 2:
        raise ChainruleError(
            f"The {name} data set has exactly 2 classes, but --classes is {classes}. "
            f"Use --classes 2 with --dataset {name}, or pick a data set that allows "
            f"K classes: spiral, circles or gaussian."
        )


def _default_rng(rng: Rng | None) -> Rng:
    return np.random.default_rng(0) if rng is None else rng


def _labels(points_per_class: int, classes: int) -> np.ndarray:
    """``[0]*P + [1]*P + ...``, the learner's class-by-class layout.  # (N,)"""
    return np.repeat(np.arange(classes, dtype=np.int64), points_per_class)


# --------------------------------------------------------------------------- generators

def spiral(points_per_class: int, classes: int, noise: float = 0.5, rng: Rng | None = None) -> Dataset:
    """The learner's spiral: ``classes`` arms winding out from the origin.

    Parameters
    ----------
    points_per_class : int
        P, points on each arm; N = P * K rows in total.
    classes : int
        K, number of arms (classes).
    noise : float
        Scale of the Gaussian jitter of each point's angle (the learner's 0.5).
    rng : Rng, optional
        ``np.random.RandomState(S)`` reproduces the learner's data after
        ``np.random.seed(S)`` bit for bit; default ``np.random.default_rng(0)``.

    Returns
    -------
    Dataset
        ``X`` (N, 2) with every point at radius <= 1; row ``P*c`` of each
        arm is the origin.  ``y`` (N,).
    """
    _check_sizes(points_per_class, classes, noise)
    rng = _default_rng(rng)
    points = points_per_class
    X = np.zeros((points * classes, 2))  # (N, 2)
    y = np.zeros(points * classes, dtype=np.int64)  # (N,)
    for class_number in range(classes):
        ix = range(points * class_number, points * (class_number + 1))
        r = np.linspace(0.0, 1, points)  # (P,) radius
        t = np.linspace(class_number * 4, (class_number + 1) * 4, points) + normal(rng, points) * noise  # (P,) angle
        X[ix] = np.c_[r * np.sin(t * 1.0), r * np.cos(t * 1.0)]
        y[ix] = class_number
    return Dataset(X, y, "spiral", classes)


def moons(points_per_class: int, classes: int = 2, noise: float = 0.1, rng: Rng | None = None) -> Dataset:
    """Two interleaving half circles (scikit-learn's ``make_moons``).

    Class 0 is the upper arc ``(cos s, sin s)``, class 1 the lower arc
    ``(1 - cos s, 0.5 - sin s)``, ``s`` in ``[0, pi]``; then Gaussian noise of
    standard deviation ``noise`` on both coordinates.  Needs ``classes == 2``.

    Returns
    -------
    Dataset
        ``X`` (2P, 2), ``y`` (2P,).
    """
    _check_sizes(points_per_class, classes, noise)
    _need_two_classes("moons", classes)
    rng = _default_rng(rng)
    s = np.linspace(0.0, np.pi, points_per_class)  # (P,)
    upper = np.c_[np.cos(s), np.sin(s)]  # (P, 2)
    lower = np.c_[1.0 - np.cos(s), 0.5 - np.sin(s)]  # (P, 2)
    X = np.vstack([upper, lower]) + normal(rng, 2 * points_per_class, 2) * noise  # (N, 2)
    return Dataset(X, _labels(points_per_class, 2), "moons", 2)


def circles(points_per_class: int, classes: int = 2, noise: float = 0.05, rng: Rng | None = None) -> Dataset:
    """Concentric rings, one per class: class ``c`` on radius ``(c+1)/K``.

    Angles are uniform in ``[0, 2*pi)``; Gaussian noise of standard deviation
    ``noise`` is added to both coordinates.  Any K >= 2.

    Returns
    -------
    Dataset
        ``X`` (P*K, 2), ``y`` (P*K,).
    """
    _check_sizes(points_per_class, classes, noise)
    rng = _default_rng(rng)
    n = points_per_class * classes
    y = _labels(points_per_class, classes)  # (N,)
    radius = (y + 1.0) / classes  # (N,)
    angle = uniform(rng, 0.0, 2 * np.pi, n)  # (N,)
    X = np.c_[radius * np.cos(angle), radius * np.sin(angle)]  # (N, 2)
    X = X + normal(rng, n, 2) * noise
    return Dataset(X, y, "circles", classes)


def xor(points_per_class: int, classes: int = 2, noise: float = 0.1, rng: Rng | None = None) -> Dataset:
    """The four quadrants, labelled by the sign of ``x1 * x2``.

    Class 1 lies where ``x1 * x2 > 0`` (quadrants I and III), class 0 where
    ``x1 * x2 < 0`` (II and IV).  Each point's distance from each axis is
    uniform in ``[0.05, 1]``; labels come from the clean point, then Gaussian
    noise of standard deviation ``noise`` may push a point across an axis.
    Needs ``classes == 2``.

    Returns
    -------
    Dataset
        ``X`` (2P, 2), ``y`` (2P,).
    """
    _check_sizes(points_per_class, classes, noise)
    _need_two_classes("xor", classes)
    rng = _default_rng(rng)
    n = 2 * points_per_class
    y = _labels(points_per_class, 2)  # (N,)
    magnitude = uniform(rng, 0.05, 1.0, (n, 2))  # (N, 2)
    sx = np.where(integers(rng, 2, n) == 1, 1.0, -1.0)  # (N,) sign of x1
    sy = np.where(y == 1, sx, -sx)  # (N,) sign product +1 for class 1
    X = magnitude * np.c_[sx, sy] + normal(rng, n, 2) * noise  # (N, 2)
    return Dataset(X, y, "xor", 2)


def gaussian(points_per_class: int, classes: int = 2, noise: float = 0.3, rng: Rng | None = None) -> Dataset:
    """K round Gaussian blobs, centres evenly spaced on the unit circle.

    Class ``c`` is centred at angle ``2*pi*c/K + pi/4``; ``noise`` is each
    blob's standard deviation.  Any K >= 2.

    Returns
    -------
    Dataset
        ``X`` (P*K, 2), ``y`` (P*K,).
    """
    _check_sizes(points_per_class, classes, noise)
    rng = _default_rng(rng)
    y = _labels(points_per_class, classes)  # (N,)
    angle = 2 * np.pi * y / classes + np.pi / 4  # (N,)
    centres = np.c_[np.cos(angle), np.sin(angle)]  # (N, 2)
    X = centres + normal(rng, y.size, 2) * noise  # (N, 2)
    return Dataset(X, y, "gaussian", classes)


DATASETS: dict[str, Generator] = {
    "spiral": spiral,
    "moons": moons,
    "circles": circles,
    "xor": xor,
    "gaussian": gaussian,
}

DEFAULT_NOISE: dict[str, float] = {"spiral": 0.5, "moons": 0.1, "circles": 0.05, "xor": 0.1, "gaussian": 0.3}


def make_dataset(spec: str, points_per_class: int, classes: int, noise: float | None, rng: Rng | None) -> Dataset:
    """Build the data set named by ``--dataset``.

    Parameters
    ----------
    spec : str
        A key of :data:`DATASETS` (case-insensitive) or ``csv:PATH``.
    points_per_class, classes : int
        P and K for a generated set; ignored for ``csv:``.
    noise : float or None
        None uses the data set's default (:data:`DEFAULT_NOISE`).
    rng : Rng or None
        The stream to draw from; None means ``np.random.default_rng(0)``.

    Returns
    -------
    Dataset
    """
    text = spec.strip()
    if text.lower().startswith("csv:"):
        path = text[4:].strip()
        if not path:
            raise ChainruleError(
                "--dataset csv: needs a file path after the colon, e.g. --dataset csv:points.csv."
            )
        from chainrule.csvdata import load_csv

        return load_csv(path)
    key = text.lower()
    if key not in DATASETS:
        raise ChainruleError(_unknown_message(spec))
    _check_sizes(points_per_class, classes, 0.0 if noise is None else noise)
    chosen = DEFAULT_NOISE[key] if noise is None else noise
    return DATASETS[key](points_per_class, classes, noise=chosen, rng=rng)


def _unknown_message(spec: str) -> str:
    choices = ", ".join(DATASETS)
    close = difflib.get_close_matches(spec.strip().lower(), list(DATASETS), n=1)
    hint = f" Did you mean --dataset {close[0]}?" if close else ""
    return (
        f"--dataset {spec!r} is not a data set chainrule knows.{hint} Choose one of "
        f"{choices}, or load your own file with --dataset csv:PATH (feature columns "
        f"then an integer label column)."
    )
