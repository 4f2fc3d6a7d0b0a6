"""The grader's NumPy policy network and optimizers agree with TensorFlow's."""

import numpy as np
import pytest

from autograder import policy_net
from autograder.oracles.optimizers import SGD, Adam

tf = pytest.importorskip("tensorflow")


def keras_model(weights):
    model = tf.keras.Sequential([tf.keras.layers.Input(shape=(4,)), tf.keras.layers.Dense(5, activation="elu"),
                                 tf.keras.layers.Dense(1, activation="sigmoid")])
    model.set_weights(weights)
    return model


@pytest.fixture
def weights():
    rng = np.random.default_rng(0)
    return [rng.normal(0, 1, shape).astype(np.float32) for shape in ((4, 5), (5,), (5, 1), (1,))]


def test_p_left_matches_keras(weights):
    obs = np.random.default_rng(1).normal(0, 1, (20, 4)).astype(np.float32)
    np.testing.assert_allclose(policy_net.p_left(weights, obs), keras_model(weights)(obs).numpy()[:, 0], rtol=1e-5)


@pytest.mark.parametrize("action", [0, 1])
def test_gradients_match_a_gradient_tape(weights, action):
    model = keras_model(weights)
    obs = np.array([[0.1, -0.5, 0.03, 0.8]], dtype=np.float32)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.keras.losses.binary_crossentropy([[1.0 - action]], model(obs)))
    expected = tape.gradient(loss, model.trainable_variables)
    for got, want in zip(policy_net.bce_gradients(weights, obs, [action]), expected):
        np.testing.assert_allclose(got[0], want.numpy(), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("numpy_optimizer, keras_optimizer", [(SGD, tf.keras.optimizers.SGD),
                                                               (Adam, tf.keras.optimizers.Adam)])
def test_optimizer_steps_match_keras(weights, numpy_optimizer, keras_optimizer):
    variables = [tf.Variable(weight) for weight in weights]
    ours, theirs = numpy_optimizer(0.01), keras_optimizer(learning_rate=0.01)
    current = [weight.astype(np.float64) for weight in weights]
    rng = np.random.default_rng(2)
    for _ in range(5):
        grads = [rng.normal(0, 1, weight.shape) for weight in weights]
        theirs.apply_gradients(zip([tf.constant(g, tf.float32) for g in grads], variables))
        current = ours.step(current, grads)
    for variable, mine in zip(variables, current):
        np.testing.assert_allclose(variable.numpy(), mine, rtol=1e-5, atol=1e-6)
