"""Assignment 4's objects that the grader asks for by description: Breakout games, TF-Agents specs, the
lesson's Q-network with given weights, a DQN agent and a replay buffer.

Games come two ways: run here, in the sandbox (``breakout_env``: checks that compare
values with the reference's), or served by the grader (``served_games``: every reset
and step runs in the grader, which keeps what it served as the evidence of what was
collected). A replay buffer may be sampled by the grader too, so that it knows every
batch a training loop learned from. TensorFlow, TF-Agents and the assignment's
``gymnasium_adapter`` (a released support file) are imported only when an object is
built.
"""

import importlib

import numpy as np


def _tf():
    return importlib.import_module("tensorflow")


def breakout_env(spec, channel):
    """``{"env_id", "num_envs", "seed", "options"}``: the games as a TFPyEnvironment, frames last."""
    import ale_py
    import gymnasium as gym
    from gymnasium_adapter import GymnasiumVectorEnvironment
    from tf_agents.environments.tf_py_environment import TFPyEnvironment

    gym.register_envs(ale_py)
    games = gym.make_vec(
        spec["env_id"],
        num_envs=spec["num_envs"],
        vectorization_mode="vector_entry_point",
        num_threads=1,
        **spec["options"],
    )  # one emulator thread: the sandbox counts them
    return TFPyEnvironment(GymnasiumVectorEnvironment(games, seed=spec["seed"], frames_last=True))


def tensor_spec(spec, channel=None):
    """``{"shape", "dtype", "minimum", "maximum", "name"}``: a BoundedTensorSpec."""
    from tf_agents.specs.tensor_spec import BoundedTensorSpec

    return BoundedTensorSpec(tuple(spec["shape"]), spec["dtype"], spec["minimum"], spec["maximum"], name=spec["name"])


def q_network(spec, channel=None):
    """``{"observation", "action", "conv_layers", "fc_layers", "weights"}``: the lesson's QNetwork (inputs
    cast to float32 and divided by 255), its weights set."""
    from tf_agents.networks.q_network import QNetwork

    tf = _tf()
    network = QNetwork(
        tensor_spec(spec["observation"]),
        tensor_spec(spec["action"]),
        preprocessing_layers=tf.keras.layers.Lambda(lambda obs: tf.cast(obs, tf.float32) / 255.0),
        conv_layer_params=[(filters, (size, size), stride) for filters, size, stride in spec["conv_layers"]],
        fc_layer_params=list(spec["fc_layers"]),
    )
    network.create_variables()
    network.set_weights(spec["weights"])
    return network


def _time_step_spec(spec):
    from tf_agents.trajectories import time_step

    return time_step.time_step_spec(tensor_spec(spec["observation"]))


def dqn_agent(spec, channel=None):
    """``{"q_network", "learning_rate", "epsilon", "gamma", "target_update_period"}``: an initialised
    DqnAgent learning that network with plain SGD and a constant epsilon."""
    from tf_agents.agents.dqn.dqn_agent import DqnAgent

    tf = _tf()
    network = spec["q_network"]
    agent = DqnAgent(
        _time_step_spec(network),
        tensor_spec(network["action"]),
        q_network=q_network(network),
        optimizer=tf.keras.optimizers.SGD(learning_rate=spec["learning_rate"]),
        epsilon_greedy=spec["epsilon"],
        gamma=spec["gamma"],
        target_update_period=spec["target_update_period"],
        td_errors_loss_fn=tf.keras.losses.Huber(reduction="none"),
        train_step_counter=tf.Variable(0),
    )
    agent.initialize()
    return agent


def served_games(spec, channel):
    """``{"id", "num_envs", "seed", "observation_space", "n_actions"}``: the grader's games as a TFPyEnvironment,
    frames last."""
    from gymnasium_adapter import GymnasiumVectorEnvironment
    from tf_agents.environments.tf_py_environment import TFPyEnvironment

    return TFPyEnvironment(
        GymnasiumVectorEnvironment(RemoteVectorEnv(channel, spec), seed=spec["seed"], frames_last=True)
    )


