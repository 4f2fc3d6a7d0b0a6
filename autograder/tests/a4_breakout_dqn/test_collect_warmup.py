"""Hidden tests of ``collect_warmup(tf_env, replay_buffer, n_steps)``.

The games (2 of them) are the grader's and run in the grader: it keeps every step it
served and the action each game was asked for. The replay buffer is the grader's
too, read back after the call; what it holds must be what the games served.
"""

import numpy as np
import pytest

from autograder.assignments import served_games
from autograder.assignments import tf_agents_kit as kit
from autograder.grading import (
    CallFailed,
    CountCheck,
    Mismatch,
    calling,
    expect_true,
    graded,
    inputs,
    seeded,
    statistical,
)

FUNCTION = "collect_warmup"
HINT = (
    "Run a DynamicStepDriver(tf_env, RandomTFPolicy(tf_env.time_step_spec(), tf_env.action_spec()), "
    "observers=[replay_buffer.add_batch], num_steps=n_steps)."
)
GAMES, OBSERVED = 2, 16


class Collected:
    """One call on the grader's games: what they served, and what the replay buffer held afterwards."""

    def __init__(self, student, settings):
        steps = settings.warmup_check_steps
        rng = seeded(settings, "collect_warmup")
        self.observed = [[int(rng.integers(GAMES)), int(rng.integers(steps // GAMES))] for _ in range(OBSERVED)]
        server = served_games.GamesServer(settings, GAMES, seed=int(rng.integers(2**20)))
        try:
            with inputs(public=True):
                self.described = student.call(
                    FUNCTION,
                    kit.ServedGames(server),
                    kit.replay_buffer(settings, GAMES, steps // GAMES + 64),
                    steps,
                    view=kit.view("collected", buffer=1, fields=["step_type", "action"], observed=self.observed),
                    timeout=settings.train_timeout_s,
                ).value
            self.failure = None
        except CallFailed as failure:
            self.failure = failure
        finally:
            server.close()
        self.log = server.log

    def served(self):
        """The trajectories the served steps make, from the grader's log; the call's failure if it failed."""
        if self.failure is not None:
            raise self.failure
        if len(self.log) < 2 or self.log[0].actions is not None or any(s.actions is None for s in self.log[1:]):
            raise Mismatch("the games were not reset once and then stepped")
        return served_games.trajectories(self.log)

    def stored(self, served):
        """The buffer's contents, checked to be exactly the served trajectories."""
        described = kit.expect_description(self.described, "what collect_warmup left", keys=("contents",))
        contents = kit.expect_contents(described["contents"], ["step_type", "action"], GAMES)
        holds = all(
            contents[field].shape == served[field].shape and np.array_equal(contents[field], served[field])
            for field in ("step_type", "action")
        )
        observed = [
            served["observation"][game, item] for game, item in self.observed if item < served["observation"].shape[1]
        ]
        holds = holds and kit.same_array(described.get("observed"), np.array(observed))
        expect_true(
            holds,
            "the replay buffer does not hold the steps the games played, each once, in order",
            hint="Give replay_buffer.add_batch to the driver as its observer.",
        )
        return contents


@pytest.fixture(scope="module")
def collected(student, settings):
    return Collected(student, settings)


def call(settings):
    return f"collect_warmup(tf_env, replay_buffer, n_steps={settings.warmup_check_steps}) with {GAMES} games"


@graded(FUNCTION, HINT)
def test_plays_n_steps(collected, settings):
    """Plays n_steps steps, counted over all games, not counting the boundaries between episodes, and stores
    each in the replay buffer."""
    with calling(call(settings), public=True):
        served = collected.served()
        counted = int(np.sum(served["step_type"] != kit.LAST))
        expect_true(
            settings.warmup_check_steps <= counted < settings.warmup_check_steps + GAMES,
            f"the games played {counted} steps (boundaries excluded); expected "
            f"{settings.warmup_check_steps} (or up to {GAMES - 1} more: each step plays every game)",
        )
        collected.stored(served)


def uniform_check(settings):
    """Per action, the times it was played in the first warmup_check_steps steps."""

    def groups(p_of_action):
        return [[p_of_action(action)] * settings.warmup_check_steps for action in range(settings.n_actions)]

    return (
        CountCheck.of(groups(lambda action: 1 / settings.n_actions), settings.max_false_fail),
        {"always the same action": groups(lambda action: float(action == 1))},
    )


@statistical(uniform_check)
@graded(FUNCTION, HINT)
def test_plays_uniformly_random_actions(collected, settings):
    """Plays each of the 4 actions a quarter of the time, as a random policy does.

    False-fail rate: 6.9e-07. Each action the games were asked for, in the first
    n = settings.warmup_check_steps, is one of the 4 with probability 1/4 each under a
    uniform random policy; the test fails when an action's count is outside the
    interval from ``stats.acceptance`` for its Binomial(n, 1/4) distribution, with
    tails of max_false_fail / 4 (computed exactly); the union bound over the 4 actions
    gives the rate above.
    Power against 'always the same action': 1.
    """
    check, _ = uniform_check(settings)
    with calling(call(settings), public=True):
        served = collected.served()
        actions = served["action"].T.ravel()[: settings.warmup_check_steps]
        counts = [int(np.sum(actions == action)) for action in range(settings.n_actions)]
        expect_true(
            len(actions) == settings.warmup_check_steps and check.passes(counts),
            f"the actions were played {counts} times in {len(actions)} steps; a random policy plays each "
            f"{check.acceptances[0].low} to {check.acceptances[0].high} times except with probability "
            f"{check.false_fail:.1g}",
            hint="Collect with RandomTFPolicy(tf_env.time_step_spec(), tf_env.action_spec()).",
        )
