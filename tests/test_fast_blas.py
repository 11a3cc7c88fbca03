"""The BLAS path's elementwise pieces compute exactly what chainrule.layers computes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from chainrule.fast import blas
from chainrule.layers import make_activation

ACTS = ["relu", "leaky_relu", "tanh", "sigmoid"]
values = st.floats(-40, 40, allow_nan=False, width=64) | st.sampled_from([0.0, -0.0, 1e-300, -1e-300])
blocks = st.tuples(st.integers(1, 9), st.integers(1, 7)).flatmap(lambda s: arrays(np.float64, s, elements=values))


@settings(max_examples=60, deadline=None)
@given(Z=blocks, dH=blocks, act=st.sampled_from(ACTS))
def test_activations_forward_and_backward_are_the_layers_bit_for_bit(Z, dH, act):
    dH = np.resize(dH, Z.shape)
    layer = make_activation(act)
    want_h = layer.forward(Z.copy())
    want_dz = layer.backward(dH)
    code = ["relu", "leaky_relu", "tanh", "sigmoid"].index(act)
    H = Z.copy()
    T, mask = np.empty_like(Z), np.empty(Z.shape, bool)
    blas._act_forward(H, T, mask, code, 0.01)
    assert np.array_equal(H, want_h)
    blas._act_backward(dH, H, T, mask, code, 0.01)  # H becomes dZ
    assert np.array_equal(H, want_dz)


@pytest.mark.parametrize("K", [1, 2, 3, 5, 7])
def test_row_sum_and_max_equal_numpys_below_eight_columns(K):
    S = np.random.default_rng(K).standard_normal((50, K)) * 10.0 ** np.arange(K)
    out = np.empty(50)
    blas._row_sum(S, out)
    assert np.array_equal(out, S.sum(axis=1))
    blas._row_max(S, out)
    assert np.array_equal(out, S.max(axis=1))


def test_a_batch_larger_than_a_chunk_adds_the_chunks_gradients(monkeypatch):
    """Chunked rows give the one-chunk gradients to rounding (sums regrouped, nothing lost)."""
    from chainrule.config import TrainConfig
    from chainrule.fast import Session

    config = TrainConfig(points=50, hidden=(12, 9), activation="tanh", extra={"path": "blas"})
    one = Session(config)
    one.step(5)
    monkeypatch.setattr(blas, "CHUNK", 16)  # 100 rows in 7 chunks
    chunked = Session(config)
    assert chunked._kernel.Z[0].shape[0] == 16
    chunked.step(5)
    a = np.concatenate([w.ravel() for w in chunked.weights()])
    b = np.concatenate([w.ravel() for w in one.weights()])
    assert 0 < np.max(np.abs(a - b)) <= 1e-12 * np.max(np.abs(b))  # regrouped: not bit for bit
