# tiny_net with square layers [5, 5, 5]: five inputs, five hidden neurons, five outputs.
import random

import numpy as np

from tiny_net import TinyNet

if __name__ == "__main__":
    random.seed(7)
    np.random.seed(7)
    pairs = []
    for _ in range(60):
        x = np.random.rand(5, 1)
        y = np.roll(x, 1, axis=0) ** 2
        pairs.append((x, y))
    net = TinyNet([5, 5, 5])
    net.train_sgd(pairs, epochs=2, batch_size=12, eta=2.0)
    print(net.output(pairs[0][0]).ravel())
