# Per-parameter gradient clipping by norm (in place), then SGD with momentum over a dict of velocities.
# Tanh hidden layer, softmax output with one-hot targets built by np.eye.
import numpy as np

rng = np.random.default_rng(42)
X = rng.normal(size=(90, 3))
labels = (X[:, 0] + X[:, 1] ** 2 > 0.5).astype(int) + (X[:, 2] > 0.8).astype(int)
Y = np.eye(3)[labels]

params = {"W1": rng.normal(scale=0.8, size=(3, 12)), "b1": np.zeros((1, 12)),
          "W2": rng.normal(scale=0.8, size=(12, 3)), "b2": np.zeros((1, 3))}
velocity = {k: np.zeros_like(v) for k, v in params.items()}
lr, mu, max_norm = 0.4, 0.9, 0.15

for epoch in range(100):
    h = np.tanh(X @ params["W1"] + params["b1"])
    s = h @ params["W2"] + params["b2"]
    e = np.exp(s - s.max(axis=1, keepdims=True))
    P = e / e.sum(axis=1, keepdims=True)
    loss = -np.sum(Y * np.log(P)) / len(X)

    g = {}
    ds = (P - Y) / len(X)
    g["W2"] = h.T @ ds
    g["b2"] = ds.sum(axis=0, keepdims=True)
    dh = (ds @ params["W2"].T) * (1 - h ** 2)
    g["W1"] = X.T @ dh
    g["b1"] = dh.sum(axis=0, keepdims=True)

    for k in g:
        norm = np.linalg.norm(g[k])
        if norm > max_norm:
            g[k] *= max_norm / norm
    for k in params:
        velocity[k] = mu * velocity[k] - lr * g[k]
        params[k] += velocity[k]
    if epoch % 25 == 0:
        print(f"epoch {epoch:3d}: loss {loss:.4f}")
