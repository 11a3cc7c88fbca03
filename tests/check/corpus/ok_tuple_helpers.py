"""Correct: WildML style; the loop calls forward(X) and backward(...) helpers that return tuples.

The helpers read the parameters as globals; db1 is summed without keepdims (shape (h,)) and
broadcasts in the update; tanh derivative written with np.power.
"""
import numpy as np

N = 30  # points per class
D = 2
K = 3
X = np.zeros((N * K, D))
y = np.zeros(N * K, dtype="uint8")
for j in range(K):
    ix = range(N * j, N * (j + 1))
    r = np.linspace(0.0, 1, N)
    t = np.linspace(j * 4, (j + 1) * 4, N) + np.random.randn(N) * 0.2
    X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
    y[ix] = j
nn_hdim = 10
epsilon = 0.5
W1 = np.random.randn(D, nn_hdim) / np.sqrt(D)
b1 = np.zeros((1, nn_hdim))
W2 = np.random.randn(nn_hdim, K) / np.sqrt(nn_hdim)
b2 = np.zeros((1, K))
num_examples = len(X)


def forward(X):
    z1 = X.dot(W1) + b1
    a1 = np.tanh(z1)
    z2 = a1.dot(W2) + b2
    exp_scores = np.exp(z2)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    return a1, probs


def backward(X, y, a1, probs):
    delta3 = probs.copy()
    delta3[range(num_examples), y] -= 1
    delta3 /= num_examples
    dW2 = (a1.T).dot(delta3)
    db2 = np.sum(delta3, axis=0, keepdims=True)
    delta2 = delta3.dot(W2.T) * (1 - np.power(a1, 2))
    dW1 = np.dot(X.T, delta2)
    db1 = np.sum(delta2, axis=0)
    return dW1, db1, dW2, db2


for i in range(0, 200):
    a1, probs = forward(X)
    loss = -np.sum(np.log(probs[range(num_examples), y])) / num_examples
    dW1, db1, dW2, db2 = backward(X, y, a1, probs)
    W1 += -epsilon * dW1
    b1 += -epsilon * db1
    W2 += -epsilon * dW2
    b2 += -epsilon * db2
