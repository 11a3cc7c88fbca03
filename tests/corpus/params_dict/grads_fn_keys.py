# Functions that take and return dicts: forward() -> cache, backward() -> grads with the
# parameters' own keys, then `for k in params: params[k] -= lr * grads[k]`.
# Sigmoid hidden layer, one sigmoid output, binary cross-entropy with an epsilon in the log.
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def init_params(rng, n_in, n_hidden):
    return {"W1": rng.normal(0, 1, (n_in, n_hidden)), "b1": np.zeros((1, n_hidden)),
            "W2": rng.normal(0, 1, (n_hidden, 1)), "b2": np.zeros((1, 1))}


def forward(params, X):
    Z1 = np.dot(X, params["W1"]) + params["b1"]
    A1 = sigmoid(Z1)
    Z2 = np.dot(A1, params["W2"]) + params["b2"]
    A2 = sigmoid(Z2)
    return {"X": X, "A1": A1, "A2": A2}


def compute_loss(A2, Y, eps=1e-8):
    return -np.mean(Y * np.log(A2 + eps) + (1 - Y) * np.log(1 - A2 + eps))


def backward(params, cache, Y):
    m = Y.shape[0]
    A1, A2 = cache["A1"], cache["A2"]
    dA2 = -(Y / A2 - (1 - Y) / (1 - A2)) / m
    dZ2 = dA2 * A2 * (1 - A2)
    dA1 = np.dot(dZ2, params["W2"].T)
    dZ1 = dA1 * A1 * (1 - A1)
    return {"W2": np.dot(A1.T, dZ2), "b2": np.sum(dZ2, axis=0, keepdims=True),
            "W1": np.dot(cache["X"].T, dZ1), "b1": np.sum(dZ1, axis=0, keepdims=True)}


rng = np.random.default_rng(8)
X = rng.uniform(-1, 1, (100, 2))
Y = (np.sin(3 * X[:, :1]) > X[:, 1:]).astype(float)
params = init_params(rng, 2, 6)
lr = 2.0

for i in range(300):
    cache = forward(params, X)
    loss = compute_loss(cache["A2"], Y)
    grads = backward(params, cache, Y)
    for k in params:
        params[k] -= lr * grads[k]
    if i % 100 == 0:
        print(f"iter {i}: loss {loss:.4f}")
