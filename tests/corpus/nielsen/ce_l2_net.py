"""A chapter-3 network in one file: cross-entropy cost, weights scaled by 1/sqrt(n_in),
L2 regularization folded into the update (weight decay), mini-batch SGD."""
import random

import numpy as np


class CrossEntropy(object):

    @staticmethod
    def fn(a, y):
        return np.sum(np.nan_to_num(-y * np.log(a) - (1 - y) * np.log(1 - a)))

    @staticmethod
    def delta(z, a, y):
        """Output error: with a sigmoid output the sigma'(z) factor cancels."""
        return a - y


class Net(object):

    def __init__(self, sizes, cost=CrossEntropy):
        self.sizes = sizes
        self.cost = cost
        self.biases = [np.random.randn(rows, 1) for rows in sizes[1:]]
        self.weights = [np.random.randn(rows, cols) / np.sqrt(cols)
                        for cols, rows in zip(sizes[:-1], sizes[1:])]

    def fit(self, train, epochs, mini_batch_size, eta, lmbda=0.0):
        n = len(train)
        for epoch in range(epochs):
            random.shuffle(train)
            chunks = [train[i:i + mini_batch_size] for i in range(0, n, mini_batch_size)]
            for chunk in chunks:
                self.update(chunk, eta, lmbda, n)
            print("epoch", epoch, "cost", self.total_cost(train, lmbda))

    def update(self, chunk, eta, lmbda, n):
        sum_b = [np.zeros(b.shape) for b in self.biases]
        sum_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in chunk:
            db, dw = self.backprop(x, y)
            sum_b = [s + d for s, d in zip(sum_b, db)]
            sum_w = [s + d for s, d in zip(sum_w, dw)]
        self.weights = [(1 - eta * (lmbda / n)) * w - (eta / len(chunk)) * sw
                        for w, sw in zip(self.weights, sum_w)]
        self.biases = [b - (eta / len(chunk)) * sb for b, sb in zip(self.biases, sum_b)]

    def backprop(self, x, y):
        acts, zs = [x], []
        for b, w in zip(self.biases, self.weights):
            zs.append(np.dot(w, acts[-1]) + b)
            acts.append(sigmoid(zs[-1]))
        db = [np.zeros(b.shape) for b in self.biases]
        dw = [np.zeros(w.shape) for w in self.weights]
        delta = self.cost.delta(zs[-1], acts[-1], y)
        for l in range(len(self.weights) - 1, -1, -1):
            db[l] = delta
            dw[l] = np.dot(delta, acts[l].transpose())
            if l > 0:
                delta = np.dot(self.weights[l].transpose(), delta) * sigmoid_prime(zs[l - 1])
        return db, dw

    def total_cost(self, data, lmbda):
        cost = sum(self.cost.fn(self.feedforward(x), y) for x, y in data) / len(data)
        return cost + 0.5 * (lmbda / len(data)) * sum(np.linalg.norm(w) ** 2 for w in self.weights)

    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(np.dot(w, a) + b)
        return a


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


random.seed(5)
np.random.seed(5)
train = []
for i in range(80):
    x = np.random.randn(3, 1)
    y = np.array([[float(x[0, 0] + x[1, 0] > 0)], [float(x[2, 0] > 0.3)]])
    train.append((x, y))
net = Net([3, 12, 8, 2])
net.fit(train, epochs=2, mini_batch_size=16, eta=0.8, lmbda=4.0)
