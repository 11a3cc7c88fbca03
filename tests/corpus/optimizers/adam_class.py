"""An Adam optimizer class that keeps its state per parameter (a dict keyed by the parameter's name) and
its own step count; bias-corrected moments; a sigmoid-output network whose parameters live in a dict."""
import numpy as np


class Adam:
    def __init__(self, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.state = {}
        self.t = 0

    def step(self, params, grads):
        self.t += 1
        for name, p in params.items():
            g = grads[name]
            if name not in self.state:
                self.state[name] = {"m": np.zeros_like(p), "v": np.zeros_like(p)}
            s = self.state[name]
            s["m"] = self.beta1 * s["m"] + (1 - self.beta1) * g
            s["v"] = self.beta2 * s["v"] + (1 - self.beta2) * g * g
            m_hat = s["m"] / (1 - self.beta1 ** self.t)
            v_hat = s["v"] / (1 - self.beta2 ** self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


rng = np.random.default_rng(4)
N = 90
X = rng.normal(size=(N, 2))
y = (np.hypot(X[:, 0], X[:, 1]) > 1.1).astype(float).reshape(-1, 1)
params = {"W1": rng.normal(0, 0.7, (2, 10)), "b1": np.zeros((1, 10)),
          "W2": rng.normal(0, 0.7, (10, 1)), "b2": np.zeros((1, 1))}
opt = Adam(lr=0.05)
for epoch in range(150):
    h = np.maximum(0, X @ params["W1"] + params["b1"])
    out = 1 / (1 + np.exp(-(h @ params["W2"] + params["b2"])))
    loss = -np.mean(y * np.log(out) + (1 - y) * np.log(1 - out))
    dz2 = (out - y) / N
    grads = {"W2": h.T @ dz2, "b2": dz2.sum(axis=0, keepdims=True)}
    dh = dz2 @ params["W2"].T
    dh[h <= 0] = 0
    grads["W1"] = X.T @ dh
    grads["b1"] = dh.sum(axis=0, keepdims=True)
    opt.step(params, grads)
