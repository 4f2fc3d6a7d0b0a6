"""The sandbox hands a call's code the models and optimizers of earlier calls again, so that compiled functions
trace once, and the code cannot tell: the weights are the ones described, the optimizer's state a new one's,
two arguments never share an object, and what the code draws from a generator does not change."""

import textwrap

import numpy as np
import pytest

from autograder import config
from autograder.grading.probes import Cell, DQNModel, Optimizer, Student, seed_scope

LIMITS = config.load().LIMITS
CODE = """
import random
import numpy as np
import tensorflow as tf

traces = []


@tf.function
def _step(model, optimizer, states):
    traces.append(1)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(model(states) ** 2)
    optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
    return loss


def step(model, optimizer, states):
    optimizer.build(model.trainable_variables)
    _step(model, optimizer, tf.constant(states, tf.float32))
    return {"traces": len(traces), "weights": [w.numpy() for w in model.weights]}


def same_object(model, target_model):
    return model is target_model


def freeze(model):
    model.trainable = False
    model.layers[0].kernel.assign(tf.zeros_like(model.layers[0].kernel))
    model.set_weights = None


def trainable_weights(model):
    return [w.numpy() for w in model.trainable_weights]


def step_own_model(model, optimizer, states):
    own = tf.keras.models.clone_model(model)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(own(tf.constant(states, tf.float32)) ** 2)
    optimizer.apply_gradients(zip(tape.gradient(loss, own.trainable_variables), own.trainable_variables))
    return float(loss)


def draws(model):
    return [random.random(), float(np.random.rand()), float(tf.random.uniform([]))]
"""


def weights(seed):
    rng = np.random.default_rng(seed)
    shapes = [(4, 8), (8,), (8, 2), (2,)]
    return [rng.normal(size=shape).astype(np.float32) for shape in shapes]


@pytest.fixture(scope="module")
def student():
    with Student([Cell("code", textwrap.dedent(CODE))], LIMITS, split_inputs=False) as student:
        yield student


STATES = np.random.default_rng(0).normal(size=(16, 4)).astype(np.float32)


def test_a_compiled_step_traces_once_and_starts_from_the_described_state_each_call(student):
    first = student.call("step", DQNModel(weights(1)), Optimizer("Adam", 0.01), STATES)
    other = student.call("step", DQNModel(weights(2)), Optimizer("Adam", 0.01), STATES)
    again = student.call("step", DQNModel(weights(1)), Optimizer("Adam", 0.01), STATES)
    assert first["traces"] == other["traces"] == again["traces"] == 1
    for before, after in zip(first["weights"], again["weights"]):  # Adam's moments and step count were reset
        np.testing.assert_array_equal(before, after)
    assert not np.array_equal(first["weights"][0], other["weights"][0])


def test_two_arguments_of_one_call_are_two_models(student):
    assert student.call("same_object", DQNModel(weights(1)), DQNModel(weights(1))) is False


def test_a_model_changed_by_an_earlier_call_comes_back_as_described(student):
    student.call("freeze", DQNModel(weights(3)))
    given = student.call("trainable_weights", DQNModel(weights(3)))
    assert len(given) == 4
    for value, expected in zip(given, weights(3)):
        np.testing.assert_array_equal(value, expected)


def test_an_optimizer_applied_to_other_variables_is_not_handed_out_again(student):
    for _ in range(2):
        assert student.call("step_own_model", DQNModel(weights(4)), Optimizer("SGD", 0.1), STATES) > 0


def test_what_the_code_draws_does_not_depend_on_earlier_calls():
    found = []
    for warm_up in (False, True):
        with Student([Cell("code", textwrap.dedent(CODE))], LIMITS, split_inputs=False, seed=5) as student:
            if warm_up:
                with seed_scope("warm up"):
                    student.call("draws", DQNModel(weights(6)))
            with seed_scope("graded"):
                found.append(student.call("draws", DQNModel(weights(6))))
    assert found[0] == found[1]
