# RMSProp with the parameters, gradients and caches in parallel lists walked with zip().
import numpy as np

rng = np.random.default_rng(4)
X = rng.uniform(-2, 2, size=(150, 2))
y = ((X[:, 0] ** 2 + X[:, 1] ** 2) > 1.6).astype(int)

W1 = rng.normal(0, 0.5, (2, 16))
b1 = np.zeros((1, 16))
W2 = rng.normal(0, 0.5, (16, 2))
b2 = np.zeros((1, 2))
params = [W1, b1, W2, b2]
caches = [np.zeros_like(p) for p in params]
learning_rate, decay_rate, eps = 0.01, 0.99, 1e-8

for epoch in range(120):
    hid = np.tanh(X @ W1 + b1)
    out = hid @ W2 + b2
    e = np.exp(out - out.max(axis=1, keepdims=True))
    prob = e / e.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(prob[np.arange(len(y)), y]))
    dout = prob.copy()
    dout[np.arange(len(y)), y] -= 1
    dout /= len(y)
    dW2 = hid.T @ dout
    db2 = dout.sum(axis=0, keepdims=True)
    dhid = (dout @ W2.T) * (1 - hid ** 2)
    dW1 = X.T @ dhid
    db1 = dhid.sum(axis=0, keepdims=True)
    grads = [dW1, db1, dW2, db2]
    for p, g, c in zip(params, grads, caches):
        c *= decay_rate
        c += (1 - decay_rate) * g ** 2
        p -= learning_rate * g / (np.sqrt(c) + eps)
    if epoch % 40 == 0:
        print("epoch", epoch, "loss", loss)
