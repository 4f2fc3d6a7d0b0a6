"""Student results to plain values: Python scalars, strings, lists, dicts, NumPy arrays."""

import sys

import numpy as np

from wire import MAX_DEPTH


class Unsupported(Exception):
    """A result that has no plain-value form."""


def to_plain(value, depth=0):
    """Convert a result to plain data; TensorFlow tensors become arrays, tuples become lists."""
    if depth > MAX_DEPTH:
        raise Unsupported(f"a value nested deeper than {MAX_DEPTH} levels")
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    if kind in (list, tuple):
        return [to_plain(item, depth + 1) for item in value]
    if kind is dict:
        if not all(type(key) is str for key in value):
            raise Unsupported("a dictionary with non-string keys")
        return {key: to_plain(item, depth + 1) for key, item in value.items()}
    if isinstance(value, (np.ndarray, np.generic)):
        return _checked_array(np.asarray(value))
    tensor = _tensor_to_array(value)
    if tensor is not None:
        return tensor
    raise Unsupported(f"an object of type {kind.__name__}")


def _checked_array(array):
    if array.dtype.kind not in "biuf" or array.dtype.fields is not None:
        raise Unsupported(f"an array of dtype {array.dtype}")
    return array


def _tensor_to_array(value):
    tf = sys.modules.get("tensorflow")
    if tf is None or not (tf.is_tensor(value) or isinstance(value, tf.Variable)):
        return None
    try:
        return _checked_array(np.asarray(value.numpy()))
    except Unsupported:
        raise
    except Exception:
        raise Unsupported("a symbolic TensorFlow tensor") from None
