"""The lesson's policy network in NumPy (float64): inputs -> elu hidden layer -> sigmoid P(left).

The grader uses it to evaluate trained weights without TensorFlow and to know the
gradients a correct ``play_one_step`` returns.
"""

import numpy as np


def _as64(weights):
    return [np.asarray(weight, dtype=np.float64) for weight in weights]


def _forward(weights, obs):
    w1, b1, w2, b2 = _as64(weights)
    z1 = np.asarray(obs, dtype=np.float64) @ w1 + b1
    hidden = np.where(z1 > 0, z1, np.expm1(np.minimum(z1, 0)))
    p = 1.0 / (1.0 + np.exp(-(hidden @ w2 + b2)))
    return z1, hidden, p[..., 0]


def p_left(weights, obs):
    """P(left) for one observation (a float) or a batch of them (an array)."""
    p = _forward(weights, obs)[2]
    return float(p) if np.ndim(obs) == 1 else p


def bce_gradients(weights, observations, actions):
    """Per-step gradients of the binary cross-entropy between target 1 - action and P(left).

    Takes a batch of T observations and actions; returns one stacked array per
    variable, of shapes (T, n_inputs, n_hidden), (T, n_hidden), (T, n_hidden, 1), (T, 1).
    """
    observations = np.asarray(observations, dtype=np.float64)
    z1, hidden, p = _forward(weights, observations)
    error = p - (1.0 - np.asarray(actions, dtype=np.float64))  # d loss / d logit
    w2 = np.asarray(weights[2], dtype=np.float64)[:, 0]
    d_hidden = error[:, None] * w2 * np.where(z1 > 0, 1.0, np.exp(np.minimum(z1, 0)))
    return [observations[:, :, None] * d_hidden[:, None, :], d_hidden,
            (error[:, None] * hidden)[:, :, None], error[:, None]]


def initial_weights(rng, n_inputs=4, n_hidden=5):
    """Glorot-uniform kernels and zero biases, as Keras initialises Dense layers (float32)."""
    def glorot(fan_in, fan_out):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(np.float32)
    return [glorot(n_inputs, n_hidden), np.zeros(n_hidden, np.float32),
            glorot(n_hidden, 1), np.zeros(1, np.float32)]
