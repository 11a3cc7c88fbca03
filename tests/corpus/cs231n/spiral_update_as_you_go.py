"""Each layer is updated as soon as its gradient is known; W2's old value is kept for dhidden."""
import numpy as np

rng = np.random.default_rng(2024)
m, classes = 90, 3
t = rng.uniform(0, 1, m)
labels = rng.integers(0, classes, m)
angle = labels * 2.1 + 3.0 * t + rng.normal(0, 0.2, m)
X = np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1)
y = labels

width = 24
W = rng.normal(0, 0.5, (2, width))
b = np.zeros((1, width))
W2 = rng.normal(0, 0.5, (width, classes))
b2 = np.zeros((1, classes))
eta = 1.0

for step in range(100):
    hidden_layer = np.maximum(0, X.dot(W) + b)
    scores = hidden_layer.dot(W2) + b2
    exp_scores = np.exp(scores - scores.max(axis=1, keepdims=True))
    probs = exp_scores / exp_scores.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(m), y]))
    if step % 25 == 0:
        print("step", step, "loss", round(loss, 5))
    dscores = probs.copy()
    dscores[np.arange(m), y] -= 1
    dscores /= m
    dW2 = hidden_layer.T.dot(dscores)
    db2 = dscores.sum(axis=0, keepdims=True)
    W2_old = W2.copy()
    W2 -= eta * dW2
    b2 -= eta * db2
    dhidden = np.dot(dscores, W2_old.T)
    dhidden[hidden_layer <= 0] = 0
    dW = X.T.dot(dhidden)
    db = dhidden.sum(axis=0, keepdims=True)
    W -= eta * dW
    b -= eta * db
