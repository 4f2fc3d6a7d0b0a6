"""Stand-ins for the non-plain values a student's code hands back."""

import sys

import numpy as np

import wire

KIT_KEY = "__kit__"


def tensor_as_array(value):
    """A TensorFlow tensor or variable as an array; WireError for any other object."""
    tf = sys.modules.get("tensorflow")
    if tf is not None and (tf.is_tensor(value) or isinstance(value, tf.Variable)):
        try:
            return np.asarray(value.numpy())
        except Exception:
            raise wire.WireError("a symbolic TensorFlow tensor") from None
    raise wire.WireError(f"an object of type {type(value).__name__}")


def described(value):
    """What the grader receives for an argument a student passes to a grader-served helper:
    models as their weights, the grader's environments by id, other objects by type."""
    from runner.kit_objects import RemoteEnv

    if isinstance(value, RemoteEnv):
        return {KIT_KEY: "env", "id": value.env_id}
    tf = sys.modules.get("tensorflow")
    if tf is not None and isinstance(value, tf.keras.Model):
        return {KIT_KEY: "model", "weights": [np.asarray(weight) for weight in value.get_weights()]}
    try:
        return tensor_as_array(value)
    except wire.WireError:
        return {KIT_KEY: "object", "type": type(value).__name__}
