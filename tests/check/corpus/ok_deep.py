"""Correct: three layers (two ReLU hidden layers), dot method, gradients scaled at the end."""
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

W1 = 0.1 * np.random.randn(D, 10); b1 = np.zeros((1, 10))
W2 = 0.1 * np.random.randn(10, 8); b2 = np.zeros((1, 8))
W3 = 0.1 * np.random.randn(8, K); b3 = np.zeros((1, K))
step = 0.3
num = X.shape[0]
for i in range(20):
    h1 = np.maximum(0, X.dot(W1) + b1)
    h2 = np.maximum(0, h1.dot(W2) + b2)
    scores = h2.dot(W3) + b3
    exps = np.exp(scores - np.max(scores, axis=1, keepdims=True))
    probs = exps / np.sum(exps, axis=1, keepdims=True)
    loss = np.sum(-np.log(probs[range(num), y])) / num
    dscores = probs.copy()
    dscores[range(num), y] -= 1
    dW3 = h2.T.dot(dscores) / num
    db3 = np.sum(dscores, axis=0, keepdims=True) / num
    dh2 = dscores.dot(W3.T) / num
    dh2[h2 <= 0] = 0
    dW2 = h1.T.dot(dh2)
    db2 = np.sum(dh2, axis=0, keepdims=True)
    dh1 = dh2.dot(W2.T)
    dh1[h1 <= 0] = 0
    dW1 = X.T.dot(dh1)
    db1 = np.sum(dh1, axis=0, keepdims=True)
    W1 += -step * dW1; b1 += -step * db1
    W2 += -step * dW2; b2 += -step * db2
    W3 += -step * dW3; b3 += -step * db3
