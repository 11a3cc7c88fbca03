# the 3-layer net with a learning rate (alpha) and a wider hidden layer; error is output - target
import numpy as np

alpha = 0.5
hidden_dim = 8

def sigmoid(x):
    return 1 / (1 + np.exp(-x))

def sigmoid_output_to_derivative(output):
    return output * (1 - output)

X = np.array([[0, 1, 1, 0],
              [1, 1, 0, 0],
              [1, 0, 1, 1],
              [0, 0, 1, 1],
              [1, 1, 1, 1],
              [0, 1, 0, 1],
              [1, 0, 0, 1]])
y = np.array([[0, 1, 1, 0, 1, 0, 1]]).T

np.random.seed(1)
synapse_0 = 2 * np.random.random((4, hidden_dim)) - 1
synapse_1 = 2 * np.random.random((hidden_dim, 1)) - 1

for j in range(200):
    layer_0 = X
    layer_1 = sigmoid(np.dot(layer_0, synapse_0))
    layer_2 = sigmoid(np.dot(layer_1, synapse_1))
    layer_2_error = layer_2 - y
    if (j % 100) == 0:
        print("Error after " + str(j) + " iterations:" + str(np.mean(np.abs(layer_2_error))))
    layer_2_delta = layer_2_error * sigmoid_output_to_derivative(layer_2)
    layer_1_error = layer_2_delta.dot(synapse_1.T)
    layer_1_delta = layer_1_error * sigmoid_output_to_derivative(layer_1)
    synapse_1 -= alpha * (layer_1.T.dot(layer_2_delta))
    synapse_0 -= alpha * (layer_0.T.dot(layer_1_delta))
