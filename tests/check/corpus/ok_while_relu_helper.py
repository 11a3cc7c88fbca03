# A while loop over epochs, relu/softmax helpers, one-hot labels, np.mean loss, 1-D biases.
import numpy as np
np.random.seed(1)

def relu(x):
    return np.maximum(0, x)

def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)

X = np.random.randn(120, 4)
y = (X[:, 0] * X[:, 1] > 0).astype(int)
Y = np.eye(2)[y]
W1 = np.random.randn(4, 16) * 0.1
b1 = np.zeros(16)
W2 = np.random.randn(16, 2) * 0.1
b2 = np.zeros(2)
lr = 0.5
epoch = 0
while epoch < 500:
    z1 = X @ W1 + b1
    a1 = relu(z1)
    p = softmax(a1 @ W2 + b2)
    loss = -np.mean(np.sum(Y * np.log(p + 1e-12), axis=1))
    dz2 = (p - Y) / len(X)
    dW2 = a1.T @ dz2
    db2 = dz2.sum(axis=0)
    da1 = dz2 @ W2.T
    dz1 = da1 * (z1 > 0)
    dW1 = X.T @ dz1
    db1 = dz1.sum(axis=0)
    W1 -= lr * dW1
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2
    epoch += 1
