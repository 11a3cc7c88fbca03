# Regression trained example by example: the gradient of the mean loss is accumulated
# with np.outer over the batch, then averaged. Output is linear, loss 0.5 * mean squared error.
import numpy as np

rng = np.random.default_rng(21)
N, D, H = 50, 4, 4
X = rng.uniform(-1, 1, size=(N, D))
t = np.sin(X[:, 0]) + X[:, 1] * X[:, 2] - 0.5 * X[:, 3]

W1 = rng.standard_normal((D, H)) * 0.7
b1 = np.zeros(H)
w2 = rng.standard_normal(H) * 0.7
b2 = 0.0
lr = 0.2

for epoch in range(300):
    dW1 = np.zeros_like(W1)
    db1 = np.zeros_like(b1)
    dw2 = np.zeros_like(w2)
    db2 = 0.0
    total = 0.0
    for i in range(N):
        x = X[i]
        z = x @ W1 + b1
        a = np.tanh(z)
        out = a @ w2 + b2
        err = out - t[i]
        total += 0.5 * err ** 2
        dw2 += err * a
        db2 += err
        dz = err * w2 * (1 - a ** 2)
        dW1 += np.outer(x, dz)
        db1 += dz
    loss = total / N
    dW1 /= N
    db1 /= N
    dw2 /= N
    db2 /= N
    W1 -= lr * dW1
    b1 -= lr * db1
    w2 -= lr * dw2
    b2 -= lr * db2
    if epoch % 100 == 0:
        print(f"epoch {epoch}: mse/2 = {loss:.5f}")
