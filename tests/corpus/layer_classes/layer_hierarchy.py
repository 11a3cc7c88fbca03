# A small Layer class hierarchy: every layer has forward(x) and backward(grad_output),
# and the trainable layers update themselves inside backward (no separate optimizer).
import numpy as np


class Layer:
    """Base class: forward caches what backward needs; backward returns dL/d(input)."""

    def forward(self, x):
        raise NotImplementedError

    def backward(self, grad_output):
        raise NotImplementedError


class Dense(Layer):
    def __init__(self, n_in, n_out, lr, rng):
        self.weights = rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))
        self.biases = np.zeros(n_out)
        self.lr = lr

    def forward(self, x):
        self.x = x
        return np.matmul(x, self.weights) + self.biases

    def backward(self, grad_output):
        grad_input = np.matmul(grad_output, self.weights.T)
        grad_weights = np.matmul(self.x.T, grad_output)
        grad_biases = grad_output.sum(axis=0)
        self.weights = self.weights - self.lr * grad_weights
        self.biases = self.biases - self.lr * grad_biases
        return grad_input


class LeakyReLU(Layer):
    def __init__(self, alpha=0.05):
        self.alpha = alpha

    def forward(self, x):
        self.x = x
        return np.where(x > 0, x, self.alpha * x)

    def backward(self, grad_output):
        return grad_output * np.where(self.x > 0, 1.0, self.alpha)


class SoftmaxCrossEntropy:
    """Numerically stable softmax + mean cross-entropy over the batch."""

    def forward(self, scores, y):
        shifted = scores - scores.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        self.probs = exp / exp.sum(axis=1, keepdims=True)
        self.y = y
        n = scores.shape[0]
        return -np.log(self.probs[np.arange(n), y]).mean()

    def backward(self):
        n = self.probs.shape[0]
        grad = self.probs.copy()
        grad[np.arange(n), self.y] -= 1
        return grad / n


rng = np.random.default_rng(7)
n_per = 40
X = np.concatenate([rng.normal(c, 0.6, size=(n_per, 2)) for c in ((0, 0), (2, 2), (0, 2))])
y = np.repeat(np.arange(3), n_per)

layers = [Dense(2, 12, 0.3, rng), LeakyReLU(), Dense(12, 12, 0.3, rng), LeakyReLU(), Dense(12, 3, 0.3, rng)]
criterion = SoftmaxCrossEntropy()

for epoch in range(120):
    out = X
    for layer in layers:
        out = layer.forward(out)
    loss = criterion.forward(out, y)
    grad = criterion.backward()
    for layer in reversed(layers):
        grad = layer.backward(grad)
    if epoch % 40 == 0:
        print(f"epoch {epoch:3d}  loss {loss:.4f}")
