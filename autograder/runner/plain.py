"""Stand-ins for the non-plain values a student's code hands back."""

import collections
import sys

import numpy as np

import wire
from wire import KIT_KEY


def tensor_as_array(value):
    """A TensorFlow tensor or variable as an array (a deque as a list); WireError for any other object."""
    if isinstance(value, collections.deque):
        return list(value)
    tf = sys.modules.get("tensorflow")
    if tf is not None and (tf.is_tensor(value) or isinstance(value, tf.Variable)):
        try:
            return np.asarray(value.numpy())
        except Exception:  # noqa: BLE001  (whatever a symbolic tensor raises, it cannot cross)
            raise wire.WireError("a symbolic TensorFlow tensor") from None
    raise wire.WireError(f"an object of type {type(value).__name__}")


def described(value):
    """What the grader receives for an argument a student passes to a grader-served helper: models as their
    weights (the grader's own by their handle, and their weights where it asks), replay buffers as their length
    and newest item, the grader's environments by id, other objects by type. The grader compares each with what
    it holds itself."""
    from runner.kit_objects import RemoteEnv

    if isinstance(value, RemoteEnv):
        return {KIT_KEY: "env", "id": value.env_id}
    if isinstance(value, collections.deque):  # a replay buffer: the grader mirrors its content
        return {
            KIT_KEY: "deque",
            "length": len(value),
            "maxlen": value.maxlen,
            "newest": list(value[-1]) if value else None,
        }
    tf = sys.modules.get("tensorflow")
    if tf is not None and isinstance(value, tf.keras.Model):
        if getattr(value, "kit_handle", None) is not None:  # a model the grader gave: named, weighed as it asks
            sent = {"all": value.weights, "output layer": value.weights[-2:], "none": []}[value.kit_sends]
            return {KIT_KEY: "model", "handle": value.kit_handle, "weights": [weight.numpy() for weight in sent]}
        return {KIT_KEY: "model", "weights": value.get_weights()}
    try:
        return tensor_as_array(value)
    except wire.WireError:
        return {KIT_KEY: "object", "type": type(value).__name__}
