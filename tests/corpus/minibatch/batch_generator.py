"""Mini-batches from a generator function; sigmoid output with binary cross-entropy, tanh hidden."""
import numpy as np


def iterate_minibatches(inputs, targets, batchsize, rng):
    order = rng.permutation(len(inputs))
    for start in range(0, len(inputs) - batchsize + 1, batchsize):
        excerpt = order[start:start + batchsize]
        yield inputs[excerpt], targets[excerpt]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


rng = np.random.default_rng(6)
X = rng.normal(size=(160, 2))
t = (np.sin(2 * X[:, :1]) > X[:, 1:]).astype(float)  # (160, 1) targets

W1 = rng.normal(scale=0.8, size=(2, 12))
b1 = np.zeros((1, 12))
W2 = rng.normal(scale=0.8, size=(12, 1))
b2 = np.zeros((1, 1))
eta = 1.0

for epoch in range(20):
    for xb, tb in iterate_minibatches(X, t, 20, rng):
        a1 = np.tanh(xb @ W1 + b1)
        out = sigmoid(a1 @ W2 + b2)
        bce = -np.mean(tb * np.log(out) + (1 - tb) * np.log(1 - out))
        d_logit = (out - tb) / len(xb)
        gW2 = a1.T @ d_logit
        gb2 = d_logit.sum(axis=0, keepdims=True)
        d_a1 = d_logit @ W2.T
        d_z1 = d_a1 * (1 - a1 * a1)
        gW1 = xb.T @ d_z1
        gb1 = d_z1.sum(axis=0, keepdims=True)
        W1 -= eta * gW1
        b1 -= eta * gb1
        W2 -= eta * gW2
        b2 -= eta * gb2
    if epoch % 5 == 0:
        print(epoch, bce)
