import matplotlib.pyplot as plt
import numpy as np


def plot_decision_boundary(model, X, y):
    x_min, x_max = X[0, :].min() - 1, X[0, :].max() + 1
    y_min, y_max = X[1, :].min() - 1, X[1, :].max() + 1
    h = 0.05
    xx, yy = np.meshgrid(np.arange(x_min, x_max, h), np.arange(y_min, y_max, h))
    Z = model(np.c_[xx.ravel(), yy.ravel()])
    Z = Z.reshape(xx.shape)
    plt.contourf(xx, yy, Z, cmap=plt.cm.Spectral)
    plt.ylabel('x2')
    plt.xlabel('x1')
    plt.scatter(X[0, :], X[1, :], c=y.ravel(), cmap=plt.cm.Spectral)


def sigmoid(x):
    """Compute the sigmoid of x (a scalar or numpy array of any size)."""
    s = 1 / (1 + np.exp(-x))
    return s


def load_flower_data(m=200, petals=4, seed=1):
    """A flower of `petals` petals whose alternate petals are labelled 0 and 1: X (2, m), Y (1, m)."""
    rng = np.random.RandomState(seed)
    theta = rng.uniform(0, 2 * np.pi, m)
    radius = 3.5 * np.abs(np.sin(petals * theta / 2)) + rng.randn(m) * 0.2
    X = np.vstack([radius * np.cos(theta), radius * np.sin(theta)])
    Y = (np.floor(theta / (2 * np.pi / petals)) % 2).astype(int).reshape(1, m)
    return X, Y
