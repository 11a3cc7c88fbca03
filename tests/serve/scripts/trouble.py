"""Logistic regression that misbehaves on purpose at TROUBLE_AT: raises, sleeps, or allocates a lot."""
import os
import time

import numpy as np

MODE = os.environ.get("TROUBLE", "raise")
AT = int(os.environ.get("TROUBLE_AT", "5"))
np.random.seed(0)
X = np.random.randn(40, 2)
y = (X[:, 0] > 0).astype(float).reshape(-1, 1)
w = np.zeros((2, 1))
b = np.zeros((1, 1))
for i in range(100):
    if i == AT and MODE == "raise":
        raise ValueError("the data ran out")
    if i == AT and MODE == "sleep":
        time.sleep(30)
    if i == AT and MODE == "memory":
        hog = [np.ones((1000, 1000)) for _ in range(400)]  # 3.2 GB
    p = 1 / (1 + np.exp(-(X @ w + b)))
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    dz = (p - y) / len(X)
    dw = X.T @ dz
    db = dz.sum(axis=0, keepdims=True)
    w -= 0.5 * dw
    b -= 0.5 * db
