"""Three tanh hidden layers, five classes; weights and biases in lists, loops forward and backward."""
import numpy as np

rng = np.random.default_rng(17)
sizes = [4, 12, 10, 8, 5]
X = rng.normal(size=(150, sizes[0]))
y = np.argmax(X @ rng.normal(size=(sizes[0], sizes[-1])) + 0.5 * rng.normal(size=(150, sizes[-1])), axis=1)
Ws = [rng.normal(scale=1 / np.sqrt(n_in), size=(n_in, n_out)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
bs = [np.zeros((1, n_out)) for n_out in sizes[1:]]
learning_rate = 0.3
n = len(y)

for epoch in range(100):
    acts = [X]
    for l, (W, b) in enumerate(zip(Ws, bs)):
        z = acts[-1] @ W + b
        acts.append(z if l == len(Ws) - 1 else np.tanh(z))
    logits = acts[-1]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(n), y]))
    delta = probs.copy()
    delta[np.arange(n), y] -= 1
    delta /= n
    dWs = [None] * len(Ws)
    dbs = [None] * len(bs)
    for l in reversed(range(len(Ws))):
        dWs[l] = acts[l].T @ delta
        dbs[l] = delta.sum(axis=0, keepdims=True)
        if l > 0:
            delta = (delta @ Ws[l].T) * (1 - acts[l] ** 2)
    for W, b, dW, db in zip(Ws, bs, dWs, dbs):
        W -= learning_rate * dW
        b -= learning_rate * db
    if epoch % 25 == 0:
        print("epoch %d loss %.4f" % (epoch, loss))
