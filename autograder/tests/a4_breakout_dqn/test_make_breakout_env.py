"""Hidden tests of ``make_breakout_env(num_envs=1, seed=None, training=True) -> TFPyEnvironment``.

The environment is described by a view: its specs, then the time steps of a reset
and of a sequence of actions. Observations are compared with the reference's, from
the same seed and actions, byte for byte.
"""

import numpy as np

from autograder.assignments import tf_agents_kit as kit
from autograder.grading import calling, expect_array, expect_true, graded

FUNCTION = "make_breakout_env"
STEP_FIELDS = ("step_type", "reward", "discount")
HINT = (
    'Make the games with gym.make_vec("ALE/Breakout-v5", num_envs=num_envs, '
    'vectorization_mode="vector_entry_point") keeping AtariVectorEnv\'s preprocessing defaults, with '
    "reward_clipping=False and life_loss_info=training; wrap them in GymnasiumVectorEnvironment(games, "
    "seed=seed, frames_last=True), then in a TFPyEnvironment."
)


def play(caller, actions, observed=(), **kwargs):
    """The view of a new environment after a reset and the given actions (one list per step)."""
    view = kit.view("environment", actions=[list(map(int, step)) for step in actions], observed=list(observed))
    return kit.expect_description(
        caller.call(FUNCTION, view=view, **kwargs).value,
        "a TF-Agents environment (a TFPyEnvironment)",
        "is_tf_environment",
        ("batch_size", "observation_spec", "action_spec", *STEP_FIELDS),
    )


def expect_steps(got, want, fields, what, hint=None):
    for field in fields:
        expect_array(got[field], want[field], rtol=0, atol=1e-6, what=f"the {field}s of {what}", hint=hint)


@graded(FUNCTION, HINT)
def test_specs(student, settings):
    """Has one batch row per game, observations of 84x84x4 bytes and the actions 0 to 3."""
    with calling("make_breakout_env(num_envs=3, seed=1)", public=True):
        got = play(student, [], num_envs=3, seed=1)
        expect_true(
            kit.same(got["batch_size"], 3),
            f"expected batch_size 3 (one row per game), got {str(got['batch_size'])[:40]}",
        )
        observation, action = (
            got[key] if isinstance(got[key], dict) else {} for key in ("observation_spec", "action_spec")
        )
        expect_true(
            kit.same([observation.get("shape"), observation.get("dtype")], [list(settings.observation_shape), "uint8"]),
            f"expected observations of shape {settings.observation_shape} and dtype uint8, got shape "
            f"{str(observation.get('shape'))[:40]} and dtype {str(observation.get('dtype'))[:20]}",
        )
        expect_true(
            kit.same([observation.get("minimum"), observation.get("maximum")], [0, 255]),
            "expected observations bounded by 0 and 255",
        )
        expect_true(
            kit.same(action.get("shape"), [])
            and str(action.get("dtype")).startswith("int")
            and kit.same([action.get("minimum"), action.get("maximum")], [0, settings.n_actions - 1]),
            f"expected scalar integer actions from 0 to {settings.n_actions - 1}, got {str(action)[:200]}",
        )


@graded(FUNCTION, HINT)
def test_first_observations_on_a_hidden_seed(student, reference, rng):
    """Resets two games from a hidden seed to the reference's preprocessed, stacked frames."""
    seed = int(rng.integers(2**20))
    with calling("make_breakout_env(num_envs=2, seed=<hidden>), then reset()", public=False):
        got = play(student, [], observed=[0], num_envs=2, seed=seed)
        want = play(reference, [], observed=[0], num_envs=2, seed=seed)
        expect_array(
            got.get("observations"),
            want["observations"],
            rtol=0,
            atol=0,
            what="the first observations",
            hint="AtariVectorEnv's defaults give 84x84 grey frames, 4 stacked; frames_last=True puts "
            "them last; the seed is that of the first reset.",
        )


@graded(FUNCTION, HINT)
def test_games_follow_hidden_actions(student, reference, rng, settings):
    """Plays hidden actions as the reference does: 4 frames a step, sticky actions, the game's score."""
    seed, steps = int(rng.integers(2**20)), settings.env_check_steps
    actions = rng.integers(settings.n_actions, size=(steps, 2))
    observed = list(range(0, steps + 1, 10))
    with calling(f"make_breakout_env(num_envs=2, seed=<hidden>), then {steps} hidden actions", public=False):
        got = play(student, actions, observed, num_envs=2, seed=seed)
        want = play(reference, actions, observed, num_envs=2, seed=seed)
        expect_steps(got, want, STEP_FIELDS, "the time steps")
        expect_array(
            got.get("observations"),
            want["observations"],
            rtol=0,
            atol=0,
            what="the observations",
            hint="Keep Breakout-v5's settings (frameskip 4, sticky actions) by making the games with "
            'gym.make_vec("ALE/Breakout-v5", ...).',
        )


def noop_games(caller, settings, training):
    """The view of one game from seed 1 (whose ball falls beside the idle paddle) after NOOP actions."""
    actions = np.zeros((settings.env_check_steps, 1), dtype=np.int64)
    return play(caller, actions, num_envs=1, seed=1, training=training)


@graded(FUNCTION, HINT)
def test_a_life_loss_ends_a_training_episode(student, reference, settings):
    """With training=True, losing the ball ends the episode (LAST, discount 0), the next step is FIRST, and the
    game goes on: its next ball waits for FIRE."""
    with calling(f"make_breakout_env(seed=1), then {settings.env_check_steps} NOOP actions", public=True):
        got, want = noop_games(student, settings, True), noop_games(reference, settings, True)
        if kit.LAST not in want["step_type"]:
            raise RuntimeError("the reference's game lost no life: choose another seed for this test")
        expect_steps(
            got,
            want,
            ("step_type", "discount"),
            "the time steps",
            hint="The ball is lost within these steps: life_loss_info=True makes AtariVectorEnv end the "
            "episode there (LAST, discount 0) and go on with the same game, whose next ball waits "
            "for FIRE (episodic_life=True would start a new game, and launch its ball at once).",
        )


@graded(FUNCTION, HINT)
def test_a_life_loss_does_not_end_an_evaluation_game(student, reference, settings):
    """With training=False, a game goes on after a life loss: no LAST time step."""
    with calling(
        f"make_breakout_env(seed=1, training=False), then {settings.env_check_steps} NOOP actions", public=True
    ):
        got, want = noop_games(student, settings, False), noop_games(reference, settings, False)
        expect_steps(
            got,
            want,
            ("step_type", "discount"),
            "the time steps",
            hint="The ball is lost within these steps, but the game is not over: only training games "
            "end at life losses (life_loss_info=training).",
        )
