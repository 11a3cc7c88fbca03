# Log-softmax through log-sum-exp, shuffled mini-batches from a numpy Generator,
# and an L2 penalty 0.5 * lam * ||W||^2 on both weight matrices.
import numpy as np

rng = np.random.default_rng(99)
K, per = 4, 30
centers = rng.uniform(-3, 3, size=(K, 2))
X = np.vstack([c + rng.normal(scale=0.8, size=(per, 2)) for c in centers])
y = np.repeat(np.arange(K), per)
N = len(y)

W1 = rng.normal(scale=0.5, size=(2, 14))
b1 = np.zeros(14)
W2 = rng.normal(scale=0.5, size=(14, K))
b2 = np.zeros(K)
lr, lam, batch = 0.3, 1e-3, 40

for epoch in range(40):
    order = rng.permutation(N)
    for start in range(0, N, batch):
        idx = order[start:start + batch]
        xb, yb = X[idx], y[idx]
        n = len(yb)
        h = np.maximum(xb @ W1 + b1, 0.0)
        logits = h @ W2 + b2
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
        data_loss = -np.mean(log_probs[np.arange(n), yb])
        loss = data_loss + 0.5 * lam * (np.sum(W1 * W1) + np.sum(W2 * W2))

        d_logits = np.exp(log_probs)
        d_logits[np.arange(n), yb] -= 1.0
        d_logits /= n
        dW2 = h.T @ d_logits + lam * W2
        db2 = d_logits.sum(axis=0)
        dh = d_logits @ W2.T
        dh[h <= 0] = 0.0
        dW1 = xb.T @ dh + lam * W1
        db1 = dh.sum(axis=0)
        W1 -= lr * dW1
        b1 -= lr * db1
        W2 -= lr * dW2
        b2 -= lr * db2
    if epoch % 10 == 0:
        print(f"epoch {epoch:2d} loss {loss:.4f}")
