# Parameters and gradients in dicts, gradient clipping before the update,
# and a learning rate that decays every epoch.
import numpy as np

rng = np.random.default_rng(11)
X = rng.uniform(-2, 2, size=(100, 2))
y = (X[:, 0] * X[:, 1] > 0).astype(int)

params = {
    "W1": rng.standard_normal((2, 16)),
    "b1": np.zeros((1, 16)),
    "W2": rng.standard_normal((16, 2)) * 0.3,
    "b2": np.zeros((1, 2)),
}
lr0, decay, clip = 0.5, 0.05, 0.1
history = []

for epoch in range(150):
    lr = lr0 / (1.0 + decay * epoch)
    z1 = X @ params["W1"] + params["b1"]
    h = np.maximum(z1, 0)
    logits = h @ params["W2"] + params["b2"]
    logits -= np.max(logits, axis=1, keepdims=True)
    p = np.exp(logits) / np.sum(np.exp(logits), axis=1, keepdims=True)
    n = X.shape[0]
    loss = -np.mean(np.log(p[np.arange(n), y]))
    history.append(loss)

    grads = {}
    dlogits = p.copy()
    dlogits[np.arange(n), y] -= 1
    dlogits /= n
    grads["W2"] = h.T @ dlogits
    grads["b2"] = np.sum(dlogits, axis=0, keepdims=True)
    dh = dlogits @ params["W2"].T
    dz1 = dh * (z1 > 0)
    grads["W1"] = X.T @ dz1
    grads["b1"] = np.sum(dz1, axis=0, keepdims=True)

    for k in grads:
        grads[k] = np.clip(grads[k], -clip, clip)
    for k in params:
        params[k] -= lr * grads[k]
    if epoch % 50 == 0:
        print(f"epoch {epoch}, lr {lr:.3f}, loss {loss:.4f}")
