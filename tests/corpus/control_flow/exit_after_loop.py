# The script ends itself with sys.exit() once training is done (and never reaches the plotting code).
import sys

import numpy as np

np.random.seed(14)
X = np.random.rand(80, 2) * 2 - 1
y = (X[:, 0] > X[:, 1] ** 2).astype(int)
W = np.random.randn(2, 12) * 0.6
b = np.zeros((1, 12))
W2 = np.random.randn(12, 2) * 0.6
b2 = np.zeros((1, 2))
num_examples = 80
for i in range(150):
    hidden_layer = np.maximum(0, np.dot(X, W) + b)
    scores = np.dot(hidden_layer, W2) + b2
    exp_scores = np.exp(scores)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    dscores = probs
    dscores[range(num_examples), y] -= 1
    dscores /= num_examples
    dW2 = np.dot(hidden_layer.T, dscores)
    db2 = np.sum(dscores, axis=0, keepdims=True)
    dhidden = np.dot(dscores, W2.T)
    dhidden[hidden_layer <= 0] = 0
    dW = np.dot(X.T, dhidden)
    db = np.sum(dhidden, axis=0, keepdims=True)
    W += -1.0 * dW
    b += -1.0 * db
    W2 += -1.0 * dW2
    b2 += -1.0 * db2
print("done")
sys.exit()
import matplotlib.pyplot as plt
plt.scatter(X[:, 0], X[:, 1], c=y)
plt.show()
