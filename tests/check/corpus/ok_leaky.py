"""Correct: leaky ReLU written as np.maximum(alpha * z, z), backward scales the negative side in place."""
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
H = 24
alpha = 0.05
W1 = 0.1 * np.random.randn(D, H)
b1 = np.zeros((1, H))
W2 = 0.1 * np.random.randn(H, K)
b2 = np.zeros((1, K))
learning_rate = 0.5
n = X.shape[0]
for it in range(200):
    z = np.dot(X, W1) + b1
    a = np.maximum(alpha * z, z)
    scores = np.dot(a, W2) + b2
    scores -= np.max(scores, axis=1, keepdims=True)
    probs = np.exp(scores) / np.sum(np.exp(scores), axis=1, keepdims=True)
    loss = np.sum(-np.log(probs[range(n), y])) / n
    dscores = probs.copy()
    dscores[range(n), y] -= 1
    dscores /= n
    dW2 = np.dot(a.T, dscores)
    db2 = np.sum(dscores, axis=0, keepdims=True)
    da = np.dot(dscores, W2.T)
    dz = da.copy()
    dz[z < 0] *= alpha
    dW1 = np.dot(X.T, dz)
    db1 = np.sum(dz, axis=0, keepdims=True)
    W1 -= learning_rate * dW1
    b1 -= learning_rate * db1
    W2 -= learning_rate * dW2
    b2 -= learning_rate * db2
