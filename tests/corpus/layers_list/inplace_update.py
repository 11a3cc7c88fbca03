# Layers that update themselves during the backward pass (no separate optimizer).
# Each layer must hand back the gradient for its input computed with its weights *before* the update.
import numpy as np


class Linear:
    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_in, n_out) * 0.6
        self.b = np.zeros((1, n_out))

    def forward(self, inputs):
        self.inputs = inputs
        return inputs @ self.W + self.b

    def backward(self, grad_out, lr):
        grad_in = grad_out @ self.W.T
        self.W -= lr * (self.inputs.T @ grad_out)
        self.b -= lr * grad_out.sum(axis=0, keepdims=True)
        return grad_in


class Sigmoid:
    def forward(self, inputs):
        self.out = 1.0 / (1.0 + np.exp(-inputs))
        return self.out

    def backward(self, grad_out, lr):
        return grad_out * self.out * (1.0 - self.out)


np.random.seed(13)
X = np.random.uniform(-1, 1, (100, 3))
Y = np.c_[np.sin(2 * X[:, 0]) * X[:, 1], X[:, 2] ** 2]

net = [Linear(3, 16), Sigmoid(), Linear(16, 16), Sigmoid(), Linear(16, 2)]
lr = 0.5

for epoch in range(200):
    a = X
    for layer in net:
        a = layer.forward(a)
    loss = np.mean((a - Y) ** 2)
    grad = 2 * (a - Y) / a.size
    for layer in net[::-1]:
        grad = layer.backward(grad, lr)
    if epoch % 50 == 0:
        print("epoch", epoch, "mse", loss)
