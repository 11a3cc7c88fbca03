"""Correct: @ operator, stable softmax, np.mean loss, mask by multiplication, no keepdims, reg."""
import numpy as np

N, D, K = 25, 2, 3
X = np.zeros((N * K, D))
y = np.zeros(N * K, dtype=int)
for j in range(K):
    ix = range(N * j, N * (j + 1))
    r = np.linspace(0.0, 1, N)
    t = np.linspace(j * 4, (j + 1) * 4, N) + np.random.randn(N) * 0.2
    X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
    y[ix] = j

H = 16
W1 = 0.01 * np.random.randn(D, H)
b1 = np.zeros(H)
W2 = 0.01 * np.random.randn(H, K)
b2 = np.zeros(K)
lr, lam = 0.5, 1e-3
M = X.shape[0]
for it in range(100):
    z1 = X @ W1 + b1
    a1 = np.maximum(z1, 0)
    s = a1 @ W2 + b2
    s = s - s.max(axis=1, keepdims=True)
    e = np.exp(s)
    p = e / e.sum(axis=1, keepdims=True)
    loss = np.mean(-np.log(p[np.arange(M), y])) + 0.5 * lam * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    Y = np.zeros_like(p)
    Y[np.arange(M), y] = 1
    ds = (p - Y) / M
    dW2 = a1.T @ ds + lam * W2
    db2 = ds.sum(axis=0)
    da1 = ds @ W2.T
    dz1 = da1 * (z1 > 0)
    dW1 = X.T @ dz1 + lam * W1
    db1 = dz1.sum(axis=0)
    W1 -= lr * dW1
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2
