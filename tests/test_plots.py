"""PNG plots: real images, coloured by class, never overwriting without --force."""

from __future__ import annotations

import gc
import io
import os
import subprocess
import sys

import matplotlib.image as mpimg
import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from chainrule.errors import ChainruleError
from chainrule.plots import (
    PALETTE,
    PNG_SIGNATURE,
    REGION_ALPHA,
    _decade_label,
    _two_five_label,
    _wants_log,
    decision_boundary_png,
    loss_curve_png,
    predict_in_chunks,
    write_plots,
)


def decode(png: bytes) -> np.ndarray:
    """(H, W, 3 or 4) floats in [0, 1]."""
    return mpimg.imread(io.BytesIO(png), format="png")


def half_plane(points: np.ndarray) -> np.ndarray:
    """Label 1 right of x1 = 0, else 0.  (M, 2) -> (M,)"""
    return (points[:, 0] > 0).astype(int)


def two_blobs() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(-1, 0.3, (40, 2)), rng.normal(1, 0.3, (40, 2))]  # (80, 2)
    y = np.repeat([0, 1], 40)  # (80,)
    return X, y


# --------------------------------------------------------------------------- loss curve

def test_loss_curve_is_a_png():
    it = list(range(0, 3000, 100))
    png = loss_curve_png(it, [0.69 * 0.9 ** k for k in range(30)])
    assert png.startswith(PNG_SIGNATURE)
    image = decode(png)
    assert image.shape[0] > 200 and image.shape[1] > 300
    assert image[..., :3].std() > 0.05


def test_accuracy_twin_axis_changes_the_image():
    it, loss = [0, 100, 200], [0.7, 0.4, 0.2]
    plain = loss_curve_png(it, loss)
    with_acc = loss_curve_png(it, loss, accuracies=[0.5, 0.8, 0.95])
    assert with_acc.startswith(PNG_SIGNATURE) and with_acc != plain
    assert decode(with_acc).shape[1] > decode(plain).shape[1]  # room for the right-hand axis


def test_loss_curve_survives_divergence():
    png = loss_curve_png([0, 1, 2, 3], [0.7, 5.0, float("inf"), float("nan")])
    assert png.startswith(PNG_SIGNATURE)
    assert loss_curve_png([0, 1], [float("nan"), float("nan")]).startswith(PNG_SIGNATURE)


def test_log_scale_only_when_the_range_warrants():
    assert _wants_log(np.array([0.69, 0.01]))
    assert _wants_log(np.array([1.0, 0.05]))
    assert not _wants_log(np.array([0.69, 0.5]))
    assert not _wants_log(np.array([1.0, 0.0]))  # zero cannot go on a log axis


def test_log_axis_labels_are_plain_text():
    assert _decade_label(0.01) == "10⁻²"
    assert _decade_label(1.0) == "10⁰"
    assert _decade_label(1e10) == "10¹⁰"
    assert _decade_label(0.5) == "0.5"  # not a decade: plain number
    assert [_two_five_label(v) for v in (0.02, 0.03, 0.05, 0.2, 0.5, 0.7, 20.0)] == \
        ["0.02", "", "0.05", "0.2", "0.5", "", "20"]


def test_long_title_widens_the_image_instead_of_being_cut_off():
    plain = decode(loss_curve_png([0, 1], [1.0, 0.5]))[..., :3]
    long = decode(loss_curve_png([0, 1], [1.0, 0.5], title="W" * 80))[..., :3]
    assert long.shape[1] > 1.5 * plain.shape[1]
    for image in (plain, long):  # a white frame all round: nothing touches the edge
        frame = np.r_[image[:5].reshape(-1, 3), image[-5:].reshape(-1, 3),
                      image[:, :5].reshape(-1, 3), image[:, -5:].reshape(-1, 3)]
        assert frame.min() > 0.99


