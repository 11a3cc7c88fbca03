# two-layer net on a 4-class blob problem, trained with the multiclass SVM (hinge) loss
import numpy as np

np.random.seed(5)
K = 4
centers = np.array([[1.5, 0.0], [0.0, 1.5], [-1.5, 0.0], [0.0, -1.5]])
y = np.repeat(np.arange(K), 30)
X = centers[y] + 0.6 * np.random.randn(len(y), 2)
N = X.shape[0]

hid = 20
W1 = 0.4 * np.random.randn(2, hid)
b1 = np.zeros((1, hid))
W2 = 0.4 * np.random.randn(hid, K)
b2 = np.zeros((1, K))
learning_rate = 0.3
delta = 1.0

for i in range(150):
    a1 = np.maximum(0, X.dot(W1) + b1)
    scores = a1.dot(W2) + b2
    correct = scores[np.arange(N), y][:, None]
    margins = np.maximum(0, scores - correct + delta)
    margins[np.arange(N), y] = 0
    loss = margins.sum() / N
    if i % 50 == 0:
        print("iteration %d hinge loss %.4f" % (i, loss))
    binary = (margins > 0).astype(float)
    row_sum = binary.sum(axis=1)
    binary[np.arange(N), y] = -row_sum
    dscores = binary / N
    dW2 = a1.T.dot(dscores)
    db2 = dscores.sum(axis=0, keepdims=True)
    da1 = dscores.dot(W2.T)
    da1[a1 <= 0] = 0
    dW1 = X.T.dot(da1)
    db1 = da1.sum(axis=0, keepdims=True)
    W1 += -learning_rate * dW1
    b1 += -learning_rate * db1
    W2 += -learning_rate * dW2
    b2 += -learning_rate * db2
