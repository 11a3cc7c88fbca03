# Week 4 two_layer_model: LINEAR -> RELU -> LINEAR -> SIGMOID with the building blocks,
# parameters unpacked into W1, b1, W2, b2 and the gradients of each block named explicitly.
import numpy as np

from deep_model import compute_cost, linear_activation_backward, linear_activation_forward


def initialize_parameters(n_x, n_h, n_y):
    np.random.seed(1)
    W1 = np.random.randn(n_h, n_x) * 0.3
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.3
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def two_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    grads = {}
    costs = []
    (n_x, n_h, n_y) = layers_dims
    parameters = initialize_parameters(n_x, n_h, n_y)
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]
    for i in range(0, num_iterations):
        A1, cache1 = linear_activation_forward(X, W1, b1, "relu")
        A2, cache2 = linear_activation_forward(A1, W2, b2, "sigmoid")
        cost = compute_cost(A2, Y)
        dA2 = - (np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
        dA1, dW2, db2 = linear_activation_backward(dA2, cache2, "sigmoid")
        dA0, dW1, db1 = linear_activation_backward(dA1, cache1, "relu")
        grads['dW1'] = dW1
        grads['db1'] = db1
        grads['dW2'] = dW2
        grads['db2'] = db2
        for key in ("W1", "b1", "W2", "b2"):
            parameters[key] = parameters[key] - learning_rate * grads["d" + key]
        W1 = parameters["W1"]
        b1 = parameters["b1"]
        W2 = parameters["W2"]
        b2 = parameters["b2"]
        if print_cost and i % 100 == 0:
            print("Cost after iteration {}: {}".format(i, np.squeeze(cost)))
        costs.append(cost)
    return parameters, costs


rng = np.random.RandomState(0)
X = rng.randn(4, 100)
Y = (X[0] * X[1] > 0).astype(float).reshape(1, 100)
parameters, costs = two_layer_model(X, Y, (4, 9, 1), learning_rate=0.5, num_iterations=200, print_cost=True)
