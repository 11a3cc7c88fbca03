"""Toy data sets: the spiral must be the learner's, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule.data import DATASETS, DEFAULT_NOISE, Dataset, circles, gaussian, make_dataset, moons, spiral, xor
from chainrule.errors import ChainruleError


def create_data_set(points, classes):
    """The learner's function, verbatim (from the forum post), drawing from the global stream."""
    X = np.zeros((points * classes, 2))
    y = np.zeros(points * classes, dtype='uint8')
    for class_number in range(classes):
        ix = range(points * class_number, points * (class_number + 1))
        r = np.linspace(0.0, 1, points)
        t = np.linspace(class_number * 4, (class_number + 1) * 4, points) + np.random.randn(points) * 0.5
        X[ix] = np.c_[r * np.sin(t * 1.0), r * np.cos(t * 1.0)]
        y[ix] = class_number
    return X, y


@pytest.fixture(autouse=True)
def _keep_global_stream():
    """The learner's function seeds the global numpy stream; put it back afterwards."""
    state = np.random.get_state()
    yield
    np.random.set_state(state)


def learner(seed: int, points: int, classes: int) -> tuple[np.ndarray, np.ndarray]:
    np.random.seed(seed)
    return create_data_set(points, classes)


# --------------------------------------------------------------------------- spiral == learner

@pytest.mark.parametrize("seed, points, classes",
                         [(0, 400, 2), (0, 100, 3), (1, 200, 2), (42, 7, 5), (2**32 - 1, 1, 2)])
def test_spiral_is_bit_identical_to_the_learners(seed, points, classes):
    X_ref, y_ref = learner(seed, points, classes)
    data = spiral(points, classes, rng=np.random.RandomState(seed))
    assert data.X.dtype == np.float64 and data.X.shape == (points * classes, 2)
    assert data.X.tobytes() == X_ref.tobytes()
    np.testing.assert_array_equal(data.y, y_ref.astype(np.int64))
    assert data.y.dtype == np.int64


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), points=st.integers(1, 60), classes=st.integers(2, 6))
def test_spiral_matches_learner_for_any_seed_and_shape(seed, points, classes):
    state = np.random.get_state()
    try:
        X_ref, _ = learner(seed, points, classes)
    finally:
        np.random.set_state(state)
    X = spiral(points, classes, noise=0.5, rng=np.random.RandomState(seed)).X
    assert np.array_equal(X, X_ref)


def test_spiral_leaves_the_stream_where_the_learner_draws_W_next():
    rng = np.random.RandomState(3)
    spiral(400, 2, rng=rng)
    learner(3, 400, 2)
    np.testing.assert_array_equal(rng.randn(2, 5), np.random.randn(2, 5))


def test_spiral_does_not_touch_the_global_stream():
    np.random.seed(11)
    before = np.random.get_state()[1].copy()
    spiral(50, 3, rng=np.random.RandomState(0))
    spiral(50, 3)
    np.testing.assert_array_equal(np.random.get_state()[1], before)


def test_spiral_radius_at_most_one_and_origin_rows():
    points, classes = 300, 4
    data = spiral(points, classes, rng=np.random.RandomState(0))
    radius = np.hypot(data.X[:, 0], data.X[:, 1])  # (N,)
    assert radius.max() <= 1.0 + 1e-12
    for c in range(classes):
        np.testing.assert_array_equal(data.X[points * c], [0.0, 0.0])
        assert radius[points * (c + 1) - 1] == pytest.approx(1.0, abs=1e-12)
        np.testing.assert_array_equal(data.y[points * c:points * (c + 1)], c)
    np.testing.assert_allclose(radius[:points], np.linspace(0.0, 1.0, points), atol=1e-12)


def test_spiral_without_noise_is_the_clean_arm():
    data = spiral(5, 2, noise=0.0, rng=np.random.RandomState(0))
    t = np.linspace(4, 8, 5)
    r = np.linspace(0.0, 1.0, 5)
    np.testing.assert_array_equal(data.X[5:], np.c_[r * np.sin(t), r * np.cos(t)])


def test_spiral_noise_scales_the_same_draws():
    a = spiral(20, 2, noise=0.5, rng=np.random.RandomState(5)).X
    b = spiral(20, 2, noise=0.25, rng=np.random.RandomState(5)).X
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(a[0], b[0])  # origin


# --------------------------------------------------------------------------- every data set

