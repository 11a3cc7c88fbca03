# Multi-label classification: three independent sigmoid outputs, binary cross-entropy
# summed over the labels and averaged over the examples; leaky ReLU hidden layer.
import numpy as np

rng = np.random.default_rng(5)
N, D, H, L = 80, 3, 9, 3
X = rng.standard_normal((N, D))
T = np.stack([X[:, 0] > 0, X[:, 1] + X[:, 2] > 0, X[:, 0] * X[:, 2] > 0], axis=1).astype(float)

W1 = rng.standard_normal((D, H)) * 0.5
b1 = np.zeros((1, H))
W2 = rng.standard_normal((H, L)) * 0.5
b2 = np.zeros((1, L))
lr = 0.8


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


for step in range(250):
    Z1 = X @ W1 + b1
    A1 = np.where(Z1 > 0, Z1, 0.01 * Z1)
    Z2 = A1 @ W2 + b2
    P = sigmoid(Z2)
    cost = -np.mean(np.sum(T * np.log(P) + (1 - T) * np.log(1 - P), axis=1))

    dZ2 = (P - T) / N
    dW2 = A1.T @ dZ2
    db2 = np.sum(dZ2, axis=0, keepdims=True)
    dA1 = dZ2 @ W2.T
    dZ1 = np.where(Z1 > 0, dA1, 0.01 * dA1)
    dW1 = X.T @ dZ1
    db1 = np.sum(dZ1, axis=0, keepdims=True)

    W1 = W1 - lr * dW1
    b1 = b1 - lr * db1
    W2 = W2 - lr * dW2
    b2 = b2 - lr * db2
    if step % 50 == 0:
        print(f"step {step:4d} | bce {cost:.4f}")
