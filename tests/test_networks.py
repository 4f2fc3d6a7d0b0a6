"""The grader's NumPy networks and optimizers agree with TensorFlow's."""

import numpy as np
import pytest

from autograder.assignments import dqn_net, policy_net
from autograder.assignments.oracles.optimizers import SGD, Adam

tf = pytest.importorskip("tensorflow")


def keras_model(weights):
    model = tf.keras.Sequential(
        [
            tf.keras.layers.Input(shape=(4,)),
            tf.keras.layers.Dense(5, activation="elu"),
            tf.keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
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


@pytest.mark.parametrize(
    "numpy_optimizer, keras_optimizer", [(SGD, tf.keras.optimizers.SGD), (Adam, tf.keras.optimizers.Adam)]
)
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


def keras_dqn(weights):
    model = tf.keras.Sequential(
        [
            tf.keras.layers.Input(shape=(4,)),
            tf.keras.layers.Dense(8, activation="elu"),
            tf.keras.layers.Dense(8, activation="elu"),
            tf.keras.layers.Dense(2),
        ]
    )
    model.set_weights(weights)
    return model


@pytest.fixture
def dqn_weights():
    rng = np.random.default_rng(3)
    return [rng.normal(0, 0.7, shape).astype(np.float32) for shape in ((4, 8), (8,), (8, 8), (8,), (8, 2), (2,))]


@pytest.fixture
def batch():
    rng = np.random.default_rng(4)
    return [
        rng.normal(0, 1, (16, 4)).astype(np.float32),
        rng.integers(0, 2, 16),
        rng.normal(0, 1, 16),
        rng.normal(0, 1, (16, 4)).astype(np.float32),
        rng.random(16) < 0.3,
        np.zeros(16, bool),
    ]


def test_q_values_match_keras(dqn_weights, batch):
    np.testing.assert_allclose(
        dqn_net.q_values(dqn_weights, batch[0]), keras_dqn(dqn_weights)(batch[0]).numpy(), rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize(
    "loss, keras_loss", [("mean_squared_error", tf.keras.losses.mean_squared_error), ("huber", tf.keras.losses.huber)]
)
@pytest.mark.parametrize("kind", ["online", "fixed", "double"])
def test_dqn_gradients_match_a_gradient_tape(dqn_weights, batch, loss, keras_loss, kind):
    online, target = (
        keras_dqn(dqn_weights),
        keras_dqn([w[::-1].copy() if w.ndim == 1 else w * 0.5 for w in dqn_weights]),
    )
    target_weights = target.get_weights()
    targets = dqn_net.targets(kind, dqn_weights, target_weights, batch, 0.9)
    next_online, next_target = online(batch[3]).numpy(), target(batch[3]).numpy()
    best = {"online": next_online.argmax(1), "fixed": next_target.argmax(1), "double": next_online.argmax(1)}[kind]
    values = (next_online if kind == "online" else next_target)[np.arange(16), best]
    np.testing.assert_allclose(targets, batch[2] + (1 - batch[4]) * 0.9 * values, rtol=1e-5)
    with tf.GradientTape() as tape:
        chosen = tf.reduce_sum(online(batch[0]) * tf.one_hot(batch[1], 2), axis=1, keepdims=True)
        expected_loss = tf.reduce_mean(keras_loss(targets.reshape(-1, 1), chosen))
    expected = tape.gradient(expected_loss, online.trainable_variables)
    value, grads = dqn_net.loss_and_gradients(dqn_weights, batch, targets, loss)
    assert np.isclose(value, float(expected_loss), rtol=1e-5)
    for got, want in zip(grads, expected):
        np.testing.assert_allclose(got, want.numpy(), rtol=1e-4, atol=1e-6)
