# Softmax regression with one hidden tanh layer, one-hot targets in rows,
# a max-shifted softmax and an epsilon inside the log (the way many tutorials write it).
import numpy as np

rng = np.random.default_rng(3)
N, D, H, K = 90, 4, 10, 3
X = rng.standard_normal((N, D))
labels = np.argmax(X[:, :K] + 0.3 * rng.standard_normal((N, K)), axis=1)
Y = np.zeros((N, K))
Y[np.arange(N), labels] = 1.0

W1 = rng.standard_normal((D, H)) * 0.4
b1 = np.zeros((1, H))
W2 = rng.standard_normal((H, K)) * 0.4
b2 = np.zeros((1, K))
eta = 0.5

for it in range(200):
    A1 = np.tanh(X.dot(W1) + b1)
    scores = A1.dot(W2) + b2
    scores = scores - scores.max(axis=1, keepdims=True)
    E = np.exp(scores)
    P = E / E.sum(axis=1, keepdims=True)
    loss = np.mean(np.sum(-Y * np.log(P + 1e-8), axis=1))

    dZ2 = (P - Y) / N
    dW2 = A1.T.dot(dZ2)
    db2 = dZ2.sum(axis=0, keepdims=True)
    dA1 = dZ2.dot(W2.T)
    dZ1 = dA1 * (1 - np.power(A1, 2))
    dW1 = X.T.dot(dZ1)
    db1 = dZ1.sum(axis=0, keepdims=True)

    W1 -= eta * dW1
    b1 -= eta * db1
    W2 -= eta * dW2
    b2 -= eta * db2
    if it % 50 == 0:
        print(f"iteration {it}: loss={loss:.5f}")
