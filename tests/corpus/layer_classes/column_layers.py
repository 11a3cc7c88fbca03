# Layer classes in deeplearning.ai's column layout (one example per column, W @ A),
# backward(dA) stores the gradients, update(lr) applies them; training in fit(), which
# returns the list of costs.
import numpy as np


class Linear:
    def __init__(self, n_in, n_out, rng):
        self.W = rng.standard_normal((n_out, n_in)) * np.sqrt(1.0 / n_in)
        self.b = np.zeros((n_out, 1))

    def forward(self, A_prev):
        self.A_prev = A_prev
        return self.W @ A_prev + self.b

    def backward(self, dZ):
        m = self.A_prev.shape[1]
        self.dW = dZ @ self.A_prev.T / m
        self.db = np.sum(dZ, axis=1, keepdims=True) / m
        return self.W.T @ dZ

    def update(self, lr):
        self.W -= lr * self.dW
        self.b -= lr * self.db


class Tanh:
    def forward(self, Z):
        self.A = np.tanh(Z)
        return self.A

    def backward(self, dA):
        return dA * (1 - np.power(self.A, 2))

    def update(self, lr):
        pass


class Softmax:
    def forward(self, Z):
        E = np.exp(Z - np.max(Z, axis=0, keepdims=True))
        return E / np.sum(E, axis=0, keepdims=True)


def fit(model, head, X, Y, lr=0.5, iterations=150):
    costs = []
    m = X.shape[1]
    for it in range(iterations):
        A = X
        for layer in model:
            A = layer.forward(A)
        P = head.forward(A)
        cost = -np.sum(Y * np.log(P)) / m
        costs.append(cost)
        dZ = P - Y
        for layer in reversed(model):
            dZ = layer.backward(dZ)
        for layer in model:
            layer.update(lr)
    return costs


rng = np.random.default_rng(17)
X = rng.standard_normal((3, 90))
labels = (X[0] + X[1] > 0).astype(int) + (X[2] > 0.5).astype(int)
Y = np.eye(3)[labels].T
model = [Linear(3, 10, rng), Tanh(), Linear(10, 10, rng), Tanh(), Linear(10, 3, rng)]
costs = fit(model, Softmax(), X, Y)
print(f"cost {costs[0]:.4f} -> {costs[-1]:.4f}")
