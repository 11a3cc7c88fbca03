# Train tiny_net on three Gaussian blobs in 4 dimensions (inputs and targets are column vectors).
import random

import numpy as np

import tiny_net

random.seed(1)
np.random.seed(1)
centers = np.random.randn(3, 4) * 1.5
training_data = []
for k in range(90):
    label = k % 3
    x = (centers[label] + 0.5 * np.random.randn(4)).reshape(4, 1)
    target = np.zeros((3, 1))
    target[label] = 1.0
    training_data.append((x, target))
check_data = [(x, int(np.argmax(t))) for x, t in training_data[:30]]

net = tiny_net.TinyNet([4, 10, 3])
net.train_sgd(training_data, epochs=3, batch_size=10, eta=3.0, check_data=check_data)
