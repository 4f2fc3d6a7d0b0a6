"""The lesson's policy network in NumPy (float64): inputs -> elu hidden layer -> sigmoid P(left).

The grader uses it to evaluate trained weights without TensorFlow and to know the
gradients a correct ``play_one_step`` returns.
"""

import numpy as np

from autograder.assignments import mlp


def _forward(weights, observations):
    pre_activations, activations = mlp.forward(weights, observations)
    return pre_activations[0], activations[1], 1.0 / (1.0 + np.exp(-activations[-1][..., 0]))


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
    d_hidden = error[:, None] * w2 * mlp.elu_derivative(z1)
    return [
        observations[:, :, None] * d_hidden[:, None, :],
        d_hidden,
        (error[:, None] * hidden)[:, :, None],
        error[:, None],
    ]


def initial_weights(rng, n_inputs=4, n_hidden=5):
    """Keras-like initial weights of the policy network (float32)."""
    return mlp.initial_weights(rng, [n_inputs, n_hidden, 1])
