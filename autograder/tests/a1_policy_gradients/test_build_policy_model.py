"""Hidden tests of ``build_policy_model(n_inputs=4, n_hidden=5) -> tf.keras.Model``."""

import numpy as np

from autograder.grading import Mismatch, calling, expect_array, graded

FUNCTION = "build_policy_model"
HINT = (
    "Stack keras.layers.Input(shape=(n_inputs,)), Dense(n_hidden, activation='elu') and "
    "Dense(1, activation='sigmoid') in a keras.Sequential."
)


def model_view(inputs, weights=None):
    return {"result": "model", "inputs": inputs, "weights": weights}


def expect_shapes(info, shapes):
    """``info`` (the sandbox's description of the result) must be a Keras model with these weight shapes."""
    if not isinstance(info, dict) or info.get("is_keras_model") is not True:
        kind = info.get("type") if isinstance(info, dict) else None
        raise Mismatch(f"expected a tf.keras.Model, got {str(kind)[:60] or 'something else'}")
    if info.get("weight_shapes") != shapes:
        raise Mismatch(f"expected weights of shapes {shapes}, got {info.get('weight_shapes')}")


@graded(FUNCTION, HINT)
def test_default_sizes(student):
    """build_policy_model() takes the 4 observation values and has 5 hidden units and 1 output."""
    with calling("build_policy_model()", public=True):
        reply = student.call(FUNCTION, view=model_view(np.zeros((1, 4), np.float32)))
        expect_shapes(reply.value, [[4, 5], [5], [5, 1], [1]])


@graded(FUNCTION, HINT)
def test_custom_sizes(student):
    """build_policy_model(n_inputs=6, n_hidden=8) has 6 inputs and 8 hidden units."""
    with calling("build_policy_model(n_inputs=6, n_hidden=8)", public=True):
        reply = student.call(FUNCTION, n_inputs=6, n_hidden=8, view=model_view(np.zeros((1, 6), np.float32)))
        expect_shapes(reply.value, [[6, 8], [8], [8, 1], [1]])


@graded(FUNCTION, HINT)
def test_outputs_p_left(student, reference, rng, settings):
    """With given weights, outputs sigmoid(elu(obs W1 + b1) W2 + b2) on hidden observations."""
    weights = [rng.normal(0, 1, shape).astype(np.float32) for shape in ((4, 5), (5,), (5, 1), (1,))]
    inputs = rng.normal(0, 1, (16, 4)).astype(np.float32)
    view = model_view(inputs, weights)
    with calling("build_policy_model(), its weights set by the grader, on 16 hidden observations", public=False):
        info = student.call(FUNCTION, view=view).value
        expect_shapes(info, [[4, 5], [5], [5, 1], [1]])
        want = reference.call(FUNCTION, view=view).value["outputs"]
        expect_array(info.get("outputs"), want, rtol=settings.rtol, atol=1e-6, what="the model's output")
