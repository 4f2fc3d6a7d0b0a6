"""Hidden tests of ``train_policy_gradient(env, model, n_iterations, n_episodes_per_update, n_max_steps,
discount_factor, optimizer, loss_fn) -> list[float]``.

``play_multiple_episodes`` and ``discount_and_normalise_rewards`` are served by the
grader during these calls. The grader plays every episode with its own generator
and its own copy of the weights, moved each iteration by the optimizer step a
correct loop takes, and checks that the student's model moved the same way.
"""

import numpy as np
import pytest

from autograder.assignments import policy_net, replays
from autograder.assignments.envs import EnvServer, cartpole, policy_returns
from autograder.assignments.oracles.arguments import served_by_reference
from autograder.assignments.oracles.optimizers import SGD, Adam
from autograder.assignments.oracles.policy_gradients import PlayMultipleEpisodes
from autograder.grading import (
    CallFailed,
    GraderEnv,
    Loss,
    Mismatch,
    Optimizer,
    PolicyModel,
    calling,
    expect_list,
    expect_true,
    graded,
    inputs,
    number,
)

FUNCTION = "train_policy_gradient"
HINT = (
    "Each iteration: play_multiple_episodes(env, n_episodes_per_update, n_max_steps, model, loss_fn), "
    "discount_and_normalise_rewards(all_rewards, discount_factor), then for each trainable variable the "
    "mean over all steps of all episodes of advantage * gradient, applied with "
    "optimizer.apply_gradients(zip(mean_grads, model.trainable_variables))."
)
DISCOUNT = 0.95
OPTIMIZERS = {"SGD": SGD, "Adam": Adam}


class Training:
    """One call of the student's training loop with the grader's stand-ins; its outcome, kept for several tests."""

    def __init__(
        self,
        student,
        reference,
        settings,
        seed,
        optimizer,
        learning_rate,
        iterations,
        episodes,
        max_steps,
        timeout=None,
    ):
        rng = np.random.default_rng([settings.seed, seed])
        self.weights = policy_net.initial_weights(rng)
        self.server = EnvServer(cartpole(), seed=int(rng.integers(2**31)))

        def advantages(all_rewards):
            return reference.call("discount_and_normalise_rewards", all_rewards, DISCOUNT)

        self.episodes = PlayMultipleEpisodes(
            cartpole(),
            rng,
            self.weights,
            OPTIMIZERS[optimizer](learning_rate),
            episodes,
            max_steps,
            advantages,
            settings.grad_rtol,
        )
        helpers = {
            "play_multiple_episodes": self.episodes,
            "discount_and_normalise_rewards": served_by_reference(
                reference, "discount_and_normalise_rewards", ("all_rewards", "discount_factor")
            ),
        }
        self.description = (
            f"train_policy_gradient(env, model, n_iterations={iterations}, n_episodes_per_update="
            f"{episodes}, n_max_steps={max_steps}, discount_factor={DISCOUNT}, "
            f"optimizer=keras.optimizers.{optimizer}(learning_rate={learning_rate}), "
            "loss_fn=keras.losses.binary_crossentropy)"
        )
        self.iterations, self.failure = iterations, None
        try:
            with inputs(public=True):
                reply = student.call(
                    FUNCTION,
                    GraderEnv(self.server),
                    PolicyModel(self.weights),
                    iterations,
                    episodes,
                    max_steps,
                    DISCOUNT,
                    Optimizer(optimizer, learning_rate),
                    Loss("binary_crossentropy"),
                    view={"result": "plain", "model_weights": [1]},
                    helpers=helpers,
                    timeout=timeout,
                )
            self.curve, self.final_weights = reply.value, reply.weights.get("1")
            self.episodes.check_update(self.final_weights)
        except CallFailed as failure:
            self.failure = failure

    def outcome(self):
        """Raise the call's failure, or anything that makes the other checks meaningless."""
        if self.failure is not None:
            raise self.failure
        expect_true(
            not self.server.log,
            "train_policy_gradient stepped the environment itself; let play_multiple_episodes play the episodes",
        )
        expect_true(
            len(self.episodes.iterations) == self.iterations,
            f"play_multiple_episodes was called {len(self.episodes.iterations)} times in "
            f"{self.iterations} iterations; expected once per iteration",
        )


@pytest.fixture(scope="module")
def sgd_training(student, reference, settings):
    return Training(student, reference, settings, 1, "SGD", settings.update_learning_rate, 3, 4, 200)


@graded(FUNCTION, HINT)
def test_returns_the_mean_return_of_each_iteration(sgd_training):
    """Returns, for each iteration, the mean total reward of that iteration's episodes."""
    with calling(sgd_training.description, public=True):
        sgd_training.outcome()
        curve = expect_list(sgd_training.curve, sgd_training.iterations, what="the returned learning curve")
        for index, (value, iteration) in enumerate(zip(curve, sgd_training.episodes.iterations)):
            want = float(np.mean([sum(rewards) for rewards in iteration["rewards"]]))
            if not np.isclose(number(value, f"value {index} of the curve"), want, rtol=1e-6):
                raise Mismatch(
                    f"value {index} of the curve is not the mean return of that iteration's episodes",
                    f"value {index} of the curve is {value!r}; that iteration's episodes have a mean return of {want}",
                )


@graded(FUNCTION, HINT)
def test_applies_the_mean_advantage_weighted_gradient(sgd_training):
    """Each iteration moves the weights by one optimizer step on the mean advantage-weighted gradient."""
    with calling(sgd_training.description, public=True):
        sgd_training.outcome()
        problems = sgd_training.episodes.problems
        expect_true(not problems, problems[0] if problems else "")


@graded(FUNCTION, HINT)
def test_trained_policy_balances_the_pole(student, reference, settings, measure):
    """Trained with Adam as in the lesson, the policy balances the pole in the grader's own CartPole.

    Deterministic: the grader plays every training episode with its own seeded
    generator and its own copy of the weights, so every correct implementation
    follows the same run, whose greedy policy is then evaluated on the grader's
    episodes (settings.eval_episodes, from seed settings.seed).
    """
    training = Training(
        student,
        reference,
        settings,
        2,
        "Adam",
        settings.train_learning_rate,
        settings.train_iterations,
        settings.train_episodes_per_update,
        settings.train_max_steps,
        timeout=settings.train_timeout_s,
    )
    with calling(training.description, public=True):
        training.outcome()
        problems = training.episodes.problems
        expect_true(not problems, problems[0] if problems else "")
        replay = replays.cartpole_replay(settings.seed)
        returns = policy_returns(training.final_weights, settings.eval_episodes, settings.seed, replay=replay)
        mean_return = measure(FUNCTION, "the trained policy's mean return", returns, replay)
        expect_true(
            mean_return >= settings.eval_threshold,
            f"the trained policy's mean return over {settings.eval_episodes} of the grader's episodes is "
            f"{mean_return:.1f}; expected at least {settings.eval_threshold:g}",
        )
