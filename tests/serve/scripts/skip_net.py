"""A two-layer network with a skip connection (scores = relu(X W + b) W2 + X W3 + b2): not a plain MLP."""
import numpy as np

np.random.seed(3)
N = 60
X = np.random.randn(N, 2)
y = (X[:, 0] * X[:, 1] > 0).astype(int)
W = 0.5 * np.random.randn(2, 8)
b = np.zeros((1, 8))
W2 = 0.5 * np.random.randn(8, 2)
W3 = 0.5 * np.random.randn(2, 2)
b2 = np.zeros((1, 2))
lr = 0.5
for it in range(300):
    H = np.maximum(0, X @ W + b)
    S = H @ W2 + X @ W3 + b2
    E = np.exp(S - S.max(axis=1, keepdims=True))
    P = E / E.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(P[np.arange(N), y]))
    if it % 100 == 0:
        print(f"it {it} loss {loss:.6f}")
    dS = P.copy()
    dS[np.arange(N), y] -= 1
    dS /= N
    dW2 = H.T @ dS
    dW3 = X.T @ dS
    db2 = dS.sum(axis=0, keepdims=True)
    dH = dS @ W2.T
    dH[H <= 0] = 0
    dW = X.T @ dH
    db = dH.sum(axis=0, keepdims=True)
    W -= lr * dW
    b -= lr * db
    W2 -= lr * dW2
    W3 -= lr * dW3
    b2 -= lr * db2
