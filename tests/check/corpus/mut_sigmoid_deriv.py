"""Mutant: sigmoid derivative written as (1 - a1) instead of a1 * (1 - a1)."""
import numpy as np

N = 30  # points per class
D = 2
K = 3
X = np.zeros((N * K, D))
y = np.zeros(N * K, dtype="uint8")
for j in range(K):
    ix = range(N * j, N * (j + 1))
    r = np.linspace(0.0, 1, N)
    t = np.linspace(j * 4, (j + 1) * 4, N) + np.random.randn(N) * 0.2
    X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
    y[ix] = j
hidden = 16
W1 = 0.5 * np.random.randn(D, hidden)
b1 = np.zeros((1, hidden))
W2 = 0.5 * np.random.randn(hidden, K)
b2 = np.zeros((1, K))
lr = 0.5
m = X.shape[0]
for epoch in range(300):
    z1 = X @ W1 + b1
    a1 = 1 / (1 + np.exp(-z1))
    z2 = a1 @ W2 + b2
    exp_z = np.exp(z2 - np.max(z2, axis=1, keepdims=True))
    probs = exp_z / np.sum(exp_z, axis=1, keepdims=True)
    loss = -np.sum(np.log(probs[np.arange(m), y])) / m
    dz2 = probs.copy()
    dz2[np.arange(m), y] -= 1
    dz2 /= m
    dW2 = a1.T @ dz2
    db2 = np.sum(dz2, axis=0, keepdims=True)
    da1 = dz2 @ W2.T
    dz1 = da1 * (1 - a1)  # BUG: the factor a1 is missing
    dW1 = X.T @ dz1
    db1 = np.sum(dz1, axis=0, keepdims=True)
    W1 = W1 - lr * dW1
    b1 = b1 - lr * db1
    W2 = W2 - lr * dW2
    b2 = b2 - lr * db2
