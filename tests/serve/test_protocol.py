"""The binary frame format, byte by byte (no server)."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from chainrule.serve import protocol as P


def test_train_frame_layout_by_hand():
    W1 = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])  # (2, 3)
    b1 = np.array([[0.5, -0.5, 0.25]])
    W2 = np.array([[1.0], [-1.0], [2.0]])  # (3, 1)
    b2 = np.array([[7.0]])
    frame = P.train_frame(9, 12, 10, [0.75, 0.5], [0.25, 1.0], [(W1, b1), (W2, b2)])
    # header: kind, version, layers, seq, iteration, first, n
    assert struct.unpack_from("<BBHIIII", frame) == (P.TRAIN, 1, 2, 9, 12, 10, 2)
    assert struct.unpack_from("<4I", frame, 20) == (2, 3, 3, 1)
    floats = np.frombuffer(frame, "<f4", offset=36)
    assert floats.tolist() == [0.75, 0.5, 0.25, 1.0, 1, 2, 3, 4, 5, 6, 0.5, -0.5, 0.25, 1, -1, 2, 7]
    assert len(frame) == 36 + 4 * 17
    assert len(frame) % 4 == 0


def test_train_frame_round_trip_and_size():
    rng = np.random.default_rng(3)
    params = [(rng.standard_normal((2, 1000)), np.zeros((1, 1000))),
              (rng.standard_normal((1000, 2)), rng.standard_normal((1, 2)))]
    losses = rng.random(5)
    frame = P.train_frame(1, 5, 0, losses, losses / 2, params)
    f = P.decode_train(frame)
    assert (f.seq, f.iteration, f.first) == (1, 5, 0)
    np.testing.assert_array_equal(f.losses, losses.astype(np.float32))
    for (W, b), (W2, b2) in zip(params, f.params):
        np.testing.assert_array_equal(W2, W.astype(np.float32))
        np.testing.assert_array_equal(b2, b.ravel().astype(np.float32))
    # the learner's network: 5 002 weights and biases, 5 losses and accuracies, 36 header bytes
    assert len(frame) == 36 + 4 * (5002 + 10)


def test_data_and_heatmap_frames():
    X = np.array([[0.0, 1.0], [2.0, -3.0], [0.5, 0.25]])
    y = np.array([0, 1, 1])
    Xd, yd, k = P.decode_data(P.data_frame(4, X, y, 2))
    np.testing.assert_array_equal(Xd, X)
    np.testing.assert_array_equal(yd, y)
    assert k == 2
    grid = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(P.decode_heatmap(P.heatmap_frame(5, grid)), grid)
    with pytest.raises(ValueError, match="2-D data"):
        P.data_frame(1, np.zeros((3, 3)), y, 2)
    with pytest.raises(ValueError, match="not a TRAIN frame"):
        P.decode_train(P.heatmap_frame(5, grid))
