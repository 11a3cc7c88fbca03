# Same two-layer regression with biases, a single output whose bias is a plain Python float,
# and the mean squared error instead of the sum.
import numpy as np

N, D_in, H = 40, 6, 16
rng = np.random.default_rng(5)
x = rng.standard_normal((N, D_in))
y = (x[:, :1] * 0.8 - x[:, 1:2] ** 2 + 0.1 * rng.standard_normal((N, 1))) + 2.0

w1 = rng.standard_normal((D_in, H)) * 0.4
b1 = np.zeros(H)
w2 = rng.standard_normal((H, 1)) * 0.4
b2 = 0.0

learning_rate = 0.05
for t in range(200):
    h = x @ w1 + b1
    h_relu = np.maximum(h, 0)
    y_pred = h_relu @ w2 + b2
    loss = np.mean((y_pred - y) ** 2)
    if t % 50 == 0:
        print(t, loss)
    grad_y_pred = 2.0 * (y_pred - y) / N
    grad_w2 = h_relu.T @ grad_y_pred
    grad_b2 = grad_y_pred.sum()
    grad_h_relu = grad_y_pred @ w2.T
    grad_h = grad_h_relu * (h > 0)
    grad_w1 = x.T @ grad_h
    grad_b1 = grad_h.sum(axis=0)
    w1 -= learning_rate * grad_w1
    b1 -= learning_rate * grad_b1
    w2 -= learning_rate * grad_w2
    b2 -= learning_rate * grad_b2