class RemoteVectorEnv:
    """A gymnasium vector environment whose every reset and step runs in the grader."""

    def __init__(self, channel, spec):
        from gymnasium import spaces
        from gymnasium.vector import AutoresetMode

        self._channel, self.env_id, self.num_envs = channel, spec["id"], spec["num_envs"]
        space = spec["observation_space"]
        self.single_observation_space = spaces.Box(space["low"], space["high"], tuple(space["shape"]), np.uint8)
        self.single_action_space = spaces.Discrete(spec["n_actions"])
        self.metadata = {"autoreset_mode": AutoresetMode.NEXT_STEP}

    def reset(self, *, seed=None, options=None):
        observations, info = self._ask("reset", {"seed": seed})
        return observations, info

    def step(self, actions):
        return tuple(self._ask("step", {"actions": np.asarray(actions, dtype=np.int64)}))

    def close(self):
        """Nothing to release: the games live in the grader."""

    def _ask(self, method, args):
        return self._channel.env_call(self.env_id, method, args)


def replay_buffer(spec, channel):
    """``{"observation", "action", "batch_size", "max_length", "contents", "sampler"}``: a TFUniformReplayBuffer of
    the trajectories a DQN agent collects; with ``contents`` (``{field: array}``, one row per game), filled with
    those trajectories; with ``sampler``, the name of a grader function, every batch it gives (``as_dataset``,
    ``get_next``) is one the grader samples."""
    from tf_agents.policies.random_tf_policy import RandomTFPolicy
    from tf_agents.replay_buffers.tf_uniform_replay_buffer import TFUniformReplayBuffer

    from runner.tf_agents_views import trajectories

    data_spec = RandomTFPolicy(_time_step_spec(spec), tensor_spec(spec["action"])).trajectory_spec
    kind = _grader_sampled(TFUniformReplayBuffer) if spec.get("sampler") else TFUniformReplayBuffer
    buffer = kind(data_spec, batch_size=spec["batch_size"], max_length=spec["max_length"])
    if spec.get("sampler"):
        buffer.sample = _grader_function(channel, spec["sampler"])
    contents = spec.get("contents")
    if contents:
        for item in range(np.shape(contents["step_type"])[1]):
            buffer.add_batch(trajectories({field: values[:, item] for field, values in contents.items()}, data_spec))
    return buffer


def _grader_function(channel, name):
    from runner.kit_objects import grader_function

    return grader_function(channel, name)


def _grader_sampled(base):
    """A subclass of the replay buffer class ``base`` whose samples the grader draws (``self.sample``, a grader
    function of (sample_batch_size, num_steps) giving ``{field: array}``), in the order they are asked for: a
    sampling op, so that a compiled function asks anew each time it runs."""
    from tf_agents.replay_buffers.tf_uniform_replay_buffer import BufferInfo

    tf = _tf()

    class GraderSampledReplayBuffer(base):
        def _get_next(self, sample_batch_size=None, num_steps=None, time_stacked=True):
            specs = {field: spec for field, spec in self.data_spec._asdict().items() if spec != ()}
            size = () if sample_batch_size is None else (sample_batch_size,)
            outer = size + (() if num_steps is None else (num_steps,))

            def fetch():
                batch = self.sample(sample_batch_size, num_steps)
                return [np.asarray(batch[field], dtype=spec.dtype.as_numpy_dtype) for field, spec in specs.items()]

            tensors = tf.numpy_function(fetch, [], [spec.dtype for spec in specs.values()], stateful=True)
            for tensor, spec in zip(tensors, specs.values()):
                tensor.set_shape(outer + tuple(spec.shape))
            fields = {field: () for field in self.data_spec._fields} | dict(zip(specs, tensors))
            info = BufferInfo(ids=tf.zeros(size, tf.int64), probabilities=tf.zeros(size, tf.float32))
            return type(self.data_spec)(**fields), info

        def _as_dataset(
            self, sample_batch_size=None, num_steps=None, sequence_preprocess_fn=None, num_parallel_calls=None
        ):
            return tf.data.Dataset.from_tensors(0).repeat().map(lambda _: self._get_next(sample_batch_size, num_steps))

    return GraderSampledReplayBuffer


BUILDERS = {
    "breakout_env": breakout_env,
    "served_games": served_games,
    "tensor_spec": tensor_spec,
    "q_network": q_network,
    "dqn_agent": dqn_agent,
    "replay_buffer": replay_buffer,
}
