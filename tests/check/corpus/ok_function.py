"""Correct: the training loop lives in a function called from main(); matplotlib plot at the end."""
import matplotlib.pyplot as plt
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


def train(X, y, hidden=10, lr=1.0, iters=100, reg=1e-3):
    n, d = X.shape
    k = int(y.max()) + 1
    W = 0.01 * np.random.randn(d, hidden)
    b = np.zeros((1, hidden))
    W2 = 0.01 * np.random.randn(hidden, k)
    b2 = np.zeros((1, k))
    losses = []
    for i in range(iters):
        hid = np.maximum(0, np.dot(X, W) + b)
        sc = np.dot(hid, W2) + b2
        ex = np.exp(sc)
        pr = ex / np.sum(ex, axis=1, keepdims=True)
        loss = np.sum(-np.log(pr[range(n), y])) / n + 0.5 * reg * np.sum(W * W) + 0.5 * reg * np.sum(W2 * W2)
        losses.append(loss)
        dsc = pr
        dsc[range(n), y] -= 1
        dsc /= n
        dW2 = np.dot(hid.T, dsc) + reg * W2
        db2 = np.sum(dsc, axis=0, keepdims=True)
        dhid = np.dot(dsc, W2.T)
        dhid[hid <= 0] = 0
        dW = np.dot(X.T, dhid) + reg * W
        db = np.sum(dhid, axis=0, keepdims=True)
        W += -lr * dW
        b += -lr * db
        W2 += -lr * dW2
        b2 += -lr * db2
    return losses


def main():
    losses = train(X, y, hidden=12)
    plt.plot(losses)
    plt.show()


if __name__ == "__main__":
    main()
