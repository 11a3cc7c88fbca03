"""A 2-point, 2-unit example computed by hand, pushed through the same machinery."""

from __future__ import annotations

import numpy as np

from chainrule.explain.build import build_steps
from chainrule.explain.tiny import Tiny

E = np.e


def hand_tiny() -> Tiny:
    X = np.array([[1.0, 0.0], [0.0, 2.0]])
    y = np.array([0, 1])
    params = {"W": np.array([[1.0, -1.0], [1.0, 1.0]]), "b": np.zeros((1, 2)),
              "W2": np.eye(2), "b2": np.zeros((1, 2))}
    # Z = X W = [[1, -1], [2, 2]]: no entry near the kink
    return Tiny(2, 2, 2, 2, 0, X, y, params, np.zeros((2, 2), bool), info={"data": "by hand"})


def test_hand_computed_numbers():
    steps, _, ns, _ = build_steps(hand_tiny(), [{}] * 13, {"N": 2, "D": 2, "h": 2, "K": 2, "tN": 2})
    # H = [[1, 0], [2, 2]] = S; P row 0 = softmax(1, 0), row 1 = (1/2, 1/2)
    p0 = E / (E + 1)
    dS = np.array([[(p0 - 1) / 2, (1 - p0) / 2], [0.25, -0.25]])
    val = {s.code: {v.name: np.array(v.data) for v in s.values} for s in steps}
    assert np.allclose(val["dscores = probs"]["dscores"], [[p0, 1 - p0], [0.5, 0.5]])
    assert np.allclose(val["dscores[range(num_examples),y] -= 1"]["dscores"], 2 * dS)
    assert np.allclose(val["dscores /= num_examples"]["dscores"], dS)
    # dW2 = H^T dS: [[1*dS00 + 2*dS10, ...], [0*dS00 + 2*dS10, ...]]
    assert np.allclose(val["dW2 = np.dot(hidden_layer.T, dscores)"]["dW2"],
                       [[dS[0, 0] + 0.5, dS[0, 1] - 0.5], [0.5, -0.5]])
    assert np.allclose(val["db2 = np.sum(dscores, axis=0, keepdims=True)"]["db2"],
                       [[dS[0, 0] + 0.25, dS[0, 1] - 0.25]])
    assert np.allclose(val["dhidden = np.dot(dscores, W2.T)"]["dhidden"], dS)  # W2 = I
    dZ = np.array([[dS[0, 0], 0.0], [0.25, -0.25]])  # unit 1 off in row 0 (Z = -1)
    assert np.allclose(val["dhidden[hidden_layer <= 0] = 0"]["dhidden"], dZ)
    assert np.allclose(val["dhidden[hidden_layer <= 0] = 0"]["hidden_layer <= 0"], [[0, 1], [0, 0]])
    assert np.allclose(val["dW = np.dot(X.T, dhidden)"]["dW"], [[dS[0, 0], 0.0], [0.5, -0.5]])
    assert np.allclose(val["db = np.sum(dhidden, axis=0, keepdims=True)"]["db"],
                       [[dS[0, 0] + 0.25, -0.25]])
    assert np.allclose(val["W += -step_size * dW"]["W"],
                       [[1 - dS[0, 0], -1.0], [0.5, 1.5]])
    for s in steps:
        if s.holds != "intermediate":
            assert s.rel_error_fd < 1e-7 and s.rel_error_autodiff < 1e-7, s.code
