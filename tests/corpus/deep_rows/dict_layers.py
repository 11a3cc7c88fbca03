"""Layers kept in dicts keyed by layer number; the backward pass walks for l in reversed(range(L)) and
collects every gradient in one grads dict keyed by ("W", l); ReLU hidden layers, softmax output."""
import numpy as np

rng = np.random.default_rng(17)
N, sizes = 70, [3, 9, 7, 3]
L = len(sizes) - 1
X = rng.normal(size=(N, sizes[0]))
y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5).astype(int)
W = {l: rng.normal(0, np.sqrt(2 / sizes[l]), (sizes[l], sizes[l + 1])) for l in range(L)}
b = {l: np.zeros((1, sizes[l + 1])) for l in range(L)}
for epoch in range(120):
    A = {0: X}
    Z = {}
    for l in range(L):
        Z[l] = A[l] @ W[l] + b[l]
        A[l + 1] = np.maximum(0, Z[l]) if l < L - 1 else Z[l]
    s = A[L] - A[L].max(axis=1, keepdims=True)
    P = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(P[np.arange(N), y]))
    grads = {}
    delta = P.copy()
    delta[np.arange(N), y] -= 1
    delta /= N
    for l in reversed(range(L)):
        grads["W", l] = A[l].T @ delta
        grads["b", l] = delta.sum(axis=0, keepdims=True)
        if l > 0:
            delta = (delta @ W[l].T) * (Z[l - 1] > 0)
    for l in range(L):
        W[l] -= 0.3 * grads["W", l]
        b[l] -= 0.3 * grads["b", l]
