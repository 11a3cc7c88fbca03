# spiral data, 2 classes, biases kept as 1-D vectors and summed without keepdims (still fine:
# a (h,) bias broadcasts over the rows exactly like a (1, h) one)
import numpy as np

np.random.seed(11)
pts = 60
X = np.zeros((2 * pts, 2))
y = np.zeros(2 * pts, dtype='uint8')
for k in range(2):
    idx = range(pts * k, pts * (k + 1))
    rad = np.linspace(0.0, 1, pts)
    ang = np.linspace(k * 3.5, (k + 1) * 3.5, pts) + np.random.randn(pts) * 0.3
    X[idx] = np.c_[rad * np.sin(ang), rad * np.cos(ang)]
    y[idx] = k

H = 30
W = 0.5 * np.random.randn(2, H)
b = np.zeros(H)
W2 = 0.5 * np.random.randn(H, 2)
b2 = np.zeros(2)
step_size = 0.5
num_examples = X.shape[0]

for epoch in range(120):
    hidden_layer = np.maximum(0, np.dot(X, W) + b)
    scores = np.dot(hidden_layer, W2) + b2
    exp_scores = np.exp(scores)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    loss = np.mean(-np.log(probs[range(num_examples), y]))
    if epoch % 40 == 0:
        print(epoch, loss)
    dscores = probs
    dscores[range(num_examples), y] -= 1
    dscores /= num_examples
    dW2 = np.dot(hidden_layer.T, dscores)
    db2 = np.sum(dscores, axis=0)
    dhidden = np.dot(dscores, W2.T)
    dhidden[hidden_layer <= 0] = 0
    dW = np.dot(X.T, dhidden)
    db = np.sum(dhidden, axis=0)
    W += -step_size * dW
    b += -step_size * db
    W2 += -step_size * dW2
    b2 += -step_size * db2
