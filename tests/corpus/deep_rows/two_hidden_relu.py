# Two hidden ReLU layers of the same width (16), four classes, every gradient written out.
import numpy as np

np.random.seed(3)
K = 4
y = np.arange(120) % K
angle = y * (np.pi / 2) + np.random.randn(120) * 0.35
X = np.c_[np.cos(angle), np.sin(angle), np.random.randn(120) * 0.3]
N = X.shape[0]

W1 = 0.5 * np.random.randn(3, 16)
b1 = np.zeros((1, 16))
W2 = 0.4 * np.random.randn(16, 16)
b2 = np.zeros((1, 16))
W3 = 0.4 * np.random.randn(16, K)
b3 = np.zeros((1, K))
lr = 0.5

for it in range(150):
    h1 = np.maximum(0, X @ W1 + b1)
    h2 = np.maximum(0, h1 @ W2 + b2)
    scores = h2 @ W3 + b3
    scores -= scores.max(axis=1, keepdims=True)
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(N), y]).mean()
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    dscores /= N
    dW3 = h2.T @ dscores
    db3 = dscores.sum(axis=0, keepdims=True)
    dh2 = (dscores @ W3.T) * (h2 > 0)
    dW2 = h1.T @ dh2
    db2 = dh2.sum(axis=0, keepdims=True)
    dh1 = dh2 @ W2.T
    dh1[h1 <= 0] = 0
    dW1 = X.T @ dh1
    db1 = dh1.sum(axis=0, keepdims=True)
    W1 -= lr * dW1
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2
    W3 -= lr * dW3
    b3 -= lr * db3
    if it % 50 == 0:
        print(it, loss)
