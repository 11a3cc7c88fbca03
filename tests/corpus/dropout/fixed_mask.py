"""Inverted dropout on the hidden layer with a mask drawn once before training (every iteration drops
the same units): the mask scales the hidden layer in the forward pass and its gradient in the backward."""
import numpy as np

rng = np.random.default_rng(5)
N, D, H, K = 80, 3, 20, 2
X = rng.normal(size=(N, D))
y = (X[:, 0] * X[:, 1] > 0).astype(int)
keep = 0.8
mask = (rng.random((1, H)) < keep) / keep
W1 = rng.normal(0, 0.5, (D, H))
b1 = np.zeros((1, H))
W2 = rng.normal(0, 0.5, (H, K))
b2 = np.zeros((1, K))

for it in range(200):
    z1 = X.dot(W1) + b1
    h = np.maximum(z1, 0)
    hd = h * mask
    scores = hd.dot(W2) + b2
    exp = np.exp(scores - np.max(scores, axis=1, keepdims=True))
    probs = exp / np.sum(exp, axis=1, keepdims=True)
    loss = np.mean(-np.log(probs[np.arange(N), y]))
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    dscores /= N
    dW2 = hd.T.dot(dscores)
    db2 = dscores.sum(axis=0, keepdims=True)
    dhd = dscores.dot(W2.T)
    dh = dhd * mask
    dz1 = dh * (z1 > 0)
    dW1 = X.T.dot(dz1)
    db1 = dz1.sum(axis=0, keepdims=True)
    W1 -= 1.0 * dW1
    b1 -= 1.0 * db1
    W2 -= 1.0 * dW2
    b2 -= 1.0 * db2
