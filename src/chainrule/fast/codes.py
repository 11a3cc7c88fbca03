"""The kernels' integer codes for activations, losses and optimizers (no numba here)."""

ACTIVATION_CODES = {"relu": 0, "leaky_relu": 1, "tanh": 2, "sigmoid": 3}
LOSS_CODES = {"softmax": 0, "hinge": 1}
OPTIMIZER_CODES = {"gd": 0, "sgd": 0, "momentum": 1, "adam": 2}
HINGE_DELTA = 1.0
LEAKY_ALPHA = 0.01
MAX_LAYERS = 8  # weight layers the compiled rows kernel takes (deeper networks take the BLAS path)
ROWS_PER_TILE = 4  # rows the rows kernel (generic.py) handles at once
