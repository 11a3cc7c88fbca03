# One sigmoid output unit with binary cross-entropy; rows are examples; two ReLU hidden layers.
import numpy as np

np.random.seed(8)
X = np.random.randn(140, 2)
y = ((X[:, 0] - 0.3) ** 2 + X[:, 1] ** 2 < 1.0).astype(float).reshape(-1, 1)
W1 = np.random.randn(2, 14) * 0.6
b1 = np.zeros((1, 14))
W2 = np.random.randn(14, 10) * 0.5
b2 = np.zeros((1, 10))
W3 = np.random.randn(10, 1) * 0.5
b3 = np.zeros((1, 1))
alpha = 0.8
N = len(X)

for i in range(200):
    z1 = X.dot(W1) + b1
    a1 = np.maximum(0, z1)
    z2 = a1.dot(W2) + b2
    a2 = np.maximum(0, z2)
    z3 = a2.dot(W3) + b3
    p = 1 / (1 + np.exp(-z3))
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    dz3 = (p - y) / N
    dW3 = a2.T.dot(dz3)
    db3 = np.sum(dz3, axis=0, keepdims=True)
    da2 = dz3.dot(W3.T)
    dz2 = da2 * (z2 > 0)
    dW2 = a1.T.dot(dz2)
    db2 = np.sum(dz2, axis=0, keepdims=True)
    da1 = dz2.dot(W2.T)
    dz1 = da1 * (z1 > 0)
    dW1 = X.T.dot(dz1)
    db1 = np.sum(dz1, axis=0, keepdims=True)
    W1 = W1 - alpha * dW1
    b1 = b1 - alpha * db1
    W2 = W2 - alpha * dW2
    b2 = b2 - alpha * db2
    W3 = W3 - alpha * dW3
    b3 = b3 - alpha * db3
    if i % 50 == 0:
        print(i, loss)
