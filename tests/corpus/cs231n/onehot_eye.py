"""Labels as one-hot rows with np.eye(K)[y]; the output gradient written as (P − Y) / N; single-letter
names as on a whiteboard (H, S, P, V, c)."""
import numpy as np

np.random.seed(2)
K, N = 4, 100
y = np.random.randint(0, K, N)
centres = np.random.randn(K, 3) * 2
X = centres[y] + np.random.randn(N, 3)
Y = np.eye(K)[y]
W = np.random.randn(3, 16) * 0.3
b = np.zeros(16)
V = np.random.randn(16, K) * 0.3
c = np.zeros(K)
for i in range(250):
    H = np.maximum(0, X @ W + b)
    S = H @ V + c
    P = np.exp(S - S.max(1, keepdims=True))
    P = P / P.sum(1, keepdims=True)
    L = -np.sum(Y * np.log(P)) / N
    dS = (P - Y) / N
    dV = H.T @ dS
    dc = dS.sum(0)
    dH = dS @ V.T
    dZ = dH * (H > 0)
    dW = X.T @ dZ
    db = dZ.sum(0)
    W -= 0.5 * dW
    b -= 0.5 * db
    V -= 0.5 * dV
    c -= 0.5 * dc
