"""gymnasium_adapter.py, the released support file: a gymnasium vector environment as a batched TF-Agents
environment, on scripted games and on ale-py's Breakout."""

import importlib.util

import numpy as np
import pytest
from gymnasium.spaces import Box, Discrete
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from autograder import config
from autograder.assignments import atari

A4 = config.assignment("a4_breakout_dqn")
SPEC = importlib.util.spec_from_file_location("gymnasium_adapter", config.path("source", A4.id, "gymnasium_adapter.py"))
adapter = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(adapter)
FIRST, MID, LAST = 0, 1, 2


class ScriptedGames(VectorEnv):
    """Two games whose episodes end as scripted; each observation holds the step number, stacked first."""

    def __init__(self, terminated, truncated, autoreset_mode=AutoresetMode.NEXT_STEP, action_space=None):
        self.num_envs = 2
        self.single_observation_space = Box(0, 255, (3, 2, 2), np.uint8)
        self.single_action_space = action_space or Discrete(4)
        self.observation_space = batch_space(self.single_observation_space, 2)
        self.action_space = batch_space(self.single_action_space, 2)
        self.metadata = {"autoreset_mode": autoreset_mode}
        self.terminated, self.truncated = np.array(terminated), np.array(truncated)
        self.seeds, self.actions, self.steps = [], [], 0

    def observations(self):
        return np.stack(
            [
                np.arange(3, dtype=np.uint8)[:, None, None] + np.full((3, 2, 2), 10 * self.steps + game, dtype=np.uint8)
                for game in (0, 1)
            ]
        )

    def reset(self, *, seed=None, options=None):
        self.seeds.append(seed)
        return self.observations(), {}

    def step(self, actions):
        self.actions.append(actions)
        ends = self.terminated[self.steps], self.truncated[self.steps]
        self.steps += 1
        return self.observations(), np.array([1.0, 2.0]), *ends, {}


def scripted(**options):
    """Time steps of the scripted games: game 0 terminates at step 2, game 1 is truncated at step 3."""
    terminated = [[False, False], [True, False], [False, False], [False, False]]
    truncated = [[False, False], [False, False], [False, True], [False, False]]
    games = ScriptedGames(terminated, truncated, **options)
    env = adapter.GymnasiumVectorEnvironment(games, seed=5, frames_last=True)
    return games, env, [env.reset()] + [env.step(np.array([1, 2])) for _ in range(4)]


def test_specs_put_the_frames_last():
    _, env, _ = scripted()
    assert env.batched and env.batch_size == 2
    assert env.observation_spec().shape == (2, 2, 3) and env.observation_spec().dtype == np.uint8
    assert (env.observation_spec().minimum, env.observation_spec().maximum) == (0, 255)
    assert env.action_spec().dtype == np.int64 and (env.action_spec().minimum, env.action_spec().maximum) == (0, 3)


def test_an_episode_ends_with_last_and_the_next_step_is_first():
    _, _, steps = scripted()
    assert [list(step.step_type) for step in steps] == [
        [FIRST, FIRST],
        [MID, MID],
        [LAST, MID],
        [FIRST, LAST],
        [MID, FIRST],
    ]
    assert [list(step.discount) for step in steps] == [[1, 1], [1, 1], [0, 1], [1, 1], [1, 1]]
    assert [list(step.reward) for step in steps] == [[0, 0], [1, 2], [1, 2], [0, 2], [1, 0]]


def test_observations_are_the_games_with_frames_last():
    games, _, steps = scripted()
    assert steps[2].observation.shape == (2, 2, 2, 3)
    np.testing.assert_array_equal(steps[2].observation, np.moveaxis(games.observations(), 1, -1) - 20)
    assert steps[2].observation.dtype == np.uint8


def test_only_the_first_reset_is_seeded_and_actions_pass_as_int64():
    games, env, _ = scripted()
    env.reset()
    assert games.seeds == [5, None]
    assert all(actions.dtype == np.int64 and list(actions) == [1, 2] for actions in games.actions)


@pytest.mark.parametrize(
    "options, message",
    [({"autoreset_mode": AutoresetMode.SAME_STEP}, "NEXT_STEP"), ({"action_space": Box(-1, 1, (2,))}, "Discrete")],
)
def test_refuses_games_it_cannot_wrap(options, message):
    with pytest.raises(ValueError, match=message):
        scripted(**options)


def test_breakout_loses_a_life_as_an_episode_of_a_game_that_goes_on_when_training():
    settings = A4.grading
    games = atari.gym.make_vec(
        settings.env_id,
        num_envs=1,
        vectorization_mode="vector_entry_point",
        **atari.game_options(settings, training=True),
    )
    env = adapter.GymnasiumVectorEnvironment(games, seed=1, frames_last=True)
    first = env.reset()
    assert first.observation.shape == (1, *settings.observation_shape)
    types = [int(env.step(np.zeros(1, np.int64)).step_type[0]) for _ in range(settings.env_check_steps)]
    lost = types.index(LAST)
    assert 0 < lost < settings.env_check_steps - 1 and types[lost + 1] == FIRST
    assert LAST not in types[lost + 1 :], "the next ball was launched without FIRE: a new game began"
    env.close()
