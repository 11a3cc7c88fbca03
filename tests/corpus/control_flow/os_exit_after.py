# Ends with os._exit(0) after flushing stdout (a habit from scripts run in worker processes).
import os
import sys

import numpy as np

rng = np.random.default_rng(99)
X = rng.normal(size=(70, 4))
y = rng.integers(0, 2, 70)
X[:, 0] += 1.5 * y
W1 = rng.normal(scale=0.5, size=(4, 8))
b1 = np.zeros((1, 8))
W2 = rng.normal(scale=0.5, size=(8, 2))
b2 = np.zeros((1, 2))
for step in range(100):
    h = np.maximum(X @ W1 + b1, 0)
    logits = h @ W2 + b2
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    if step % 50 == 0:
        print("loss", -np.log(probs[np.arange(70), y]).mean())
    g = probs.copy()
    g[np.arange(70), y] -= 1
    g /= 70
    dW2 = h.T @ g
    db2 = g.sum(axis=0, keepdims=True)
    dh = g @ W2.T
    dh[h <= 0] = 0
    dW1 = X.T @ dh
    db1 = dh.sum(axis=0, keepdims=True)
    W1 -= 0.7 * dW1
    b1 -= 0.7 * db1
    W2 -= 0.7 * dW2
    b2 -= 0.7 * db2
sys.stdout.flush()
os._exit(0)
