"""Dense networks in NumPy (float64) with the lesson's layout: elu hidden layers, then an output layer.

Weights come as Keras gives them: a kernel and a bias per layer, in order.
"""

import numpy as np


def elu(z):
    return np.where(z > 0, z, np.expm1(np.minimum(z, 0)))


def elu_derivative(z):
    return np.where(z > 0, 1.0, np.exp(np.minimum(z, 0)))


def forward(weights, inputs):
    """Pre-activations and activations of every layer (the last one before any output activation)."""
    activations, pre_activations = [np.asarray(inputs, dtype=np.float64)], []
    last = len(weights) - 2
    for index in range(0, len(weights), 2):
        z = activations[-1] @ np.asarray(weights[index], dtype=np.float64) + np.asarray(
            weights[index + 1], dtype=np.float64
        )
        pre_activations.append(z)
        activations.append(z if index == last else elu(z))
    return pre_activations, activations


def initial_weights(rng, layer_sizes):
    """Glorot-uniform kernels and zero biases (float32), as Keras initialises Dense layers."""
    weights = []
    for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        weights += [rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32), np.zeros(fan_out, np.float32)]
    return weights
