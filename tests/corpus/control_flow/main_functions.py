"""Everything in small functions: forward() returns a cache dict, backward() a grads dict, update() new
parameters; the training loop is in main(), run under the __main__ guard."""
import numpy as np


def make_data(rng, n=90):
    X = rng.uniform(-1, 1, size=(n, 2))
    y = ((X[:, 0] ** 2 + X[:, 1] ** 2) < 0.5).astype(int)
    return X, y


def init(rng, hidden=12):
    return {"W1": rng.normal(0, 0.8, (2, hidden)), "b1": np.zeros((1, hidden)),
            "W2": rng.normal(0, 0.8, (hidden, 2)), "b2": np.zeros((1, 2))}


def forward(params, X):
    z1 = X @ params["W1"] + params["b1"]
    a1 = np.tanh(z1)
    z2 = a1 @ params["W2"] + params["b2"]
    e = np.exp(z2 - z2.max(axis=1, keepdims=True))
    return {"X": X, "a1": a1, "probs": e / e.sum(axis=1, keepdims=True)}


def loss_of(cache, y):
    return -np.log(cache["probs"][np.arange(len(y)), y]).mean()


def backward(params, cache, y):
    n = len(y)
    dz2 = cache["probs"].copy()
    dz2[np.arange(n), y] -= 1
    dz2 /= n
    grads = {"W2": cache["a1"].T @ dz2, "b2": dz2.sum(axis=0, keepdims=True)}
    dz1 = (dz2 @ params["W2"].T) * (1 - cache["a1"] ** 2)
    grads["W1"] = cache["X"].T @ dz1
    grads["b1"] = dz1.sum(axis=0, keepdims=True)
    return grads


def update(params, grads, lr):
    return {k: params[k] - lr * grads[k] for k in params}


def main():
    rng = np.random.default_rng(3)
    X, y = make_data(rng)
    params = init(rng)
    for step in range(300):
        cache = forward(params, X)
        loss = loss_of(cache, y)
        grads = backward(params, cache, y)
        params = update(params, grads, lr=0.5)
        if step % 100 == 0:
            print(step, round(float(loss), 4))
    return params


if __name__ == "__main__":
    main()
