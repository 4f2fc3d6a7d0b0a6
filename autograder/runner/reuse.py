"""Models and optimizers handed out again from call to call, so that a student's compiled function traces once.

A ``tf.function`` traces again for every new model or optimizer it is passed, a fifth of a second each time,
and the grader's checks pass new weights at nearly every call. So a model described with a layout already
built is that model again, with the described weights set and every layer trainable; an optimizer is the one
built before for the same class, learning rate and layouts of the call's models (hence the same models), its
state that of a new one (step 0, zero slots). An optimizer that a call applied to variables other than its
models' is not handed out again, nor one the call's code could not reset. Two arguments of one call never
share an object, and nothing here draws from a random generator: what a call's code draws does not depend
on the calls before it.
"""

import hashlib

import numpy as np

import wire

RESETTABLE_OPTIMIZERS = ("SGD", "Adam")
"""Optimizers whose every variable (the step count, the slots) starts at zero, so that zeroing them makes a
new one."""

_models = {}  # layout key -> the models built with that layout, handed out in this order
_optimizers = {}  # (class, learning rate, layout keys of the call's models) -> optimizer
_call = {"layouts": (), "models": [], "optimizers": []}  # the current call's model layouts and what it got


def layout(spec):
    """What a model's build depends on: its description without the weights' values, with their shapes."""
    shapes = [list(np.shape(weight)) for weight in spec["weights"]]
    described = {key: value for key, value in spec.items() if key not in ("weights", "handle", "sends_weights")}
    return hashlib.sha256(wire.encode({**described, "shapes": shapes})).hexdigest()


def new_call(arguments):
    """Start a call whose arguments (as the grader described them) may describe models with ``"weights"``."""
    _call.update(layouts=tuple(_layouts(arguments)), models=[], optimizers=[])


def model(spec, build, prepare):
    """A model for ``spec``: one built before with its layout and not yet handed to this call, or a new one;
    ``prepare(model, spec)`` sets what the description says."""
    built = _models.setdefault(layout(spec), [])
    in_use = {id(handed) for handed in _call["models"]}
    index = next((index for index, kept in enumerate(built) if id(kept) not in in_use), len(built))
    if index == len(built):
        built.append(build(spec))
    try:
        built[index].trainable = True
        prepare(built[index], spec)
    except Exception:  # noqa: BLE001  (the code before changed its layers or methods: a new one takes its place)
        built[index] = build(spec)
        prepare(built[index], spec)
    _call["models"].append(built[index])
    return built[index]


def optimizer(spec, build):
    """An optimizer for ``spec``: the one kept with this call's models (all handed out already), reset, or a
    new one."""
    key = (spec["name"], float(spec["learning_rate"]), _call["layouts"])
    models = tuple(_call["models"])
    if (
        spec["name"] not in RESETTABLE_OPTIMIZERS
        or len(models) != len(_call["layouts"])
        or any(key == handed for handed, _, _ in _call["optimizers"])
    ):
        return build(spec)
    kept, kept_models = _optimizers.pop(key, (None, ()))
    same_models = len(kept_models) == len(models) and all(a is b for a, b in zip(kept_models, models))
    if kept is None or not same_models or not _reset(kept, spec["learning_rate"]):
        kept = build(spec)
    _call["optimizers"].append((key, kept, models))
    return kept


def end_call():
    """Keep the call's optimizers for the next call with the same models, unless the call's code applied one
    to other variables."""
    for key, kept, models in _call["optimizers"]:
        allowed = {kept._var_key(variable) for handed in models for variable in handed.variables}
        if set(getattr(kept, "_index_dict", {})) <= allowed:
            _optimizers[key] = (kept, models)
    _call.update(models=[], optimizers=[])


def _reset(optimizer, learning_rate):
    """Give ``optimizer`` a new one's state; whether it could."""
    try:
        for variable in optimizer.variables:
            variable.assign(np.zeros(variable.shape, variable.dtype.as_numpy_dtype))
        optimizer.learning_rate = learning_rate
    except Exception:  # noqa: BLE001  (the code before replaced something: a new one is built)
        return False
    return True


def _layouts(value):
    """Layout keys of the models described in ``value``, in the order ``materialise`` builds them."""
    if type(value) is list:
        return [key for item in value for key in _layouts(item)]
    if type(value) is dict:
        if value.get(wire.KIT_KEY) == "mlp":
            return [layout(value)]
        return [key for item in value.values() for key in _layouts(item)]
    return []