@pytest.mark.parametrize("name", sorted(DATASETS))
def test_shapes_labels_and_layout(name):
    classes = 2 if name in ("moons", "xor") else 3
    data = make_dataset(name, 25, classes, None, np.random.default_rng(1))
    assert isinstance(data, Dataset)
    assert data.name == name and data.classes == classes
    assert data.X.shape == (25 * classes, 2) and data.X.dtype == np.float64
    assert data.y.shape == (25 * classes,) and data.y.dtype == np.int64
    assert (data.n, data.dim) == (25 * classes, 2)
    np.testing.assert_array_equal(data.y, np.repeat(np.arange(classes), 25))
    assert np.isfinite(data.X).all()
    assert data.notices == [] and data.class_names == [str(k) for k in range(classes)]


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_modern_rng_is_reproducible(name):
    a = make_dataset(name, 30, 2, None, np.random.default_rng(7)).X
    b = make_dataset(name, 30, 2, None, np.random.default_rng(7)).X
    c = make_dataset(name, 30, 2, None, np.random.default_rng(8)).X
    d = make_dataset(name, 30, 2, None, None).X
    e = DATASETS[name](30, 2, DEFAULT_NOISE[name], np.random.default_rng(0)).X
    assert a.tobytes() == b.tobytes()
    assert not np.array_equal(a, c)
    assert d.tobytes() == e.tobytes()  # None means default_rng(0)


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_legacy_rng_is_reproducible(name):
    a = make_dataset(name, 30, 2, 0.2, np.random.RandomState(4)).X
    b = make_dataset(name, 30, 2, 0.2, np.random.RandomState(4)).X
    assert np.array_equal(a, b)


def test_default_noise_is_the_learners_for_spiral():
    assert DEFAULT_NOISE["spiral"] == 0.5
    a = make_dataset("spiral", 40, 3, None, np.random.RandomState(9)).X
    X_ref, _ = learner(9, 40, 3)
    assert a.tobytes() == X_ref.tobytes()


def test_moons_without_noise_are_the_two_arcs():
    data = moons(50, 2, noise=0.0)
    s = np.linspace(0, np.pi, 50)
    np.testing.assert_allclose(data.X[:50], np.c_[np.cos(s), np.sin(s)])
    np.testing.assert_allclose(data.X[50:], np.c_[1 - np.cos(s), 0.5 - np.sin(s)])


def test_circles_without_noise_lie_on_their_rings():
    data = circles(40, 4, noise=0.0, rng=np.random.default_rng(2))
    radius = np.hypot(data.X[:, 0], data.X[:, 1])
    np.testing.assert_allclose(radius, (data.y + 1) / 4)


def test_xor_labels_are_the_sign_product():
    data = xor(200, 2, noise=0.0, rng=np.random.default_rng(3))
    product = data.X[:, 0] * data.X[:, 1]
    np.testing.assert_array_equal(data.y, (product > 0).astype(int))
    assert np.abs(data.X).min() >= 0.05 and np.abs(data.X).max() <= 1.0
    quadrants = {(bool(a > 0), bool(b > 0)) for a, b in data.X}
    assert len(quadrants) == 4


def test_gaussian_blob_centres_on_unit_circle():
    data = gaussian(2000, 4, noise=0.1, rng=np.random.default_rng(4))
    for c in range(4):
        centre = data.X[data.y == c].mean(axis=0)
        angle = 2 * np.pi * c / 4 + np.pi / 4
        np.testing.assert_allclose(centre, [np.cos(angle), np.sin(angle)], atol=0.02)
        assert data.X[data.y == c].std(axis=0) == pytest.approx([0.1, 0.1], abs=0.01)


# --------------------------------------------------------------------------- errors

@pytest.mark.parametrize("fn", [moons, xor])
@pytest.mark.parametrize("classes", [3, 5])
def test_two_class_sets_reject_other_class_counts(fn, classes):
    with pytest.raises(ChainruleError) as info:
        fn(10, classes)
    assert "--classes" in info.value.message and "2" in info.value.message
    assert f"is {classes}" in info.value.message and info.value.exit_code == 2


def test_unknown_dataset_names_option_and_choices():
    with pytest.raises(ChainruleError) as info:
        make_dataset("spirl", 10, 2, None, None)
    message = info.value.message
    assert "--dataset" in message and "'spirl'" in message and "Did you mean --dataset spiral?" in message
    for name in DATASETS:
        assert name in message
    assert "csv:PATH" in message and info.value.exit_code == 2


def test_dataset_name_is_case_insensitive():
    assert make_dataset(" Spiral ", 5, 2, None, None).name == "spiral"


@pytest.mark.parametrize("points, classes, noise, option", [
    (0, 2, None, "--points"), (-3, 2, None, "--points"), (10, 1, None, "--classes"),
    (10, 0, None, "--classes"), (10, 2, -0.1, "--noise"), (10, 2, float("nan"), "--noise"),
])
def test_bad_sizes_name_the_option(points, classes, noise, option):
    with pytest.raises(ChainruleError) as info:
        make_dataset("spiral", points, classes, noise, None)
    assert option in info.value.message and info.value.exit_code == 2


def test_csv_spec_delegates_to_load_csv(tmp_path):
    path = tmp_path / "pts.csv"
    path.write_text("0.5,1.5,0\n-1,2,1\n3,4,1\n")
    data = make_dataset(f"csv:{path}", 999, 999, None, None)  # sizes ignored
    assert data.name == "pts.csv" and data.X.shape == (3, 2) and data.classes == 2
    np.testing.assert_array_equal(data.y, [0, 1, 1])


def test_csv_spec_without_path():
    with pytest.raises(ChainruleError, match="--dataset csv:"):
        make_dataset("csv:", 10, 2, None, None)
