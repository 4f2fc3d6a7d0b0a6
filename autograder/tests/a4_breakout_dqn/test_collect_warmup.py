"""Hidden tests of ``collect_warmup(tf_env, replay_buffer, n_steps)``.

The games (2 of them) and the replay buffer are the grader's; the view reads the
buffer back after the call.
"""

import numpy as np
import pytest

from autograder import tf_agents_kit as kit
from autograder.checks import calling, expect_true, graded, statistical
from autograder.probes import CallFailed, inputs
from autograder.stats import binomial_acceptance

FUNCTION = "collect_warmup"
HINT = ("Run a DynamicStepDriver(tf_env, RandomTFPolicy(tf_env.time_step_spec(), tf_env.action_spec()), "
        "observers=[replay_buffer.add_batch], num_steps=n_steps).")
GAMES = 2


@pytest.fixture(scope="module")
def collected(student, settings):
    """The buffer's contents after the call, or the call's failure."""
    steps = settings.warmup_check_steps
    buffer = kit.replay_buffer(settings, GAMES, steps // GAMES + 64)
    try:
        with inputs(public=True):
            return student.call(FUNCTION, kit.breakout_env(settings, GAMES, seed=3), buffer, steps,
                                view=kit.view("collected", buffer=1, fields=["step_type", "action"]),
                                timeout=settings.train_timeout_s).value
    except CallFailed as failure:
        return failure


def contents(collected):
    if isinstance(collected, CallFailed):
        raise collected
    described = kit.expect_description(collected, "what collect_warmup left", keys=("contents",))
    return kit.expect_contents(described["contents"], ["step_type", "action"], GAMES)


def call(settings):
    return f"collect_warmup(tf_env, replay_buffer, n_steps={settings.warmup_check_steps}) with {GAMES} games"


@graded(FUNCTION, HINT)
def test_plays_n_steps(collected, settings):
    """Stores n_steps steps, counted over all games, not counting the boundaries between episodes."""
    with calling(call(settings), public=True):
        step_type = contents(collected)["step_type"]
        counted = int(np.sum(step_type != kit.LAST))
        expect_true(settings.warmup_check_steps <= counted < settings.warmup_check_steps + GAMES,
                    f"the replay buffer holds {counted} steps (boundaries excluded); expected "
                    f"{settings.warmup_check_steps} (or up to {GAMES - 1} more: each step plays every game)")


def uniform_acceptance(settings):
    """Per action, the counts a uniform random policy gives in warmup_check_steps steps (a union bound
    over the actions keeps the false-fail rate)."""
    return binomial_acceptance(settings.warmup_check_steps, 1 / settings.n_actions,
                               settings.max_false_fail / settings.n_actions)


@statistical(lambda settings: settings.n_actions * uniform_acceptance(settings).false_fail)
@graded(FUNCTION, HINT)
def test_plays_uniformly_random_actions(collected, settings):
    """Plays each of the 4 actions a quarter of the time, as a random policy does.

    False-fail rate: 6.9e-07. The first n = settings.warmup_check_steps stored actions
    of a uniform random policy hold each action a Binomial(n, 1/4) number of times;
    the test fails when a count is outside the interval from ``stats.binomial_acceptance``
    with tails of max_false_fail / 4 (computed exactly); the union bound over the 4
    actions gives the rate above.
    """
    acceptance = uniform_acceptance(settings)
    with calling(call(settings), public=True):
        actions = contents(collected)["action"].T.ravel()[:settings.warmup_check_steps]
        counts = np.array([np.sum(actions == action) for action in range(settings.n_actions)])
        expect_true(len(actions) == settings.warmup_check_steps and all(count in acceptance for count in counts),
                    f"the actions were played {counts.tolist()} times in {len(actions)} steps; a random policy "
                    f"plays each between {acceptance.low} and {acceptance.high} times except with probability "
                    f"{settings.n_actions * acceptance.false_fail:.1g}",
                    hint="Collect with RandomTFPolicy(tf_env.time_step_spec(), tf_env.action_spec()).")
