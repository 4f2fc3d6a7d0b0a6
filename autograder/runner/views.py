"""What a call sends back: the result as a plain value, or a view of it (a model's shapes
and outputs, the arguments after the call, the weights of a model argument)."""

import sys

import numpy as np


def apply_view(view, result, args):
    """Build the reply fields for one call, as the grader's view asks (sending makes them plain)."""
    reply = {}
    kind = view.get("result", "plain")
    if kind == "plain":
        reply["value"] = result
    elif kind == "model":
        reply["value"] = describe_model(result, view.get("inputs"), view.get("weights"))
    for index in view.get("args_after", []):
        reply.setdefault("args_after", {})[str(index)] = args[index]
    for index in view.get("model_weights", []):
        reply.setdefault("weights", {})[str(index)] = [np.asarray(weight) for weight in args[index].get_weights()]
    return reply


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
        described["outputs"] = model(inputs, training=False)
    return described
