"""deeplearning.ai week 2 style: logistic regression, examples as columns, w.T @ X, a Python-float bias."""
import numpy as np

rng = np.random.default_rng(5)
X = rng.standard_normal((2, 80))
Y = (X[0:1, :] - 0.5 * X[1:2, :] > 0.2).astype(float)
w = np.zeros((2, 1))
b = 0.0
m = X.shape[1]
for i in range(150):
    A = 1 / (1 + np.exp(-(np.dot(w.T, X) + b)))
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    dZ = A - Y
    dw = np.dot(X, dZ.T) / m
    db = np.sum(dZ) / m
    w = w - 0.8 * dw
    b = b - 0.8 * db
    if i % 50 == 0:
        print("cost after iteration %i: %f" % (i, cost))
