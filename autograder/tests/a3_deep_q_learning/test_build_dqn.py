"""Hidden tests of ``build_dqn(input_shape=(4,), n_outputs=2) -> tf.keras.Model``."""

import numpy as np

from autograder.grading import calling, described_model, expect_array, expect_true, graded

FUNCTION = "build_dqn"
HINT = (
    "Stack keras.layers.Input(shape=input_shape), two Dense(64, activation='elu') layers and a "
    "Dense(n_outputs) layer without activation in a keras.Sequential."
)


def shapes(n_inputs, hidden, n_outputs):
    return [[n_inputs, hidden], [hidden], [hidden, hidden], [hidden], [hidden, n_outputs], [n_outputs]]


@graded(FUNCTION, HINT)
def test_default_sizes(student, settings):
    """build_dqn() maps the 4 state values through two hidden layers to 2 Q-values."""
    with calling("build_dqn()", public=True):
        info = described_model(student, FUNCTION, np.zeros((1, 4), np.float32))
        want = shapes(4, settings.hidden_units, 2)
        expect_true(
            info.get("weight_shapes") == want, f"expected weights of shapes {want}, got {info.get('weight_shapes')}"
        )


@graded(FUNCTION, HINT)
def test_custom_sizes(student, settings):
    """build_dqn(input_shape=(6,), n_outputs=3) takes 6 values and gives 3 Q-values."""
    with calling("build_dqn(input_shape=(6,), n_outputs=3)", public=True):
        info = described_model(student, FUNCTION, np.zeros((1, 6), np.float32), input_shape=(6,), n_outputs=3)
        want = shapes(6, settings.hidden_units, 3)
        expect_true(
            info.get("weight_shapes") == want, f"expected weights of shapes {want}, got {info.get('weight_shapes')}"
        )


@graded(FUNCTION, HINT)
def test_q_values(student, reference, make_weights, rng, settings):
    """With given weights, computes the reference's Q-values (elu hidden layers, linear output) on hidden states."""
    weights = make_weights()
    layers = [weights[index : index + 2] for index in range(0, len(weights), 2)]
    inputs = rng.normal(0, 1, (16, 4)).astype(np.float32)
    view = {"result": "model", "inputs": inputs, "layers": layers}
    with calling("build_dqn(), its weights set by the grader, on 16 hidden states", public=False):
        info = described_model(student, FUNCTION, inputs, layers)
        want = reference.call(FUNCTION, view=view).value["outputs"]
        expect_array(info.get("outputs"), want, rtol=settings.rtol, what="the Q-values")
