"""Nesterov momentum in the CS231n notes' form, parameters and velocities kept in dicts."""
import numpy as np

rng = np.random.default_rng(8)
n, d, k = 120, 4, 3
X = rng.normal(size=(n, d))
y = np.argmax(X[:, :k] + 0.3 * rng.normal(size=(n, k)), axis=1)

model = {
    "W1": rng.normal(scale=0.4, size=(d, 25)),
    "b1": np.zeros((1, 25)),
    "W2": rng.normal(scale=0.4, size=(25, k)),
    "b2": np.zeros((1, k)),
}
velocity = {name: np.zeros_like(value) for name, value in model.items()}
lr, mu = 0.2, 0.9

for it in range(100):
    z1 = X @ model["W1"] + model["b1"]
    a1 = np.maximum(z1, 0)
    logits = a1 @ model["W2"] + model["b2"]
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(n), y]).mean()
    dlogits = p.copy()
    dlogits[np.arange(n), y] -= 1
    dlogits /= n
    grads = {"W2": a1.T @ dlogits, "b2": dlogits.sum(axis=0, keepdims=True)}
    da1 = dlogits @ model["W2"].T
    dz1 = da1 * (z1 > 0)
    grads["W1"] = X.T @ dz1
    grads["b1"] = dz1.sum(axis=0, keepdims=True)
    for name in model:
        v_prev = velocity[name]
        velocity[name] = mu * velocity[name] - lr * grads[name]
        model[name] += -mu * v_prev + (1 + mu) * velocity[name]
    if it % 25 == 0:
        print(f"{it:3d} {loss:.4f}")
