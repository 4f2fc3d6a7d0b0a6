"""Assignment 4's objects that the grader asks for by description: Breakout games, TF-Agents specs, the
lesson's Q-network with given weights, a DQN agent and a replay buffer.

The games run here, in the sandbox: the pipeline checks compare values, and the
milestone's games are played by the grader itself. TensorFlow, TF-Agents and the
assignment's ``gymnasium_adapter`` (a released support file) are imported only
when an object is built.
"""

import importlib


def _tf():
    return importlib.import_module("tensorflow")


def breakout_env(spec, channel):
    """``{"env_id", "num_envs", "seed", "options"}``: the games as a TFPyEnvironment, frames last."""
    import ale_py
    import gymnasium as gym
    from gymnasium_adapter import GymnasiumVectorEnvironment
    from tf_agents.environments.tf_py_environment import TFPyEnvironment

    gym.register_envs(ale_py)
    games = gym.make_vec(spec["env_id"], num_envs=spec["num_envs"], vectorization_mode="vector_entry_point",
                         num_threads=1, **spec["options"])  # one emulator thread: the sandbox counts them
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
    network = QNetwork(tensor_spec(spec["observation"]), tensor_spec(spec["action"]),
                       preprocessing_layers=tf.keras.layers.Lambda(lambda obs: tf.cast(obs, tf.float32) / 255.0),
                       conv_layer_params=[(filters, (size, size), stride)
                                          for filters, size, stride in spec["conv_layers"]],
                       fc_layer_params=list(spec["fc_layers"]))
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
    agent = DqnAgent(_time_step_spec(network), tensor_spec(network["action"]), q_network=q_network(network),
                     optimizer=tf.keras.optimizers.SGD(learning_rate=spec["learning_rate"]),
                     epsilon_greedy=spec["epsilon"], gamma=spec["gamma"],
                     target_update_period=spec["target_update_period"],
                     td_errors_loss_fn=tf.keras.losses.Huber(reduction="none"),
                     train_step_counter=tf.Variable(0))
    agent.initialize()
    return agent


def replay_buffer(spec, channel):
    """``{"observation", "action", "batch_size", "max_length", "warmup"}``: a TFUniformReplayBuffer of the
    trajectories a DQN agent collects; with ``warmup`` ``{"env", "batch_steps"}``, filled by a random
    policy playing those games for that many steps each (so every row holds that many items)."""
    from tf_agents.policies.random_tf_policy import RandomTFPolicy
    from tf_agents.replay_buffers.tf_uniform_replay_buffer import TFUniformReplayBuffer
    from tf_agents.trajectories import trajectory

    policy = RandomTFPolicy(_time_step_spec(spec), tensor_spec(spec["action"]))
    buffer = TFUniformReplayBuffer(policy.trajectory_spec, batch_size=spec["batch_size"],
                                   max_length=spec["max_length"])
    if spec.get("warmup"):
        env = breakout_env(spec["warmup"]["env"], channel)
        time_step = env.reset()
        for _ in range(spec["warmup"]["batch_steps"]):
            action_step = policy.action(time_step)
            next_time_step = env.step(action_step.action)
            buffer.add_batch(trajectory.from_transition(time_step, action_step, next_time_step))
            time_step = next_time_step
        env.close()
    return buffer


BUILDERS = {
    "breakout_env": breakout_env,
    "tensor_spec": tensor_spec,
    "q_network": q_network,
    "dqn_agent": dqn_agent,
    "replay_buffer": replay_buffer,
}