def test_loss_curve_rejects_mismatched_lengths():
    with pytest.raises(ValueError):
        loss_curve_png([0, 1, 2], [0.5, 0.4])
    with pytest.raises(ValueError):
        loss_curve_png([], [])
    with pytest.raises(ValueError):
        loss_curve_png([0, 1], [0.5, 0.4], accuracies=[0.5])


# --------------------------------------------------------------------------- decision boundary

def test_decision_boundary_is_a_non_uniform_png_in_class_colours():
    X, y = two_blobs()
    png = decision_boundary_png(half_plane, X, y)
    assert png.startswith(PNG_SIGNATURE)
    rgb = decode(png)[..., :3]  # (H, W, 3)
    assert rgb.reshape(-1, 3).var(axis=0).sum() > 0.01
    for k in (0, 1):  # each region is the class colour at alpha 0.28 over white
        tint = 0.28 * np.array(to_rgb(PALETTE[k])) + 0.72
        close = np.abs(rgb - tint).max(axis=-1) < 0.02  # (H, W)
        assert close.mean() > 0.05, f"class {k} region missing"


def tint_mask(rgb: np.ndarray, k: int) -> np.ndarray:
    """(H, W) pixels showing the region colour of class k (its colour at REGION_ALPHA over white)."""
    tint = REGION_ALPHA * np.array(to_rgb(PALETTE[k])) + 1 - REGION_ALPHA
    return np.abs(rgb - tint).max(axis=-1) < 0.02


