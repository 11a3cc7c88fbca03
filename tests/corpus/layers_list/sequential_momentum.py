# A Keras-like Sequential model: fit() owns the loop, step() applies SGD with momentum.
import numpy as np


class Dense:
    def __init__(self, n_in, n_out, rng):
        self.W = rng.standard_normal((n_in, n_out)) * 0.5
        self.b = np.zeros((1, n_out))
        self.vW = np.zeros_like(self.W)
        self.vb = np.zeros_like(self.b)

    def forward(self, x):
        self.x = x
        return x.dot(self.W) + self.b

    def backward(self, g):
        self.gW = self.x.T.dot(g)
        self.gb = g.sum(axis=0, keepdims=True)
        return g.dot(self.W.T)

    def step(self, lr, mu):
        self.vW = mu * self.vW - lr * self.gW
        self.vb = mu * self.vb - lr * self.gb
        self.W += self.vW
        self.b += self.vb


class LeakyReLU:
    def __init__(self, slope=0.1):
        self.slope = slope

    def forward(self, x):
        self.x = x
        return np.where(x > 0, x, self.slope * x)

    def backward(self, g):
        return np.where(self.x > 0, g, self.slope * g)

    def step(self, lr, mu):
        pass


class Sequential:
    def __init__(self, layers):
        self.layers = layers

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, g):
        for layer in reversed(self.layers):
            g = layer.backward(g)

    def fit(self, X, y, epochs, lr, mu=0.9):
        n = len(y)
        history = []
        for epoch in range(epochs):
            logits = self.forward(X)
            logits = logits - logits.max(axis=1, keepdims=True)
            probs = np.exp(logits)
            probs /= probs.sum(axis=1, keepdims=True)
            history.append(-np.mean(np.log(probs[np.arange(n), y])))
            g = probs
            g[np.arange(n), y] -= 1
            self.backward(g / n)
            for layer in self.layers:
                layer.step(lr, mu)
        return history


rng = np.random.default_rng(77)
X = rng.standard_normal((150, 3))
y = (X[:, 0] > 0).astype(int) + (X[:, 1] * X[:, 2] > 0).astype(int)
model = Sequential([Dense(3, 20, rng), LeakyReLU(0.1), Dense(20, 3, rng)])
history = model.fit(X, y, epochs=120, lr=0.3, mu=0.85)
print("loss", history[0], "->", history[-1])
