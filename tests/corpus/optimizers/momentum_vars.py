# Spiral classifier trained with classical momentum: one velocity array per parameter.
import numpy as np

np.random.seed(23)
N, D, K = 40, 2, 3
X = np.zeros((N * K, D))
y = np.zeros(N * K, dtype='uint8')
for j in range(K):
    ix = range(N * j, N * (j + 1))
    r = np.linspace(0.0, 1, N)
    t = np.linspace(j * 4, (j + 1) * 4, N) + np.random.randn(N) * 0.2
    X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
    y[ix] = j

h = 30
W = 0.3 * np.random.randn(D, h)
b = np.zeros((1, h))
W2 = 0.3 * np.random.randn(h, K)
b2 = np.zeros((1, K))
vW, vb, vW2, vb2 = np.zeros_like(W), np.zeros_like(b), np.zeros_like(W2), np.zeros_like(b2)
learning_rate = 0.5
mu = 0.9
num_examples = X.shape[0]

for i in range(150):
    hidden_layer = np.maximum(0, np.dot(X, W) + b)
    scores = np.dot(hidden_layer, W2) + b2
    exp_scores = np.exp(scores)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    loss = np.sum(-np.log(probs[range(num_examples), y])) / num_examples
    dscores = probs
    dscores[range(num_examples), y] -= 1
    dscores /= num_examples
    dW2 = np.dot(hidden_layer.T, dscores)
    db2 = np.sum(dscores, axis=0, keepdims=True)
    dhidden = np.dot(dscores, W2.T)
    dhidden[hidden_layer <= 0] = 0
    dW = np.dot(X.T, dhidden)
    db = np.sum(dhidden, axis=0, keepdims=True)
    vW = mu * vW - learning_rate * dW
    vb = mu * vb - learning_rate * db
    vW2 = mu * vW2 - learning_rate * dW2
    vb2 = mu * vb2 - learning_rate * db2
    W += vW
    b += vb
    W2 += vW2
    b2 += vb2
    if i % 50 == 0:
        print(i, loss)
