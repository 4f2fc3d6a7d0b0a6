"""Keras 2.15's SGD and Adam updates in NumPy (float64), to know what a step must do."""

import numpy as np


class SGD:
    """``tf.keras.optimizers.SGD`` without momentum."""

    def __init__(self, learning_rate):
        self.learning_rate = learning_rate

    def step(self, weights, grads):
        return [weight - self.learning_rate * grad for weight, grad in zip(weights, grads)]


class Adam:
    """``tf.keras.optimizers.Adam`` with its defaults (beta_1 0.9, beta_2 0.999, epsilon 1e-7)."""

    def __init__(self, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        self.learning_rate, self.beta_1, self.beta_2, self.epsilon = learning_rate, beta_1, beta_2, epsilon
        self.iterations, self.m, self.v = 0, None, None

    def step(self, weights, grads):
        if self.m is None:
            self.m = [np.zeros_like(grad) for grad in grads]
            self.v = [np.zeros_like(grad) for grad in grads]
        self.iterations += 1
        alpha = self.learning_rate * np.sqrt(1 - self.beta_2**self.iterations) / (1 - self.beta_1**self.iterations)
        updated = []
        for index, (weight, grad) in enumerate(zip(weights, grads)):
            self.m[index] += (grad - self.m[index]) * (1 - self.beta_1)
            self.v[index] += (grad * grad - self.v[index]) * (1 - self.beta_2)
            updated.append(weight - self.m[index] * alpha / (np.sqrt(self.v[index]) + self.epsilon))
        return updated
