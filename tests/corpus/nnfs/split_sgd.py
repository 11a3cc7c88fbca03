# Chapter 10 experiment: the classes live in nnfs_blocks.py next to this file.
import numpy as np
from nnfs_blocks import (Layer_Dense, Activation_ReLU, Optimizer_SGD,
                         Activation_Softmax_Loss_CategoricalCrossentropy, make_spiral)

np.random.seed(42)
X, y = make_spiral(samples=60, classes=3)

dense1 = Layer_Dense(2, 48)
activation1 = Activation_ReLU()
dense2 = Layer_Dense(48, 3)
loss_activation = Activation_Softmax_Loss_CategoricalCrossentropy()
optimizer = Optimizer_SGD(learning_rate=0.85)

for epoch in range(151):
    dense1.forward(X)
    activation1.forward(dense1.output)
    dense2.forward(activation1.output)
    loss = loss_activation.forward(dense2.output, y)

    predictions = np.argmax(loss_activation.output, axis=1)
    accuracy = np.mean(predictions == y)
    if not epoch % 50:
        print(f'epoch: {epoch}, acc: {accuracy:.3f}, loss: {loss:.3f}')

    # Backward pass
    loss_activation.backward(loss_activation.output, y)
    dense2.backward(loss_activation.dinputs)
    activation1.backward(dense2.dinputs)
    dense1.backward(activation1.dinputs)

    optimizer.update_params(dense1)
    optimizer.update_params(dense2)
