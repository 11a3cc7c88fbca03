# Week 4 application: a 4-layer model built from the functions of deep_model.py
import numpy as np

from deep_model import (L_model_backward, L_model_forward, compute_cost,
                        initialize_parameters_deep, update_parameters)

np.random.seed(6)
m = 120
train_x = np.random.randn(5, m)
train_y = (np.abs(train_x[0]) + train_x[3] > 0.9).astype(int).reshape(1, m)
layers_dims = [5, 7, 6, 4, 1]  # three hidden layers

parameters = initialize_parameters_deep(layers_dims)
costs = []
for i in range(150):
    AL, caches = L_model_forward(train_x, parameters)
    cost = compute_cost(AL, train_y)
    grads = L_model_backward(AL, train_y, caches)
    parameters = update_parameters(parameters, grads, 0.25)
    if i % 50 == 0:
        costs.append(cost)
        print("Cost after iteration %i: %f" % (i, cost))
