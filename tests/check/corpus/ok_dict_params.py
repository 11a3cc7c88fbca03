"""Correct: CS231n two-layer net, parameters in a dict with literal keys."""
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
h = 20
model = {}
model["W1"] = 0.01 * np.random.randn(D, h)
model["b1"] = np.zeros((1, h))
model["W2"] = 0.01 * np.random.randn(h, K)
model["b2"] = np.zeros((1, K))
step_size = 1e-0
reg = 1e-3
num_examples = X.shape[0]
for i in range(200):
    hidden_layer = np.maximum(0, np.dot(X, model["W1"]) + model["b1"])
    scores = np.dot(hidden_layer, model["W2"]) + model["b2"]
    exp_scores = np.exp(scores)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    correct_logprobs = -np.log(probs[range(num_examples), y])
    data_loss = np.sum(correct_logprobs) / num_examples
    reg_loss = 0.5 * reg * np.sum(model["W1"] * model["W1"]) + 0.5 * reg * np.sum(model["W2"] * model["W2"])
    loss = data_loss + reg_loss
    if i % 50 == 0:
        print("iteration %d: loss %f" % (i, loss))
    dscores = probs
    dscores[range(num_examples), y] -= 1
    dscores /= num_examples
    grads = {}
    grads["W2"] = np.dot(hidden_layer.T, dscores)
    grads["b2"] = np.sum(dscores, axis=0, keepdims=True)
    dhidden = np.dot(dscores, model["W2"].T)
    dhidden[hidden_layer <= 0] = 0
    grads["W1"] = np.dot(X.T, dhidden)
    grads["b1"] = np.sum(dhidden, axis=0, keepdims=True)
    grads["W2"] += reg * model["W2"]
    grads["W1"] += reg * model["W1"]
    model["W1"] += -step_size * grads["W1"]
    model["b1"] += -step_size * grads["b1"]
    model["W2"] -= step_size * grads["W2"]
    model["b2"] = model["b2"] - step_size * grads["b2"]
