"""Mutant: wrong tanh derivative (1 - h instead of 1 - h**2)."""
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

hidden = 12
W1 = 0.1 * np.random.randn(D, hidden)
b1 = np.zeros((1, hidden))
W2 = 0.1 * np.random.randn(hidden, K)
b2 = np.zeros((1, K))
lr = 0.1
n = len(X)
for epoch in range(50):
    h = np.tanh(np.dot(X, W1) + b1)
    scores = np.dot(h, W2) + b2
    probs = np.exp(scores) / np.sum(np.exp(scores), axis=1, keepdims=True)
    loss = -np.sum(np.log(probs[range(n), y])) / n
    dscores = probs.copy()
    dscores[range(n), y] -= 1
    dscores /= n
    dW2 = np.dot(h.T, dscores)
    db2 = np.sum(dscores, axis=0, keepdims=True)
    dh = np.dot(dscores, W2.T)
    dz = dh * (1 - h)  # BUG
    dW1 = np.dot(X.T, dz)
    db1 = np.sum(dz, axis=0, keepdims=True)
    W1 = W1 - lr * dW1
    b1 = b1 - lr * db1
    W2 = W2 - lr * dW2
    b2 = b2 - lr * db2
