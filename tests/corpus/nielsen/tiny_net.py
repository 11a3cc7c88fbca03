"""tiny_net.py
~~~~~~~~~~~~
A small feedforward network learned by stochastic gradient descent, written while
reading chapter 1 and 2 of the book: every example is a column vector, the cost is the
quadratic cost C = 1/2 |y - a|^2 and gradients come from backpropagation, one example
at a time, summed over the mini-batch.
"""
import random

import numpy as np


class TinyNet(object):

    def __init__(self, layer_sizes):
        """``layer_sizes`` lists the neurons per layer, e.g. [4, 10, 3]."""
        self.layer_sizes = layer_sizes
        self.n_layers = len(layer_sizes)
        self.biases = [np.random.randn(n, 1) for n in layer_sizes[1:]]
        self.weights = [np.random.randn(n_out, n_in)
                        for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:])]

    def output(self, a):
        for w, b in zip(self.weights, self.biases):
            a = logistic(np.dot(w, a) + b)
        return a

    def train_sgd(self, data, epochs, batch_size, eta, check_data=None):
        """Shuffle, cut into mini-batches, take one gradient step per mini-batch."""
        data = list(data)
        for epoch in range(epochs):
            random.shuffle(data)
            batches = [data[start:start + batch_size]
                       for start in range(0, len(data), batch_size)]
            for batch in batches:
                self.step_batch(batch, eta)
            if check_data:
                print("Epoch {}: {} / {}".format(epoch, self.count_correct(check_data), len(check_data)))

    def step_batch(self, batch, eta):
        grad_b = [np.zeros(b.shape) for b in self.biases]
        grad_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in batch:
            gb, gw = self.backprop_one(x, y)
            grad_b = [total + part for total, part in zip(grad_b, gb)]
            grad_w = [total + part for total, part in zip(grad_w, gw)]
        self.weights = [w - (eta / len(batch)) * gw for w, gw in zip(self.weights, grad_w)]
        self.biases = [b - (eta / len(batch)) * gb for b, gb in zip(self.biases, grad_b)]

    def backprop_one(self, x, y):
        """The gradient of the cost of one example, layer by layer, as two lists."""
        gb = [None] * len(self.biases)
        gw = [None] * len(self.weights)
        a = x
        activations = [x]
        zs = []
        for w, b in zip(self.weights, self.biases):
            z = np.dot(w, a) + b
            zs.append(z)
            a = logistic(z)
            activations.append(a)
        # output error (BP1), then back through the layers (BP2), BP3 and BP4 for the gradients
        delta = self.cost_gradient(activations[-1], y) * logistic_prime(zs[-1])
        gb[-1] = delta
        gw[-1] = np.dot(delta, activations[-2].transpose())
        for layer in range(2, self.n_layers):
            delta = np.dot(self.weights[-layer + 1].transpose(), delta) * logistic_prime(zs[-layer])
            gb[-layer] = delta
            gw[-layer] = np.dot(delta, activations[-layer - 1].transpose())
        return gb, gw

    def count_correct(self, check_data):
        return sum(int(np.argmax(self.output(x)) == label) for x, label in check_data)

    def cost_gradient(self, a, y):
        """dC/da for the quadratic cost."""
        return a - y


def logistic(z):
    return 1.0 / (1.0 + np.exp(-z))


def logistic_prime(z):
    s = logistic(z)
    return s * (1 - s)
