# Logistic regression written as one loop; the cost is summed example by example with math.log.
import math

import numpy as np

rng = np.random.default_rng(3)
m = 60
X = rng.normal(size=(3, m))
Y = (X[0] - 0.5 * X[2] + 0.3 * rng.normal(size=m) > 0).astype(float).reshape(1, m)

w = rng.normal(scale=0.1, size=(3, 1))
b = 0.
alpha = 0.4
costs = []

for it in range(150):
    z = np.dot(w.T, X) + b
    a = 1 / (1 + np.exp(-z))
    cost = -sum(Y[0, i] * math.log(a[0, i]) + (1 - Y[0, i]) * math.log(1 - a[0, i]) for i in range(m)) / m
    costs.append(cost)
    dz = a - Y
    dw = np.dot(X, dz.T) / m
    db = np.sum(dz) / m
    w -= alpha * dw
    b -= alpha * db

print("final cost", costs[-1])
