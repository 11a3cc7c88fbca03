"""A linear SVM classifier (scores = X W + b) with a half-L2 penalty, vectorised gradient."""
import numpy as np

rng = np.random.default_rng(31)
sizes, n_cls, dim = [30, 45, 50], 3, 5
means = rng.normal(0, 2.0, (n_cls, dim))
y = np.repeat(np.arange(n_cls), sizes)
X = means[y] + rng.normal(0, 1.0, (len(y), dim))

W = 0.5 * rng.standard_normal((dim, n_cls))
b = np.zeros(n_cls)
reg = 0.1
lr = 0.05
num_train = X.shape[0]

for epoch in range(200):
    scores = X @ W + b
    correct_class_score = scores[np.arange(num_train), y]
    margins = np.maximum(0, scores - correct_class_score[:, np.newaxis] + 1.0)
    margins[np.arange(num_train), y] = 0
    loss = np.sum(margins) / num_train + 0.5 * reg * np.sum(W * W)
    mask = (margins > 0).astype(np.float64)
    mask[np.arange(num_train), y] = -np.sum(mask, axis=1)
    dW = X.T @ mask / num_train + reg * W
    db = mask.sum(axis=0) / num_train
    W -= lr * dW
    b -= lr * db
    if epoch % 50 == 0:
        print(f"epoch {epoch}: loss {loss:.3f}")
