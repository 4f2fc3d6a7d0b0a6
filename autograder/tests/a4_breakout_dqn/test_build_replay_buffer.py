"""Hidden tests of ``build_replay_buffer(agent, tf_env, max_length) -> (replay_buffer, observer)``.

The agent and the games (3 of them) are the grader's; the view feeds hidden batches of
trajectories to the returned observer and reads the buffer back.
"""

import numpy as np
import pytest

from autograder.assignments import atari
from autograder.assignments import tf_agents_kit as kit
from autograder.grading import CallFailed, calling, expect_array, expect_true, graded, inputs

FUNCTION = "build_replay_buffer"
HINT = (
    "TFUniformReplayBuffer(data_spec=agent.collect_data_spec, batch_size=tf_env.batch_size, "
    "max_length=max_length), returned with its add_batch method as the observer."
)
GAMES, BATCHES = 3, 3


@pytest.fixture(scope="module")
def built(student, settings, module_rng):
    """The fed batches and the view of the student's buffer, or the call's failure."""
    agent = kit.dqn_agent(settings, kit.random_weights(module_rng, atari.weight_shapes(settings)), 0.001, 0.1)
    fed = kit.random_trajectories(module_rng, settings, GAMES, BATCHES)
    feed = [{field: values[:, step] for field, values in fed.items()} for step in range(BATCHES)]
    try:
        with inputs(public=True):
            return fed, student.call(
                FUNCTION,
                agent,
                kit.breakout_env(settings, GAMES, seed=1),
                settings.buffer_max_length,
                view=kit.view("replay_buffer", feed=feed),
            ).value
    except CallFailed as failure:
        return fed, failure


def buffer_of(built):
    fed, described = built
    if isinstance(described, CallFailed):
        raise described
    described = kit.expect_description(
        described,
        "(a TFUniformReplayBuffer, its observer)",
        "is_buffer_and_observer",
        ("batch_size", "capacity", "contents"),
    )
    return fed, described


@graded(FUNCTION, HINT)
def test_one_row_of_max_length_per_game(built, settings):
    """Keeps max_length trajectories for each game of the environment."""
    call = f"build_replay_buffer(agent, tf_env, max_length={settings.buffer_max_length}) for {GAMES} games"
    with calling(call, public=True):
        _, described = buffer_of(built)
        expect_true(
            kit.same(described["batch_size"], GAMES),
            f"expected batch_size {GAMES} (one row per game of tf_env), got {described['batch_size']}",
        )
        capacity = GAMES * settings.buffer_max_length
        expect_true(
            kit.same(described["capacity"], capacity),
            f"expected a capacity of {capacity} trajectories ({GAMES} rows of max_length), got {described['capacity']}",
        )


@graded(FUNCTION, HINT)
def test_the_observer_stores_the_agents_trajectories(built, settings):
    """The observer writes each batch of trajectories it gets into the buffer, one item per game."""
    call = (
        f"build_replay_buffer(agent, tf_env, max_length={settings.buffer_max_length}), then {BATCHES} "
        "batches of trajectories given to its observer"
    )
    with calling(call, public=True):
        fed, described = buffer_of(built)
        contents = kit.expect_contents(described["contents"], list(fed), GAMES)
        for field, values in fed.items():
            expect_array(contents[field], np.asarray(values), rtol=0, atol=0, what=f"the stored {field}s")
