"""Correct: forward and backward helper functions called from the loop; leaky ReLU."""
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

W1 = 0.1 * np.random.randn(D, 14)
b1 = np.zeros((1, 14))
W2 = 0.1 * np.random.randn(14, K)
b2 = np.zeros((1, K))
alpha = 0.01


def softmax(s):
    e = np.exp(s - np.max(s, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)


def forward(X, W1, b1, W2, b2):
    z = np.dot(X, W1) + b1
    a = np.where(z > 0, z, alpha * z)
    scores = np.dot(a, W2) + b2
    return z, a, scores


def backward(X, y, z, a, probs, W2):
    n = X.shape[0]
    dscores = probs.copy()
    dscores[np.arange(n), y] -= 1
    dscores /= n
    dW2 = np.dot(a.T, dscores)
    db2 = np.sum(dscores, axis=0, keepdims=True)
    da = np.dot(dscores, W2.T)
    dz = da * np.where(z > 0, 1.0, alpha)
    dW1 = np.dot(X.T, dz)
    db1 = np.sum(dz, axis=0, keepdims=True)
    return dW1, db1, dW2, db2


for step in range(100):
    z, a, scores = forward(X, W1, b1, W2, b2)
    probs = softmax(scores)
    loss = -np.mean(np.log(probs[np.arange(len(y)), y]))
    dW1, db1, dW2, db2 = backward(X, y, z, a, probs, W2)
    W1 -= 0.5 * dW1
    b1 -= 0.5 * db1
    W2 -= 0.5 * dW2
    b2 -= 0.5 * db2
