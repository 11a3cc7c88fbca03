"""A PyTorch-like numpy Module: parameters() and zero_grad(), layers that keep their input for the
backward pass, Parameter objects whose .grad the backward pass adds to, and an SGD optimizer that
steps over model.parameters()."""
import numpy as np


class Parameter:
    def __init__(self, data):
        self.data = data
        self.grad = np.zeros_like(data)


class Module:
    def parameters(self):
        params = []
        for value in vars(self).values():
            if isinstance(value, Parameter):
                params.append(value)
            elif isinstance(value, Module):
                params.extend(value.parameters())
        return params

    def zero_grad(self):
        for p in self.parameters():
            p.grad[...] = 0.0

    def __call__(self, x):
        return self.forward(x)


class Linear(Module):
    def __init__(self, n_in, n_out, rng):
        self.weight = Parameter(rng.normal(0.0, 1.0 / np.sqrt(n_in), (n_in, n_out)))
        self.bias = Parameter(np.zeros(n_out))

    def forward(self, x):
        self.x = x
        return x @ self.weight.data + self.bias.data

    def backward(self, grad_out):
        self.weight.grad += self.x.T @ grad_out
        self.bias.grad += grad_out.sum(axis=0)
        return grad_out @ self.weight.data.T


class ReLU(Module):
    def forward(self, x):
        self.mask = x > 0
        return x * self.mask

    def backward(self, grad_out):
        return grad_out * self.mask


class MLP(Module):
    def __init__(self, rng):
        self.fc1 = Linear(2, 16, rng)
        self.act = ReLU()
        self.fc2 = Linear(16, 3, rng)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))

    def backward(self, grad):
        return self.fc1.backward(self.act.backward(self.fc2.backward(grad)))


class CrossEntropyLoss:
    def __call__(self, logits, target):
        shifted = logits - logits.max(axis=1, keepdims=True)
        self.probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        self.target = target
        return -np.log(self.probs[np.arange(len(target)), target]).mean()

    def backward(self):
        grad = self.probs.copy()
        grad[np.arange(len(self.target)), self.target] -= 1
        return grad / len(self.target)


class SGD:
    def __init__(self, params, lr):
        self.params, self.lr = params, lr

    def step(self):
        for p in self.params:
            p.data -= self.lr * p.grad


rng = np.random.default_rng(7)
X = rng.normal(size=(60, 2))
y = (np.arctan2(X[:, 1], X[:, 0]) > 0).astype(int) + (X[:, 0] > 0.5)
model = MLP(rng)
criterion = CrossEntropyLoss()
optimizer = SGD(model.parameters(), lr=0.5)
for epoch in range(100):
    model.zero_grad()
    loss = criterion(model(X), y)
    model.backward(criterion.backward())
    optimizer.step()
    if epoch % 25 == 0:
        print(epoch, float(loss))
