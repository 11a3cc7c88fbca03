# Integer features (counts from 1 to 9) fed straight into the network, no scaling, no float cast.
import numpy as np

rng = np.random.default_rng(21)
X = rng.integers(1, 10, size=(100, 4))
y = (X[:, 0] + X[:, 1] > X[:, 2] + X[:, 3]).astype(int) + (X[:, 0] > 7)
W = 0.05 * rng.standard_normal((4, 15))
b = np.zeros((1, 15))
W2 = 0.05 * rng.standard_normal((15, 3))
b2 = np.zeros((1, 3))
reg = 1e-3
step_size = 0.05
num_examples = X.shape[0]
print("X dtype:", X.dtype)

for i in range(200):
    hidden_layer = np.maximum(0, np.dot(X, W) + b)
    scores = np.dot(hidden_layer, W2) + b2
    scores = scores - np.max(scores, axis=1, keepdims=True)
    exp_scores = np.exp(scores)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    data_loss = np.sum(-np.log(probs[range(num_examples), y])) / num_examples
    loss = data_loss + 0.5 * reg * np.sum(W * W) + 0.5 * reg * np.sum(W2 * W2)
    dscores = probs
    dscores[range(num_examples), y] -= 1
    dscores /= num_examples
    dW2 = np.dot(hidden_layer.T, dscores) + reg * W2
    db2 = np.sum(dscores, axis=0, keepdims=True)
    dhidden = np.dot(dscores, W2.T)
    dhidden[hidden_layer <= 0] = 0
    dW = np.dot(X.T, dhidden) + reg * W
    db = np.sum(dhidden, axis=0, keepdims=True)
    W += -step_size * dW
    b += -step_size * db
    W2 += -step_size * dW2
    b2 += -step_size * db2
    if i % 100 == 0:
        print("iteration", i, "loss", loss)
