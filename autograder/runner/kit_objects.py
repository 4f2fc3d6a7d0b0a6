"""Objects the grader asks for by description: environments it runs, models, losses, optimizers.

A call argument ``{"__kit__": KIND, ...}`` becomes a live object here. The
environments are proxies: every reset and step goes to the grader, which runs
the real environment and counts the reward.
"""

import collections
import importlib

import numpy as np

import wire
from runner import reuse
from runner.tf_agents_objects import BUILDERS as TF_AGENTS_BUILDERS
from wire import KIT_KEY


def materialise(value, channel):
    """Replace kit descriptions inside a decoded value by live objects."""
    if type(value) is list:
        return [materialise(item, channel) for item in value]
    if type(value) is dict:
        if KIT_KEY in value:
            return _BUILDERS[value[KIT_KEY]](value, channel)
        return {key: materialise(item, channel) for key, item in value.items()}
    return value


def grader_function(channel, name):
    """A function whose every call the grader answers (a helper it stands in for, or an argument).

    The grader's answer may carry effects on the call's arguments (by position, or by keyword), as the
    real helper would have had: ``{"__kit__": "effects", "value": ..., "append": {key: item},
    "set_weights": {key: weights}}``, the weights being the model's last ones (all, or its output layer's).
    """

    def proxy(*args, **kwargs):
        reply = channel.helper_call(name, args, kwargs)
        if type(reply) is dict and reply.get(KIT_KEY) == "effects":

            def target(key):
                return args[int(key)] if key.isdigit() else kwargs[key]

            for key, item in reply.get("append", {}).items():
                target(key).append(tuple(item))
            for key, weights in reply.get("set_weights", {}).items():  # the model's last len(weights) weights
                variables = target(key).weights
                for variable, value in zip(variables[len(variables) - len(weights) :], weights):
                    variable.assign(value)
            reply = reply["value"]
        return materialise(reply, channel)

    proxy.__name__ = proxy.__qualname__ = name
    return proxy


def _function(spec, channel):
    return grader_function(channel, spec["name"])


def _tensorflow():
    return importlib.import_module("tensorflow")


def _env(spec, channel):
    return RemoteEnv(channel, spec["id"], spec["observation_space"], spec["n_actions"])


def _mlp(spec, channel):
    return reuse.model(spec, _build_mlp, _prepare_mlp)


def _build_mlp(spec):
    """A dense network with the lesson's layout: ``activation`` in the hidden layers, ``output_activation`` in
    the last, sized by the kernels of ``weights`` (given in pairs with the biases). Its initial weights draw
    nothing from a generator the student's code uses; ``_prepare_mlp`` sets the described ones. With
    ``predict_decoy``, predict() and predict_on_batch() answer the negated outputs, so that a choice made from
    them shows in the value it returns."""
    tf = _tensorflow()
    kernels = spec["weights"][::2]
    layers = [tf.keras.layers.Input(shape=kernels[0].shape[:1])]
    for index, kernel in enumerate(kernels):
        last = index == len(kernels) - 1
        layers.append(
            tf.keras.layers.Dense(
                kernel.shape[1],
                activation=spec["output_activation"] if last else spec["activation"],
                kernel_initializer=tf.keras.initializers.GlorotUniform(seed=index),  # stateless: draws nothing
            )
        )
    model = tf.keras.Sequential(layers)
    if spec.get("predict_decoy"):
        step = model.predict_step  # what predict(), predict_on_batch() and Model.predict(model, ...) all run
        model.predict_step = lambda data: -step(data)
    return model


def _prepare_mlp(model, spec):
    """Set the described weights, and the ``handle`` that names the model to the grader when it is passed to
    a grader-served helper, with its weights as ``sends_weights`` says: "all", "output layer" (its last kernel
    and bias) or "none"."""
    model.set_weights(spec["weights"])
    model.kit_handle, model.kit_sends = spec.get("handle"), spec.get("sends_weights", "all")


def _experience_buffer(spec, channel):
    """A deque of (state, action, reward, next_state, done, truncated) tuples, one per row of the arrays."""
    states, actions, rewards, next_states, dones, truncateds = spec["experiences"]
    return collections.deque(
        (
            (states[i], int(actions[i]), float(rewards[i]), next_states[i], bool(dones[i]), bool(truncateds[i]))
            for i in range(len(actions))
        ),
        maxlen=spec["maxlen"],
    )


def _generator(spec, channel):
    return np.random.default_rng(spec["seed"])


def _loss(spec, channel):
    return getattr(_tensorflow().keras.losses, spec["name"])


def _optimizer(spec, channel):
    return reuse.optimizer(spec, _build_optimizer)


def _build_optimizer(spec):
    return getattr(_tensorflow().keras.optimizers, spec["name"])(learning_rate=spec["learning_rate"])


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
    "mlp": _mlp,
    "experience_buffer": _experience_buffer,
    "generator": _generator,
    "loss": _loss,
    "optimizer": _optimizer,
    "tensor": _tensor,
    "step_gradients": _step_gradients,
}
if set(_BUILDERS) & set(TF_AGENTS_BUILDERS):
    raise RuntimeError(f"kit object kinds defined twice: {sorted(set(_BUILDERS) & set(TF_AGENTS_BUILDERS))}")
_BUILDERS.update(TF_AGENTS_BUILDERS)


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
        return self._channel.env_call(self.env_id, method, args)
