"""Objects the grader asks for by description: environments it runs, models, losses, optimizers.

A call argument ``{"__kit__": KIND, ...}`` becomes a live object here. The
environments are proxies: every reset and step goes to the grader, which runs
the real environment and counts the reward.
"""

import hashlib
import importlib

import numpy as np

import wire
from runner.plain import KIT_KEY

_models = {}


def materialise(value, channel):
    """Replace kit descriptions inside a decoded value by live objects."""
    if type(value) is list:
        return [materialise(item, channel) for item in value]
    if type(value) is dict:
        if KIT_KEY in value:
            return _BUILDERS[value[KIT_KEY]](value, channel)
        return {key: materialise(item, channel) for key, item in value.items()}
    return value


def _cached_model(spec, build):
    """Models with the same weights are built once, so compiled functions that take them trace once;
    a cached model whose weights have changed since is built again."""
    key = hashlib.sha256(wire.encode(spec)).hexdigest()
    model = _models.get(key)
    if model is None or not all(np.array_equal(now, given)
                                for now, given in zip(model.get_weights(), spec["weights"])):
        model = _models[key] = build(spec)
    return model


def grader_function(channel, name):
    """A function whose every call the grader answers (a helper it stands in for, or an argument)."""
    def proxy(*args, **kwargs):
        return materialise(channel.request({"kind": "helper", "name": name, "args": list(args),
                                            "kwargs": kwargs}), channel)

    proxy.__name__ = proxy.__qualname__ = name
    return proxy


def _function(spec, channel):
    return grader_function(channel, spec["name"])


def _tensorflow():
    return importlib.import_module("tensorflow")


def _env(spec, channel):
    return RemoteEnv(channel, spec["id"], spec["observation_space"], spec["n_actions"])


def _policy_model(spec, channel):
    return _cached_model(spec, _build_policy_model)


def _build_policy_model(spec):
    """The lesson's policy network (n_inputs -> n_hidden elu -> 1 sigmoid) with given weights."""
    tf = _tensorflow()
    weights = spec["weights"]
    n_inputs, n_hidden = weights[0].shape
    model = tf.keras.Sequential([
        tf.keras.layers.Input(shape=(n_inputs,)),
        tf.keras.layers.Dense(n_hidden, activation="elu"),
        tf.keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.set_weights(weights)
    return model


def _loss(spec, channel):
    return getattr(_tensorflow().keras.losses, spec["name"])


def _optimizer(spec, channel):
    optimizers = _tensorflow().keras.optimizers
    return getattr(optimizers, spec["name"])(learning_rate=spec["learning_rate"])


def _tensor(spec, channel):
    return _tensorflow().constant(spec["value"])


def _step_gradients(spec, channel):
    """Per-step gradient lists from one stacked array per variable, as a GradientTape gives them."""
    tf = _tensorflow()
    per_variable = [tf.unstack(tf.constant(stacked)) for stacked in spec["stacked"]]
    return [list(step) for step in zip(*per_variable)]


_BUILDERS = {
    "env": _env,
    "function": _function,
    "policy_model": _policy_model,
    "loss": _loss,
    "optimizer": _optimizer,
    "tensor": _tensor,
    "step_gradients": _step_gradients,
}


class RemoteEnv:
    """A gymnasium-style environment whose every reset and step runs in the grader."""

    metadata = {"render_modes": []}
    render_mode = None

    def __init__(self, channel, env_id, observation_space, n_actions):
        from gymnasium import spaces

        self._channel, self.env_id = channel, env_id
        self.observation_space = spaces.Box(
            low=np.asarray(observation_space["low"], dtype=np.float32),
            high=np.asarray(observation_space["high"], dtype=np.float32),
            dtype=np.float32,
        )
        self.action_space = spaces.Discrete(n_actions)

    def reset(self, *, seed=None, options=None):
        obs, info = self._ask("reset", {"seed": seed})
        return obs, info

    def step(self, action):
        try:
            obs, reward, terminated, truncated, info = self._ask("step", {"action": action})
        except wire.WireError as error:  # as gymnasium does for an action outside the space
            raise AssertionError(f"{action!r} ({type(action)}) invalid: {error}") from None
        return obs, reward, terminated, truncated, info

    def close(self):
        """Nothing to release: the real environment lives in the grader."""

    @property
    def unwrapped(self):
        return self

    def _ask(self, method, args):
        return self._channel.request({"kind": "env", "id": self.env_id, "method": method, "args": args})

