"""Hidden tests of ``build_dueling_dqn(input_shape=(4,), n_outputs=2) -> tf.keras.Model``.

The grader sets weights into the model's dense layers by their kernels' shapes, so
the order in which a student builds the two heads does not matter.
"""

import numpy as np

from autograder.grading import calling, described_model, expect_array, expect_true, graded

FUNCTION = "build_dueling_dqn"
HINT = (
    "Two Dense(64, 'elu') layers shared by a value head Dense(1) and an advantage head Dense(n_outputs); "
    "Q = V + A - max(A) (tf.reduce_max(A, axis=1, keepdims=True)), in a keras.Model."
)


def layer_weights(rng, settings, n_inputs=4, n_outputs=2):
    hidden = settings.hidden_units
    shapes = [(n_inputs, hidden), (hidden, hidden), (hidden, 1), (hidden, n_outputs)]
    return [
        [
            rng.normal(0, 0.5 / np.sqrt(fan_in), (fan_in, fan_out)).astype(np.float32),
            rng.normal(0, 0.1, fan_out).astype(np.float32),
        ]
        for fan_in, fan_out in shapes
    ]


@graded(FUNCTION, HINT)
def test_shared_layers_and_two_heads(student, settings):
    """Has two hidden layers, a value head of 1 unit and an advantage head of one unit per action."""
    hidden = settings.hidden_units
    want = sorted([[4, hidden], [hidden], [hidden, hidden], [hidden], [hidden, 1], [1], [hidden, 2], [2]])
    with calling("build_dueling_dqn()", public=True):
        info = described_model(student, FUNCTION, np.zeros((1, 4), np.float32))
        expect_true(
            sorted(info.get("weight_shapes", [])) == want,
            f"expected weights of shapes {want} (in any order), got {info.get('weight_shapes')}",
        )


@graded(FUNCTION, HINT)
def test_q_is_value_plus_advantage_minus_the_best(student, reference, rng, settings):
    """With given weights, computes Q = V + A - max(A) on hidden states."""
    layers = layer_weights(rng, settings)
    inputs = rng.normal(0, 1, (16, 4)).astype(np.float32)
    with calling("build_dueling_dqn(), its layers' weights set by the grader, on 16 hidden states", public=False):
        info = described_model(student, FUNCTION, inputs, layers)
        want = reference.call(FUNCTION, view={"result": "model", "inputs": inputs, "layers": layers}).value
        expect_true(
            "outputs" in info,
            "the grader could not set one weight pair per dense layer: expected four "
            "dense layers (two hidden, two heads)",
        )
        expect_array(info["outputs"], want["outputs"], rtol=settings.rtol, what="the Q-values")


@graded(FUNCTION, HINT)
def test_custom_sizes(student, reference, rng, settings):
    """build_dueling_dqn(input_shape=(6,), n_outputs=3) takes 6 values and gives 3 Q-values."""
    layers = layer_weights(rng, settings, 6, 3)
    inputs = rng.normal(0, 1, (8, 6)).astype(np.float32)
    with calling("build_dueling_dqn(input_shape=(6,), n_outputs=3), weights set by the grader", public=True):
        info = described_model(student, FUNCTION, inputs, layers, input_shape=(6,), n_outputs=3)
        want = reference.call(
            FUNCTION, input_shape=(6,), n_outputs=3, view={"result": "model", "inputs": inputs, "layers": layers}
        ).value
        expect_true("outputs" in info, "the grader could not set one weight pair per dense layer")
        expect_array(info["outputs"], want["outputs"], rtol=settings.rtol, what="the Q-values")
