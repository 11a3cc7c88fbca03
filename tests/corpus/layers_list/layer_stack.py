"""A tiny layer library: each layer has forward/backward, the network is a list walked in reverse."""
import numpy as np


class Dense:
    def __init__(self, n_in, n_out, rng):
        self.W = rng.normal(0.0, np.sqrt(2.0 / n_in), (n_in, n_out))
        self.b = np.zeros(n_out)

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad):
        self.dW = self.x.T @ grad
        self.db = grad.sum(axis=0)
        return grad @ self.W.T

    def params(self):
        return [(self.W, self.dW), (self.b, self.db)]


class ReLU:
    def forward(self, x):
        self.x = x
        return np.maximum(x, 0)

    def backward(self, grad):
        return grad * (self.x > 0)

    def params(self):
        return []


class Tanh:
    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, grad):
        return grad * (1 - self.out ** 2)

    def params(self):
        return []


class SoftmaxCrossEntropy:
    def forward(self, logits, labels):
        shifted = logits - logits.max(axis=1, keepdims=True)
        self.probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        self.labels = labels
        return -np.log(self.probs[np.arange(len(labels)), labels]).mean()

    def backward(self):
        grad = self.probs.copy()
        grad[np.arange(len(self.labels)), self.labels] -= 1
        return grad / len(self.labels)


rng = np.random.default_rng(0)
centers = np.array([[2.0, 2.0], [-2.0, 2.0], [-2.0, -2.0], [2.0, -2.0]])
y = rng.integers(0, 4, 160)
X = centers[y] + rng.normal(0, 1.2, (160, 2))

layers = [Dense(2, 32, rng), ReLU(), Dense(32, 24, rng), Tanh(), Dense(24, 4, rng)]
loss_fn = SoftmaxCrossEntropy()
lr = 0.2

for step in range(150):
    out = X
    for layer in layers:
        out = layer.forward(out)
    loss = loss_fn.forward(out, y)
    grad = loss_fn.backward()
    for layer in reversed(layers):
        grad = layer.backward(grad)
    for layer in layers:
        for param, dparam in layer.params():
            param -= lr * dparam
    if step % 50 == 0:
        print(f"step {step}: loss {loss:.4f}")
