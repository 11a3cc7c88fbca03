# A script that prints with f-strings every epoch and shows a loss curve at the end.
import matplotlib.pyplot as plt
import numpy as np

np.random.seed(4)
N = 64
X = np.random.randn(N, 2)
y = ((X ** 2).sum(axis=1) > 1.0).astype(int)

W1 = np.random.randn(2, 8) * 0.8
b1 = np.zeros((1, 8))
W2 = np.random.randn(8, 2) * 0.8
b2 = np.zeros((1, 2))
alpha = 0.6
losses = []

for epoch in range(60):
    hidden = np.maximum(0, X @ W1 + b1)
    out = hidden @ W2 + b2
    exp_out = np.exp(out - out.max(axis=1, keepdims=True))
    probs = exp_out / exp_out.sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(N), y]).mean()
    losses.append(loss)
    print(f"Epoch {epoch + 1}/60 - loss: {loss:.4f} - acc: {(probs.argmax(axis=1) == y).mean():.2%}")

    grad_out = probs.copy()
    grad_out[np.arange(N), y] -= 1
    grad_out /= N
    grad_W2 = hidden.T @ grad_out
    grad_b2 = grad_out.sum(axis=0, keepdims=True)
    grad_hidden = grad_out @ W2.T
    grad_hidden = grad_hidden * (hidden > 0)
    grad_W1 = X.T @ grad_hidden
    grad_b1 = grad_hidden.sum(axis=0, keepdims=True)
    W1 -= alpha * grad_W1
    b1 -= alpha * grad_b1
    W2 -= alpha * grad_W2
    b2 -= alpha * grad_b2

plt.plot(losses)
plt.xlabel("epoch")
plt.ylabel("loss")
plt.title("training loss")
plt.show()
