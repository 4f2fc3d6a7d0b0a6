"""A gymnasium vector environment as a batched tf-agents ``PyEnvironment``.

tf-agents 0.19 wraps only the old ``gym`` package (``suite_gym``, ``suite_atari``).
``GymnasiumVectorEnvironment`` wraps any ``gymnasium.vector.VectorEnv`` that resets
its sub-environments on the step after an episode ends (gymnasium's default
``AutoresetMode.NEXT_STEP``), such as ale_py's ``AtariVectorEnv``:

* a step that ends an episode is ``LAST``, with discount 0 if the episode
  terminated and 1 if it was truncated (cut short by a time limit);
* the step after it is ``FIRST``, with reward 0 and discount 1: the action passed
  for it is ignored in the trajectories tf-agents makes (they mark it a boundary);
* every other step is ``MID``.

An environment that signals a life loss as a termination without resetting
(``AtariVectorEnv(life_loss_info=True)``) thus gives one tf-agents episode per life.
"""

import numpy as np
from gymnasium.vector import AutoresetMode
from tf_agents.environments import py_environment
from tf_agents.specs import array_spec
from tf_agents.trajectories import time_step as ts


class GymnasiumVectorEnvironment(py_environment.PyEnvironment):
    """A batched tf-agents environment of ``vector_env``'s sub-environments.

    vector_env: a gymnasium vector environment with a ``Discrete`` action space per
        sub-environment and the ``NEXT_STEP`` autoreset mode.
    seed: the seed of the first reset (sub-environment i gets seed + i); later resets are
        not reseeded.
    frames_last: move the axis that follows the batch axis to the end of each
        observation: ``AtariVectorEnv`` stacks its frames first, (stack, height, width),
        while Keras convolutions expect channels last, (height, width, stack).
    """

    def __init__(self, vector_env, seed=None, frames_last=False):
        super().__init__(handle_auto_reset=False)
        mode = vector_env.metadata.get("autoreset_mode", AutoresetMode.NEXT_STEP)
        if mode != AutoresetMode.NEXT_STEP:
            raise ValueError(
                f"the vector environment must reset on the next step (AutoresetMode.NEXT_STEP), not {mode}"
            )
        space = vector_env.single_action_space
        if not hasattr(space, "n"):
            raise ValueError(f"expected a Discrete action space per sub-environment, got {space}")
        self._env, self._seed, self._frames_last = vector_env, seed, frames_last
        self._num_envs = vector_env.num_envs
        observation = vector_env.single_observation_space
        shape = observation.shape[1:] + observation.shape[:1] if frames_last else observation.shape
        self._observation_spec = array_spec.BoundedArraySpec(
            shape, observation.dtype, minimum=observation.low.min(), maximum=observation.high.max(), name="observation"
        )
        self._action_spec = array_spec.BoundedArraySpec(
            (), np.int64, minimum=int(space.start), maximum=int(space.start + space.n - 1), name="action"
        )
        self._ended = np.zeros(self._num_envs, dtype=bool)

    @property
    def batched(self):
        return True

    @property
    def batch_size(self):
        return self._num_envs

    @property
    def vector_env(self):
        """The wrapped gymnasium vector environment."""
        return self._env

    def observation_spec(self):
        return self._observation_spec

    def action_spec(self):
        return self._action_spec

    def _observations(self, observations):
        observations = np.asarray(observations)
        return np.moveaxis(observations, 1, -1) if self._frames_last else observations

    def _reset(self):
        observations, _ = self._env.reset(seed=self._seed)
        self._seed = None
        self._ended[:] = False
        return ts.restart(self._observations(observations), batch_size=self._num_envs)

    def _step(self, action):
        observations, rewards, terminated, truncated, _ = self._env.step(np.asarray(action, dtype=np.int64))
        restarted = self._ended
        ended = np.asarray(terminated | truncated)
        step_type = np.where(restarted, ts.StepType.FIRST, np.where(ended, ts.StepType.LAST, ts.StepType.MID)).astype(
            np.int32
        )
        reward = np.where(restarted, 0.0, rewards).astype(np.float32)
        discount = np.where(terminated & ~restarted, 0.0, 1.0).astype(np.float32)
        self._ended = ended & ~restarted
        return ts.TimeStep(step_type, reward, discount, self._observations(observations))

    def close(self):
        self._env.close()
