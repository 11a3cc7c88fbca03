# Linear regression with two outputs, loss = 0.5 * mean over examples of the squared error,
# so the 2 of the derivative cancels the 0.5. Data from a numpy Generator.
import numpy as np

rng = np.random.default_rng(2024)
n_samples, n_features, n_out = 120, 3, 2
X = rng.normal(size=(n_samples, n_features))
true_W = np.array([[1.5, -0.5], [-2.0, 0.3], [0.7, 1.1]])
Y = X @ true_W + np.array([0.4, -1.0]) + 0.1 * rng.normal(size=(n_samples, n_out))

W = np.zeros((n_features, n_out))
b = np.zeros((1, n_out))
learning_rate = 0.1

for epoch in range(100):
    pred = X @ W + b
    residual = pred - Y
    loss = 0.5 * np.mean(np.sum(residual ** 2, axis=1))
    grad_W = X.T @ residual / n_samples
    grad_b = np.sum(residual, axis=0, keepdims=True) / n_samples
    W -= learning_rate * grad_W
    b -= learning_rate * grad_b
    if epoch % 25 == 0:
        print(f"{epoch=} {loss=:.4f}")
