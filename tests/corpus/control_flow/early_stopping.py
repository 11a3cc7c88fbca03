# Train until the loss stops improving (patience), then stop with break.
import numpy as np

np.random.seed(31)
X = np.random.randn(120, 2)
y = (X[:, 0] ** 2 + 0.5 * X[:, 1] > 0.5).astype(int)
W = 0.5 * np.random.randn(2, 16)
b = np.zeros((1, 16))
W2 = 0.5 * np.random.randn(16, 2)
b2 = np.zeros((1, 2))
step_size = 0.8
best_loss, patience, bad_epochs = np.inf, 5, 0
epoch = 0
num_examples = X.shape[0]

while epoch < 500:
    hidden_layer = np.maximum(0, X.dot(W) + b)
    scores = hidden_layer.dot(W2) + b2
    exp_scores = np.exp(scores)
    probs = exp_scores / exp_scores.sum(axis=1, keepdims=True)
    loss = -np.log(probs[range(num_examples), y]).mean()
    dscores = probs
    dscores[range(num_examples), y] -= 1
    dscores /= num_examples
    dW2 = hidden_layer.T.dot(dscores)
    db2 = dscores.sum(axis=0, keepdims=True)
    dhidden = dscores.dot(W2.T)
    dhidden[hidden_layer <= 0] = 0
    dW = X.T.dot(dhidden)
    db = dhidden.sum(axis=0, keepdims=True)
    W += -step_size * dW
    b += -step_size * db
    W2 += -step_size * dW2
    b2 += -step_size * db2
    epoch += 1
    if loss < best_loss - 1e-4:
        best_loss, bad_epochs = loss, 0
    else:
        bad_epochs += 1
        if bad_epochs >= patience:
            print("early stop at epoch", epoch)
            break
print("best loss", best_loss)
