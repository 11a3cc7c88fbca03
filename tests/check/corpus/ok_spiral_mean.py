"""Correct: 3-class spiral, loss = -np.mean(np.log(...)), one-hot targets, dscores = (probs - Y) / N."""
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
Y = np.eye(K)[y]
h = 50
W = 0.01 * np.random.randn(D, h)
b = np.zeros((1, h))
W2 = 0.01 * np.random.randn(h, K)
b2 = np.zeros((1, K))
step_size = 1.0
for i in range(500):
    hidden = np.maximum(0, X @ W + b)
    scores = hidden @ W2 + b2
    exp_scores = np.exp(scores - scores.max(axis=1, keepdims=True))
    probs = exp_scores / exp_scores.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(len(y)), y]))
    dscores = (probs - Y) / len(y)
    dW2 = hidden.T @ dscores
    db2 = dscores.sum(axis=0, keepdims=True)
    dhidden = dscores @ W2.T
    dhidden = dhidden * (hidden > 0)
    dW = X.T @ dhidden
    db = dhidden.sum(axis=0, keepdims=True)
    W -= step_size * dW
    b -= step_size * db
    W2 -= step_size * dW2
    b2 -= step_size * db2
