# A loop with both `continue` (skip a step whose loss is not finite) and `break` (target reached).
import numpy as np

rng = np.random.default_rng(12)
X = rng.normal(size=(90, 3))
y = rng.integers(0, 3, 90)
X[np.arange(90), y] += 2.0
W1 = rng.normal(scale=0.4, size=(3, 10))
b1 = np.zeros((1, 10))
W2 = rng.normal(scale=0.4, size=(10, 3))
b2 = np.zeros((1, 3))
lr = 0.6
n = len(y)

for i in range(300):
    h = np.maximum(0, X @ W1 + b1)
    s = h @ W2 + b2
    p = np.exp(s - s.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(p[np.arange(n), y]))
    if not np.isfinite(loss):
        continue
    if loss < 0.05:
        print("target reached at", i)
        break
    ds = p.copy()
    ds[np.arange(n), y] -= 1
    ds /= n
    dW2 = h.T @ ds
    db2 = ds.sum(axis=0, keepdims=True)
    dh = ds @ W2.T
    dh[h <= 0] = 0
    dW1 = X.T @ dh
    db1 = dh.sum(axis=0, keepdims=True)
    W1 -= lr * dW1
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2
    if i % 100 == 99:
        continue
