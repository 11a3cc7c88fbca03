# The spiral network in single precision: every array is float32 (as on a GPU or to save memory).
import numpy as np

np.random.seed(0)
N, D, K = 60, 2, 3
X = np.zeros((N * K, D), dtype=np.float32)
y = np.zeros(N * K, dtype='uint8')
for j in range(K):
    ix = range(N * j, N * (j + 1))
    r = np.linspace(0.0, 1, N)
    t = np.linspace(j * 4, (j + 1) * 4, N) + np.random.randn(N) * 0.2
    X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
    y[ix] = j

h = 50
W = (0.3 * np.random.randn(D, h)).astype(np.float32)
b = np.zeros((1, h), dtype=np.float32)
W2 = (0.3 * np.random.randn(h, K)).astype(np.float32)
b2 = np.zeros((1, K), dtype=np.float32)
step_size = np.float32(1.0)
num_examples = X.shape[0]

for i in range(150):
    hidden_layer = np.maximum(0, np.dot(X, W) + b)
    scores = np.dot(hidden_layer, W2) + b2
    exp_scores = np.exp(scores)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    loss = np.sum(-np.log(probs[range(num_examples), y])) / num_examples
    if i % 50 == 0:
        print(i, loss, loss.dtype)
    dscores = probs
    dscores[range(num_examples), y] -= 1
    dscores /= num_examples
    dW2 = np.dot(hidden_layer.T, dscores)
    db2 = np.sum(dscores, axis=0, keepdims=True)
    dhidden = np.dot(dscores, W2.T)
    dhidden[hidden_layer <= 0] = 0
    dW = np.dot(X.T, dhidden)
    db = np.sum(dhidden, axis=0, keepdims=True)
    W += -step_size * dW
    b += -step_size * db
    W2 += -step_size * dW2
    b2 += -step_size * db2
assert W.dtype == np.float32
