"""Reading the arguments a student's code passes to a grader-served function, and building replies."""

import numpy as np

from autograder.grading.probes import KIT_KEY, ReferenceFailure, Refusal


def bind(function, names, args, kwargs):
    """The arguments of a served call, by parameter name; Refusal(TypeError) if they do not fit."""
    args, kwargs = (args if isinstance(args, list) else []), (kwargs if isinstance(kwargs, dict) else {})
    if len(args) > len(names) or set(kwargs) - set(names[len(args) :]) or len(args) + len(kwargs) != len(names):
        raise Refusal("TypeError", f"{function}() takes the arguments ({', '.join(names)})")
    return [*args, *(kwargs[name] for name in names[len(args) :])]


def weights_of(model, function):
    """A model argument's weights (the sandbox sends Keras models as their weights)."""
    if not (
        isinstance(model, dict)
        and model.get(KIT_KEY) == "model"
        and isinstance(model.get("weights"), list)
        and all(isinstance(weight, np.ndarray) for weight in model["weights"])
    ):
        raise Refusal("TypeError", f"{function}() expects the Keras model it was given as its model argument")
    return model["weights"]


def tensors(arrays):
    """Arrays that the sandbox turns into TensorFlow tensors, as the real helper would return."""
    return [{KIT_KEY: "tensor", "value": np.asarray(array, dtype=np.float32)} for array in arrays]


def _contains_kit_object(value):
    if isinstance(value, dict):
        return KIT_KEY in value or any(_contains_kit_object(item) for item in value.values())
    if isinstance(value, list):
        return any(_contains_kit_object(item) for item in value)
    return False


def served_by_reference(reference, function, names):
    """A stand-in that answers with the reference solution's value for the same arguments."""

    def serve(args, kwargs):
        bound = bind(function, names, args, kwargs)
        if _contains_kit_object(bound):
            raise Refusal("TypeError", f"{function}() was given something other than numbers and lists")
        try:
            return reference.call(function, *bound)
        except ReferenceFailure:
            raise Refusal("ValueError", f"{function}() cannot work on the arguments it was given") from None

    return serve


def position(names, args, name):
    """How an argument was passed, as the sandbox names it in effects: its index, or its keyword."""
    index = names.index(name)
    return str(index) if index < len(args) else name


def effects(value, **changes):
    """A served function's answer with effects on its arguments (see ``runner.kit_objects.grader_function``)."""
    return {KIT_KEY: "effects", "value": value, **changes}
