"""Mini-batch SGD as the textbooks write it: a new np.random.permutation of the examples every epoch,
index arrays cut from it, each batch picked with X[idx], the mean loss of the batch."""
import numpy as np

np.random.seed(11)
N, D, H, K = 120, 4, 10, 3
X = np.random.randn(N, D)
y = np.argmax(X[:, :K] + 0.3 * np.random.randn(N, K), axis=1)
W1 = np.random.randn(D, H) * np.sqrt(2.0 / D)
b1 = np.zeros(H)
W2 = np.random.randn(H, K) * np.sqrt(2.0 / H)
b2 = np.zeros(K)
lr, batch = 0.3, 24

for epoch in range(30):
    order = np.random.permutation(N)
    for k in range(0, N, batch):
        idx = order[k:k + batch]
        xb, yb = X[idx], y[idx]
        h = np.maximum(0, xb @ W1 + b1)
        s = h @ W2 + b2
        s -= s.max(axis=1, keepdims=True)
        p = np.exp(s)
        p /= p.sum(axis=1, keepdims=True)
        loss = -np.mean(np.log(p[np.arange(len(yb)), yb]))
        ds = p
        ds[np.arange(len(yb)), yb] -= 1
        ds /= len(yb)
        dW2 = h.T @ ds
        db2 = ds.sum(axis=0)
        dh = ds @ W2.T
        dh[h <= 0] = 0
        dW1 = xb.T @ dh
        db1 = dh.sum(axis=0)
        W1 -= lr * dW1
        b1 -= lr * db1
        W2 -= lr * dW2
        b2 -= lr * db2
    if epoch % 10 == 0:
        print(epoch, loss)
