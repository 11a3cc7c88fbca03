#!/usr/bin/env python3
"""Training in main(), the exit status from sys.exit(main()), like a command-line tool."""
import sys

import numpy as np


def main(argv=None):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(100, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    W1 = rng.normal(scale=0.7, size=(2, 20))
    b1 = np.zeros((1, 20))
    W2 = rng.normal(scale=0.7, size=(20, 2))
    b2 = np.zeros((1, 2))
    lr = 0.5
    for it in range(200):
        a = np.tanh(X @ W1 + b1)
        s = a @ W2 + b2
        e = np.exp(s - s.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        loss = -np.log(p[np.arange(100), y]).mean()
        d = p.copy()
        d[np.arange(100), y] -= 1
        d /= 100
        dW2 = a.T @ d
        db2 = d.sum(axis=0, keepdims=True)
        da = d @ W2.T
        dz = da * (1 - a ** 2)
        dW1 = X.T @ dz
        db1 = dz.sum(axis=0, keepdims=True)
        W1 -= lr * dW1
        b1 -= lr * db1
        W2 -= lr * dW2
        b2 -= lr * db2
    print("final loss", loss)
    return 0 if loss < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
