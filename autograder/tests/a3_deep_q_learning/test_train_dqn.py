"""Hidden tests of ``train_dqn(env, model, target_model, n_episodes, n_max_steps, batch_size, discount_factor,
optimizer, loss_fn, warmup_episodes, target_update_period, seed) -> list[float]``.

The helpers are served by the grader during these calls (``oracles.deep_q``): it
plays every step in its own CartPole, samples the batches from its mirror of the
replay buffer and takes every training step itself, so every correct
implementation follows the same run, a bug in a helper costs nothing here, and
what is graded is how train_dqn puts them together. Target updates are seen in the
target model's weights, read back at every training step, never in a count the
sandbox keeps.
"""

import pytest

from autograder.assignments import dqn_net, replays
from autograder.assignments.oracles.deep_q import notebooks_mean_return, start_run
from autograder.grading import CallFailed, DQNModel, GraderEnv, Loss, Optimizer, calling, expect_true, graded, inputs

FUNCTION = "train_dqn"
HINT = (
    "Seed NumPy and TensorFlow, reset the env with seed for the first episode; each episode: epsilon = "
    "max(1 - episode / (EPSILON_FRACTION * n_episodes), EPSILON_MIN), then play_one_step until done, truncated "
    "or n_max_steps; after warmup_episodes, each step is followed by double_dqn_training_step(model, "
    "target_model, ..., sample_experiences(replay_buffer, batch_size), ...), and every target_update_period "
    "training steps target_model.set_weights(model.get_weights()). Return each episode's total reward."
)


class Training:
    """One call of the student's train_dqn with the grader's stand-ins; its outcome, for several tests."""

    def __init__(
        self,
        student,
        settings,
        seed,
        n_episodes,
        n_max_steps,
        batch_size,
        warmup_episodes,
        target_update_period,
        timeout=None,
    ):
        self.run, weights, episode_seed = start_run(
            settings, seed, n_episodes, batch_size, warmup_episodes, target_update_period
        )
        self.server = self.run.server
        discount = settings.train_discount_factor
        self.description = (
            f"train_dqn(env, model, target_model, n_episodes={n_episodes}, n_max_steps="
            f"{n_max_steps}, batch_size={batch_size}, discount_factor={discount}, optimizer=Adam, "
            f"loss_fn=Huber, warmup_episodes={warmup_episodes}, target_update_period="
            f"{target_update_period}, seed={episode_seed})"
        )
        self.failure = None
        try:
            with inputs(public=True):
                returned = student.call(
                    FUNCTION,
                    GraderEnv(self.server),
                    DQNModel(weights, handle="online", sends_weights="none"),
                    DQNModel(weights, handle="target", sends_weights="output layer"),
                    n_episodes,
                    n_max_steps,
                    batch_size,
                    discount,
                    Optimizer("Adam", settings.train_learning_rate),
                    Loss("huber"),
                    warmup_episodes,
                    target_update_period,
                    episode_seed,
                    helpers=self.run.helpers(),
                    timeout=timeout,
                )
            self.run.finish(returned)
            seeds = self.server.reset_seeds
            if len(seeds) != n_episodes or seeds[0] != episode_seed:
                self.run.problem(
                    f"the environment was reset {len(seeds)} times for {n_episodes} episodes, the "
                    f"first time {'with' if seeds and seeds[0] == episode_seed else 'without'} the seed"
                )
        except CallFailed as failure:
            self.failure = failure

    def expect_no_problem(self, *topics):
        """Fail on the call's failure, or on a recorded problem about one of the topics."""
        if self.failure is not None:
            raise self.failure
        problems = [problem for problem in self.run.problems if any(topic in problem for topic in topics)]
        expect_true(not problems, problems[0] if problems else "")


@pytest.fixture(scope="module")
def small_run(student, settings):
    return Training(
        student, settings, 1, n_episodes=10, n_max_steps=40, batch_size=16, warmup_episodes=3, target_update_period=7
    )


@graded(FUNCTION, HINT)
def test_returns_each_episodes_return(small_run):
    """Plays n_episodes episodes, each from a reset, and returns the total reward of each."""
    with calling(small_run.description, public=True):
        small_run.expect_no_problem("returned", "reset", "stepped the environment")


@graded(FUNCTION, HINT)
def test_explores_with_the_epsilon_schedule(small_run):
    """Plays with play_one_step, giving it the epsilon of the notebook's linear schedule, episode by episode."""
    with calling(small_run.description, public=True):
        small_run.expect_no_problem("epsilon", "latest state", "play_one_step was not given")
        expect_true(small_run.run.steps_played > 0, "play_one_step was never called")


@graded(FUNCTION, HINT)
def test_trains_after_warmup_on_sampled_batches(small_run):
    """After the warm-up episodes, takes one double-DQN step per step on the batch just sampled."""
    with calling(small_run.description, public=True):
        small_run.expect_no_problem(
            "warm-up", "sample_experiences", "batch", "double_dqn", "discount_factor", "not given the model"
        )
        expect_true(small_run.run.training_steps > 0, "no training step was taken")


@graded(FUNCTION, HINT)
def test_updates_the_target_model_every_period(small_run):
    """Copies the online weights to the target model every target_update_period training steps."""
    with calling(small_run.description, public=True):
        small_run.expect_no_problem("target model")
        expect_true(
            small_run.run.training_steps > small_run.run.settings["target_update_period"],
            "too few training steps were taken to see a target update",
        )


@graded(FUNCTION, HINT)
def test_trained_network_plays_as_well_as_the_notebooks(student, settings, measure):
    """Trained on the grader's CartPole, the network plays as well as the notebook's train_dqn makes it.

    Deterministic: the grader plays every step and takes every training step itself,
    in the order the student's loop asks for them, so every correct implementation
    follows the same run as the notebook's loop, which the grader also follows on its
    own from the same start. Both networks are evaluated greedily on
    settings.eval_episodes of the grader's episodes; the student's must reach
    settings.eval_fraction of the notebook's mean return. Both runs are computed on
    the same machine (the notebook's is kept there), so this holds on any machine.
    """
    sizes = (
        settings.train_episodes,
        settings.train_batch_size,
        settings.train_warmup_episodes,
        settings.train_target_update_period,
    )
    training = Training(
        student,
        settings,
        2,
        settings.train_episodes,
        settings.train_max_steps,
        *sizes[1:],
        timeout=settings.train_timeout_s,
    )
    with calling(training.description, public=True):
        if training.failure is not None:
            raise training.failure
        wanted = notebooks_mean_return(settings, 2, *sizes)
        replay = replays.cartpole_replay(settings.seed)
        returns = dqn_net.returns(training.run.online, settings.eval_episodes, settings.seed, replay)
        mean = measure(FUNCTION, "the trained network's mean return", returns, replay)
        expect_true(
            mean >= settings.eval_fraction * wanted,
            f"the trained network's mean return over "
            f"{settings.eval_episodes} of the grader's episodes is {mean:.1f}; the notebook's train_dqn, "
            f"from the same start, trains one that reaches {wanted:.1f}: expected at least "
            f"{settings.eval_fraction * wanted:.1f}",
        )
