"""What a call sends back: the result as a plain value, or a view of it (a model's shapes
and outputs, the arguments after the call, the weights of a model argument)."""

import sys

import numpy as np

from runner.plain import Unsupported, to_plain


def apply_view(view, result, args):
    """Build the reply fields for one call, as the grader's view asks."""
    reply = {}
    kind = view.get("result", "plain")
    if kind == "plain":
        reply["value"] = to_plain(result)
    elif kind == "model":
        reply["value"] = describe_model(result, view.get("inputs"), view.get("weights"))
    for index in view.get("args_after", []):
        reply.setdefault("args_after", {})[str(index)] = to_plain(args[index])
    for index in view.get("model_weights", []):
        reply.setdefault("weights", {})[str(index)] = model_weights(args[index])
    return reply


def model_weights(model):
    """The weights of a Keras model as arrays."""
    try:
        return [np.asarray(weight) for weight in model.get_weights()]
    except Exception as error:
        raise Unsupported(f"the model's weights could not be read ({type(error).__name__})") from None


def describe_model(model, inputs, weights):
    """Shapes of a Keras model's weights and, with the grader's weights set, its outputs."""
    tf = sys.modules.get("tensorflow")
    if tf is None or not isinstance(model, tf.keras.Model):
        return {"is_keras_model": False, "type": type(model).__name__}
    if not model.weights and inputs is not None:
        model(np.zeros((1,) + tuple(inputs.shape[1:]), dtype=np.float32))
    shapes = [list(np.shape(weight)) for weight in model.get_weights()]
    described = {"is_keras_model": True, "weight_shapes": shapes}
    if weights is not None and shapes == [list(weight.shape) for weight in weights]:
        model.set_weights(weights)
        described["outputs"] = to_plain(model(inputs, training=False))
    return described
