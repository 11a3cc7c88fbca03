"""Three tanh hidden layers, no normalisation, written with the @ operator and .T; mean squared error
on a smooth 2-D regression target, one output unit."""
import numpy as np

rng = np.random.default_rng(21)
N = 64
X = rng.uniform(-2, 2, size=(N, 2))
Y = np.sin(X[:, :1]) * np.cos(X[:, 1:])
sizes = [2, 12, 10, 8, 1]
W1, W2, W3, W4 = (rng.normal(0, 1 / np.sqrt(a), (a, b)) for a, b in zip(sizes[:-1], sizes[1:]))
b1, b2, b3, b4 = (np.zeros((1, b)) for b in sizes[1:])
lr = 0.1
for it in range(400):
    h1 = np.tanh(X @ W1 + b1)
    h2 = np.tanh(h1 @ W2 + b2)
    h3 = np.tanh(h2 @ W3 + b3)
    out = h3 @ W4 + b4
    loss = np.mean((out - Y) ** 2)
    dout = 2 * (out - Y) / N
    dW4 = h3.T @ dout
    db4 = dout.sum(0, keepdims=True)
    dz3 = (dout @ W4.T) * (1 - h3 ** 2)
    dW3 = h2.T @ dz3
    db3 = dz3.sum(0, keepdims=True)
    dz2 = (dz3 @ W3.T) * (1 - h2 ** 2)
    dW2 = h1.T @ dz2
    db2 = dz2.sum(0, keepdims=True)
    dz1 = (dz2 @ W2.T) * (1 - h1 ** 2)
    dW1 = X.T @ dz1
    db1 = dz1.sum(0, keepdims=True)
    W1 -= lr * dW1
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2
    W3 -= lr * dW3
    b3 -= lr * db3
    W4 -= lr * dW4
    b4 -= lr * db4
    if it % 100 == 0:
        print(it, loss)
