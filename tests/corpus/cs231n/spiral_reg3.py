"""Three-class spiral, 40 ReLU units, L2 penalty, softmax with the max subtracted first."""
import numpy as np

rng = np.random.default_rng(7)
per_class, n_classes = 50, 3
X = np.zeros((per_class * n_classes, 2))
y = np.zeros(per_class * n_classes, dtype=int)
for c in range(n_classes):
    rows = slice(per_class * c, per_class * (c + 1))
    radius = np.linspace(0.05, 1.0, per_class)
    theta = np.linspace(c * 4.2, (c + 1) * 4.2, per_class) + rng.normal(0, 0.25, per_class)
    X[rows] = np.column_stack([radius * np.sin(theta), radius * np.cos(theta)])
    y[rows] = c

hidden = 40
W1 = 0.3 * rng.standard_normal((2, hidden))
b1 = np.zeros((1, hidden))
W2 = 0.3 * rng.standard_normal((hidden, n_classes))
b2 = np.zeros((1, n_classes))
lr = 0.8
reg = 0.05
n = X.shape[0]

for it in range(150):
    h = np.maximum(0, X @ W1 + b1)
    scores = h @ W2 + b2
    scores -= scores.max(axis=1, keepdims=True)
    p = np.exp(scores)
    p /= p.sum(axis=1, keepdims=True)
    data_loss = -np.log(p[np.arange(n), y]).mean()
    loss = data_loss + 0.5 * reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    if it % 50 == 0:
        print(f"iter {it:4d}  loss {loss:.4f}")
    dscores = p.copy()
    dscores[np.arange(n), y] -= 1
    dscores /= n
    dW2 = h.T @ dscores
    db2 = dscores.sum(axis=0, keepdims=True)
    dh = dscores @ W2.T
    dh[h <= 0] = 0
    dW1 = X.T @ dh
    db1 = dh.sum(axis=0, keepdims=True)
    dW2 += reg * W2
    dW1 += reg * W1
    W1 -= lr * dW1
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2

accuracy = np.mean(np.argmax(X @ W1 @ W2, axis=1) == y)
print("training accuracy", accuracy)
