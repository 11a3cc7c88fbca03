# The training loop lives in a function that returns the final loss; forward and backward
# mix np.dot, .dot and np.matmul; an L2 penalty reg * sum(W**2) on both weight matrices.
import numpy as np


def make_data(rng, n=60):
    angles = rng.uniform(0, 2 * np.pi, n)
    radius = np.r_[rng.uniform(0, 1, n // 2), rng.uniform(1.5, 2.5, n - n // 2)]
    X = np.c_[radius * np.cos(angles), radius * np.sin(angles)]
    y = (radius > 1.2).astype(int)
    return X, y


def init(rng, d, h, k):
    return (rng.standard_normal((d, h)) * 0.5, np.zeros((1, h)),
            rng.standard_normal((h, k)) * 0.5, np.zeros((1, k)))


def train(X, y, epochs=200, lr=0.4, reg=1e-3, seed=0):
    rng = np.random.default_rng(seed)
    W1, b1, W2, b2 = init(rng, X.shape[1], 20, 2)
    m = len(y)
    loss = None
    for epoch in range(epochs):
        h = np.maximum(0, np.dot(X, W1) + b1)
        s = np.matmul(h, W2) + b2
        s = s - s.max(axis=1, keepdims=True)
        p = np.exp(s)
        p /= p.sum(axis=1, keepdims=True)
        loss = -np.log(p[range(m), y]).mean() + reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
        ds = p
        ds[range(m), y] -= 1
        ds /= m
        dW2 = h.T.dot(ds) + 2 * reg * W2
        db2 = ds.sum(axis=0, keepdims=True)
        dh = np.dot(ds, W2.T)
        dh[h <= 0] = 0
        dW1 = np.matmul(X.T, dh) + 2 * reg * W1
        db1 = dh.sum(axis=0, keepdims=True)
        W1 += -lr * dW1
        b1 += -lr * db1
        W2 += -lr * dW2
        b2 += -lr * db2
    return loss


if __name__ == "__main__":
    data = make_data(np.random.default_rng(1))
    final = train(*data)
    print(f"final loss: {final:.4f}")
