# copied out of a Colab notebook cell by cell, magics and all
!nvidia-smi
%matplotlib inline
%config InlineBackend.figure_format = 'retina'
import numpy as np
import matplotlib.pyplot as plt

np.random.seed(10)
X = np.random.randn(100, 3)
y = (X.sum(axis=1) > 0).astype(int)
W1 = np.random.randn(3, 8) * 0.5
b1 = np.zeros((1, 8))
W2 = np.random.randn(8, 2) * 0.5
b2 = np.zeros((1, 2))

for it in range(100):
    h = np.maximum(0, X @ W1 + b1)
    scores = h @ W2 + b2
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    p = p / p.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(p[np.arange(100), y]))
    dscores = p.copy()
    dscores[np.arange(100), y] -= 1
    dscores /= 100
    dW2 = h.T @ dscores
    db2 = dscores.sum(axis=0, keepdims=True)
    dh = dscores @ W2.T
    dh[h <= 0] = 0
    dW1 = X.T @ dh
    db1 = dh.sum(axis=0, keepdims=True)
    W1 -= 0.5 * dW1
    b1 -= 0.5 * db1
    W2 -= 0.5 * dW2
    b2 -= 0.5 * db2
    if it % 25 == 0:
        %time print(it, loss)
plt.plot([0, 1])
