"""The two-layer net of the CS231n assignment, as a class: loss() returns (loss, grads),
train() samples a random minibatch each iteration and decays the learning rate every epoch."""
import numpy as np


class TwoLayerNet(object):

    def __init__(self, input_size, hidden_size, output_size, std=1e-1):
        self.params = {}
        self.params['W1'] = std * np.random.randn(input_size, hidden_size)
        self.params['b1'] = np.zeros(hidden_size)
        self.params['W2'] = std * np.random.randn(hidden_size, output_size)
        self.params['b2'] = np.zeros(output_size)

    def loss(self, X, y=None, reg=0.0):
        W1, b1 = self.params['W1'], self.params['b1']
        W2, b2 = self.params['W2'], self.params['b2']
        N, D = X.shape
        h1 = np.maximum(0, X.dot(W1) + b1)
        scores = h1.dot(W2) + b2
        if y is None:
            return scores
        scores -= np.max(scores, axis=1, keepdims=True)
        probs = np.exp(scores) / np.sum(np.exp(scores), axis=1, keepdims=True)
        loss = -np.sum(np.log(probs[np.arange(N), y])) / N
        loss += reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        grads = {}
        dscores = probs.copy()
        dscores[np.arange(N), y] -= 1
        dscores /= N
        grads['W2'] = h1.T.dot(dscores) + 2 * reg * W2
        grads['b2'] = np.sum(dscores, axis=0)
        dh1 = dscores.dot(W2.T)
        dh1[h1 <= 0] = 0
        grads['W1'] = X.T.dot(dh1) + 2 * reg * W1
        grads['b1'] = np.sum(dh1, axis=0)
        return loss, grads

    def train(self, X, y, learning_rate=1e-3, learning_rate_decay=0.95, reg=5e-6,
              num_iters=100, batch_size=200, verbose=False):
        num_train = X.shape[0]
        iterations_per_epoch = max(num_train // batch_size, 1)
        loss_history = []
        for it in range(num_iters):
            batch_indices = np.random.choice(num_train, batch_size)
            X_batch = X[batch_indices]
            y_batch = y[batch_indices]
            loss, grads = self.loss(X_batch, y=y_batch, reg=reg)
            loss_history.append(loss)
            for param_name in self.params:
                self.params[param_name] -= learning_rate * grads[param_name]
            if verbose and it % 50 == 0:
                print('iteration %d / %d: loss %f' % (it, num_iters, loss))
            if it % iterations_per_epoch == 0:
                learning_rate *= learning_rate_decay
        return {'loss_history': loss_history}

    def predict(self, X):
        return np.argmax(self.loss(X), axis=1)


np.random.seed(0)
num_inputs, input_size, num_classes = 200, 8, 5
X = 3 * np.random.randn(num_inputs, input_size)
y = np.random.randint(num_classes, size=num_inputs)
y[:50] = np.argmax(X[:50, :num_classes], axis=1)
net = TwoLayerNet(input_size, 30, num_classes)
stats = net.train(X, y, learning_rate=0.1, reg=0.02, num_iters=150, batch_size=40, verbose=True)
print('Final training loss: ', stats['loss_history'][-1])
print('Training accuracy: ', (net.predict(X) == y).mean())