def region_spans(rgb: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Columns (axis=0) or rows (axis=1) mostly covered by class 0's region, and by class 1's."""
    counts = [tint_mask(rgb, k).sum(axis=axis) for k in (0, 1)]
    return tuple(np.flatnonzero(c > 0.5 * c.max()) for c in counts)


@pytest.mark.parametrize("feature", [0, 1])
def test_boundary_regions_are_where_predict_puts_them(feature):
    """predict: class 1 where x_f > 0.  The data spans [-1, 3] along x_f, so with 10% padding
    the border lies 1.4 / 4.8 of the way across; class 1 is right (x1) or up (x2)."""
    X = np.array([[-1.0, -1.0], [3.0, -1.0], [-1.0, 1.0], [3.0, 1.0]])  # (4, 2)
    if feature == 1:
        X = X[:, ::-1]
    y = (X[:, feature] > 0).astype(int)
    png = decision_boundary_png(lambda p: (p[:, feature] > 0).astype(int), X, y)
    rgb = decode(png)[..., :3]  # (H, W, 3)
    if feature == 1:
        rgb = np.rot90(rgb, k=-1)  # clockwise: "up" becomes "right"
    zero, one = region_spans(rgb, axis=0)
    assert zero.size > 50 and one.size > 50, "a class region is missing"
    assert zero.max() < one.min(), "class 0 should be left of (below) class 1"
    border = (zero.max() + one.min()) / 2
    across = (border - zero.min()) / (one.max() - zero.min())
    assert abs(across - 1.4 / 4.8) < 0.02, f"border {across:.3f} of the way across, expected {1.4 / 4.8:.3f}"


def test_boundary_with_three_classes_and_names():
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, (90, 2))
    y = np.repeat([0, 1, 2], 30)

    def predict(points):
        return np.digitize(points[:, 0], [-0.33, 0.33])

    png = decision_boundary_png(predict, X, y, class_names=["red", "green", "blue"])
    rgb = decode(png)[..., :3]
    tint = 0.28 * np.array(to_rgb(PALETTE[2])) + 0.72
    assert (np.abs(rgb - tint).max(axis=-1) < 0.02).mean() > 0.03


def test_boundary_accepts_scores_and_calls_in_chunks():
    X, y = two_blobs()
    sizes = []

    def scores(points):
        sizes.append(points.shape[0])
        return np.c_[-points[:, 0], points[:, 0]]  # (m, 2)

    png = decision_boundary_png(scores, X, y, resolution=100)
    assert png.startswith(PNG_SIGNATURE)
    assert max(sizes) <= 4096 and sum(sizes) == 100 * 100 + X.shape[0]


def test_boundary_without_threadpoolctl(monkeypatch):
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # import fails: BLAS threads left alone
    X, y = two_blobs()
    rgb = decode(decision_boundary_png(half_plane, X, y, resolution=50))[..., :3]
    assert tint_mask(rgb, 0).mean() > 0.05 and tint_mask(rgb, 1).mean() > 0.05


def test_predict_in_chunks_returns_labels():
    points = np.linspace(-1, 1, 10001)[:, None] * np.ones((1, 2))  # (10001, 2)
    labels = predict_in_chunks(half_plane, points, chunk=1000)
    assert labels.dtype == np.int64 and labels.shape == (10001,)
    np.testing.assert_array_equal(labels, half_plane(points))
    with pytest.raises(ValueError):
        predict_in_chunks(lambda p: np.zeros(3), points)


def test_boundary_with_one_predicted_class_still_draws():
    X, y = two_blobs()
    png = decision_boundary_png(lambda p: np.zeros(len(p), dtype=int), X, y)
    assert png.startswith(PNG_SIGNATURE)


@pytest.mark.parametrize("dim", [1, 3, 5])
def test_boundary_needs_two_features(dim):
    X = np.zeros((10, dim))
    with pytest.raises(ChainruleError) as info:
        decision_boundary_png(half_plane, X, np.zeros(10, dtype=int))
    assert "exactly 2 features" in info.value.message and f"has {dim}" in info.value.message
    assert info.value.exit_code == 2


def test_no_figures_are_left_open():
    X, y = two_blobs()

    def live_figures() -> int:
        gc.collect()
        return sum(isinstance(o, Figure) for o in gc.get_objects())

    before = live_figures()
    for _ in range(3):
        loss_curve_png([0, 1], [1.0, 0.5], accuracies=[0.5, 0.9])
        decision_boundary_png(half_plane, X, y, resolution=50)
    assert live_figures() == before
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:  # imported by some other test: chainrule must not have added figures
        assert plt.get_fignums() == []


def test_plots_never_import_pyplot():
    code = ("import sys, numpy as np; from chainrule.plots import loss_curve_png, decision_boundary_png; "
            "loss_curve_png([0, 1], [1.0, 0.5]); "
            "decision_boundary_png(lambda p: (p[:, 0] > 0).astype(int), np.eye(2), np.array([0, 1])); "
            "print('matplotlib.pyplot' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "False"


# --------------------------------------------------------------------------- writing

def test_write_plots_and_refuse_overwrite(tmp_path):
    out = tmp_path / "run"
    pngs = {"loss.png": loss_curve_png([0, 1], [1.0, 0.5]), "boundary.png": PNG_SIGNATURE + b"x"}
    paths = write_plots(out, pngs, force=False)
    assert paths == [out / "loss.png", out / "boundary.png"]
    assert (out / "loss.png").read_bytes() == pngs["loss.png"]

    with pytest.raises(ChainruleError) as info:
        write_plots(out, {"loss.png": PNG_SIGNATURE}, force=False)
    assert str(out / "loss.png") in info.value.message and "--force" in info.value.message
    assert (out / "loss.png").read_bytes() == pngs["loss.png"]

    write_plots(out, {"loss.png": PNG_SIGNATURE}, force=True)
    assert (out / "loss.png").read_bytes() == PNG_SIGNATURE


def test_write_plots_writes_nothing_if_one_exists(tmp_path):
    (tmp_path / "boundary.png").write_bytes(b"mine")
    with pytest.raises(ChainruleError):
        write_plots(tmp_path, {"loss.png": b"a", "boundary.png": b"b"}, force=False)
    assert not (tmp_path / "loss.png").exists()
    assert (tmp_path / "boundary.png").read_bytes() == b"mine"


def test_write_plots_rejects_paths_as_names(tmp_path):
    with pytest.raises(ValueError):
        write_plots(tmp_path, {"../loss.png": b"a"}, force=False)
