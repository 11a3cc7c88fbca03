# The week-3 model again with sigmoid hidden units and more of them, cost with np.dot
import numpy as np

from planar_helpers import load_flower_data, sigmoid

X, Y = load_flower_data(m=160, petals=6, seed=4)
np.random.seed(2)
n_x, n_h, n_y = X.shape[0], 10, Y.shape[0]
parameters = {
    "W1": np.random.randn(n_h, n_x) * 0.8,
    "b1": np.zeros((n_h, 1)),
    "W2": np.random.randn(n_y, n_h) * 0.8,
    "b2": np.zeros((n_y, 1)),
}
m = X.shape[1]
learning_rate = 2.0

for i in range(200):
    W1, b1, W2, b2 = parameters["W1"], parameters["b1"], parameters["W2"], parameters["b2"]
    Z1 = np.dot(W1, X) + b1
    A1 = sigmoid(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = sigmoid(Z2)
    cost = -(np.dot(Y, np.log(A2).T) + np.dot(1 - Y, np.log(1 - A2).T)) / m
    cost = np.squeeze(cost)
    dZ2 = A2 - Y
    dW2 = np.dot(dZ2, A1.T) / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = np.dot(W2.T, dZ2) * A1 * (1 - A1)
    dW1 = np.dot(dZ1, X.T) / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    parameters["W1"] = W1 - learning_rate * dW1
    parameters["b1"] = b1 - learning_rate * db1
    parameters["W2"] = W2 - learning_rate * dW2
    parameters["b2"] = b2 - learning_rate * db2
    if i % 100 == 0:
        print("iteration", i, "cost", cost)
