"""All weights in one flat vector theta (the layout scipy.optimize wants): each iteration slices and
reshapes it into W1, b1, W2, b2, and the gradient is put back together with np.concatenate."""
import numpy as np

np.random.seed(9)
N, D, H, K = 60, 2, 8, 2
X = np.random.randn(N, D)
y = (X[:, 0] ** 2 > X[:, 1]).astype(int)
shapes = [(D, H), (H,), (H, K), (K,)]
sizes = [int(np.prod(s)) for s in shapes]
theta = np.concatenate([np.random.randn(n) * 0.5 if len(s) == 2 else np.zeros(n) for n, s in zip(sizes, shapes)])


def unpack(theta):
    out, start = [], 0
    for n, s in zip(sizes, shapes):
        out.append(theta[start:start + n].reshape(s))
        start += n
    return out


for it in range(200):
    W1, b1, W2, b2 = unpack(theta)
    h = np.tanh(X @ W1 + b1)
    s = h @ W2 + b2
    e = np.exp(s - s.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(N), y]).mean()
    ds = (p - np.eye(K)[y]) / N
    dW2 = h.T @ ds
    db2 = ds.sum(axis=0)
    dz = (ds @ W2.T) * (1 - h * h)
    dW1 = X.T @ dz
    db1 = dz.sum(axis=0)
    grad = np.concatenate([dW1.ravel(), db1, dW2.ravel(), db2])
    theta = theta - 0.8 * grad
