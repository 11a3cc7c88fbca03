# Rückwärtsrechnung / 反向传播 — saved by a Windows editor as "UTF-8 with BOM".
# Zwei Klassen, eine versteckte Schicht mit 20 Neuronen (ReLU), Softmax am Ausgang.
import numpy as np

np.random.seed(5)
punkte = 50
X = np.vstack([np.random.randn(punkte, 2) + [1.2, 0.0], np.random.randn(punkte, 2) - [1.2, 0.0]])
y = np.array([0] * punkte + [1] * punkte)
W = 0.4 * np.random.randn(2, 20)
b = np.zeros((1, 20))
W2 = 0.4 * np.random.randn(20, 2)
b2 = np.zeros((1, 2))
schrittweite = 0.7  # Lernrate
n = X.shape[0]

for schritt in range(120):
    versteckt = np.maximum(0, np.dot(X, W) + b)
    scores = np.dot(versteckt, W2) + b2
    exp_scores = np.exp(scores)
    wahrsch = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    verlust = -np.mean(np.log(wahrsch[range(n), y]))  # Kreuzentropie
    dscores = wahrsch.copy()
    dscores[range(n), y] -= 1
    dscores /= n
    dW2 = np.dot(versteckt.T, dscores)
    db2 = np.sum(dscores, axis=0, keepdims=True)
    dversteckt = np.dot(dscores, W2.T)
    dversteckt[versteckt <= 0] = 0  # ReLU-Ableitung
    dW = np.dot(X.T, dversteckt)
    db = np.sum(dversteckt, axis=0, keepdims=True)
    W -= schrittweite * dW
    b -= schrittweite * db
    W2 -= schrittweite * dW2
    b2 -= schrittweite * db2
    if schritt % 40 == 0:
        print("Schritt", schritt, "Verlust", round(verlust, 4))
