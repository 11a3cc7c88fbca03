# Softmax and categorical cross-entropy with their own backward passes (chapter 9):
# the softmax Jacobian is built sample by sample. Targets are one-hot encoded.
import numpy as np

np.random.seed(4)
n_per, n_classes = 30, 3
y_labels = np.repeat(np.arange(n_classes), n_per)
angles = 2 * np.pi * y_labels / n_classes + np.random.randn(len(y_labels)) * 0.4
X = np.c_[np.cos(angles), np.sin(angles)] * (1 + 0.3 * np.random.rand(len(y_labels)))[:, None]
y_onehot = np.eye(n_classes)[y_labels]


class Layer_Dense:
    def __init__(self, n_inputs, n_neurons):
        self.weights = 0.3 * np.random.randn(n_inputs, n_neurons)
        self.biases = np.zeros((1, n_neurons))

    def forward(self, inputs):
        self.inputs = inputs
        self.output = np.dot(inputs, self.weights) + self.biases

    def backward(self, dvalues):
        self.dweights = np.dot(self.inputs.T, dvalues)
        self.dbiases = np.sum(dvalues, axis=0, keepdims=True)
        self.dinputs = np.dot(dvalues, self.weights.T)


class Activation_Tanh:
    def forward(self, inputs):
        self.output = np.tanh(inputs)

    def backward(self, dvalues):
        self.dinputs = dvalues * (1 - self.output ** 2)


class Activation_Softmax:
    def forward(self, inputs):
        exp_values = np.exp(inputs - np.max(inputs, axis=1, keepdims=True))
        self.output = exp_values / np.sum(exp_values, axis=1, keepdims=True)

    def backward(self, dvalues):
        self.dinputs = np.empty_like(dvalues)
        for index, (single_output, single_dvalues) in enumerate(zip(self.output, dvalues)):
            single_output = single_output.reshape(-1, 1)
            jacobian_matrix = np.diagflat(single_output) - np.dot(single_output, single_output.T)
            self.dinputs[index] = np.dot(jacobian_matrix, single_dvalues)


class Loss_CategoricalCrossentropy:
    def calculate(self, y_pred, y_true):
        y_pred_clipped = np.clip(y_pred, 1e-7, 1 - 1e-7)
        return np.mean(-np.log(np.sum(y_pred_clipped * y_true, axis=1)))

    def backward(self, dvalues, y_true):
        samples = len(dvalues)
        self.dinputs = -y_true / dvalues
        self.dinputs = self.dinputs / samples


dense1 = Layer_Dense(2, 16)
activation1 = Activation_Tanh()
dense2 = Layer_Dense(16, n_classes)
activation2 = Activation_Softmax()
loss_function = Loss_CategoricalCrossentropy()
learning_rate = 0.7

for epoch in range(80):
    dense1.forward(X)
    activation1.forward(dense1.output)
    dense2.forward(activation1.output)
    activation2.forward(dense2.output)
    loss = loss_function.calculate(activation2.output, y_onehot)
    if epoch % 20 == 0:
        print('epoch', epoch, 'loss', loss)
    loss_function.backward(activation2.output, y_onehot)
    activation2.backward(loss_function.dinputs)
    dense2.backward(activation2.dinputs)
    activation1.backward(dense2.dinputs)
    dense1.backward(activation1.dinputs)
    for layer in (dense1, dense2):
        layer.weights -= learning_rate * layer.dweights
        layer.biases -= learning_rate * layer.dbiases
