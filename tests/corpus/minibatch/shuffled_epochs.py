# Mini-batch SGD: reshuffle every epoch, then walk the permutation in slices of 32.
import numpy as np

rng = np.random.default_rng(42)
N, D, K = 200, 3, 3
X = rng.normal(size=(N, D))
y = np.argmax(X @ rng.normal(size=(D, K)), axis=1)

W1 = rng.normal(scale=0.5, size=(D, 24))
b1 = np.zeros((1, 24))
W2 = rng.normal(scale=0.5, size=(24, K))
b2 = np.zeros((1, K))
lr, batch_size = 0.5, 32

for epoch in range(10):
    perm = rng.permutation(N)
    for start in range(0, N, batch_size):
        idx = perm[start:start + batch_size]
        Xb, yb = X[idx], y[idx]
        nb = len(yb)
        h = np.maximum(0, Xb @ W1 + b1)
        s = h @ W2 + b2
        s -= s.max(axis=1, keepdims=True)
        p = np.exp(s)
        p /= p.sum(axis=1, keepdims=True)
        loss = -np.log(p[np.arange(nb), yb]).mean()
        ds = p
        ds[np.arange(nb), yb] -= 1
        ds /= nb
        dW2 = h.T @ ds
        db2 = ds.sum(axis=0, keepdims=True)
        dh = ds @ W2.T
        dh[h <= 0] = 0
        dW1 = Xb.T @ dh
        db1 = dh.sum(axis=0, keepdims=True)
        W1 -= lr * dW1
        b1 -= lr * db1
        W2 -= lr * dW2
        b2 -= lr * db2
    print("epoch", epoch, "last batch loss", round(float(loss), 4))
