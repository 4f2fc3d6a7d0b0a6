"""Hidden tests of ``train_agent(tf_env, agent, replay_buffer, n_iterations, observers=(), update_period=4,
batch_size=64) -> list of losses``: the training loop.

The games (2 of them), the agent and the replay buffer are the grader's. The agent's
epsilon is 0 and its learning rate 0, so its collect policy is greedy with weights the
grader knows: every action the loop collects must be the one of highest Q-value in the
grader's own copy of the network. The buffer starts with a few random steps, so that
the dataset can sample from the first iteration on.
"""

import numpy as np
import pytest

from autograder import atari
from autograder import tf_agents_kit as kit
from autograder.checks import calling, expect_true, graded
from autograder.probes import CallFailed, inputs

FUNCTION = "train_agent"
HINT = ("Each iteration: collect_driver.run(time_step, policy_state) with a DynamicStepDriver(tf_env, "
        "agent.collect_policy, observers=[replay_buffer.add_batch, *observers], num_steps=update_period), then "
        "agent.train(next(iterator)[0]) on replay_buffer.as_dataset(sample_batch_size=batch_size, "
        "num_steps=agent.train_sequence_length); "
        "return the list of the losses as floats.")
GAMES, WARMUP_BATCH_STEPS, UPDATE_PERIOD = 2, 16, 4


class Training:
    """One call of the student's loop, and the grader's copy of the agent's network."""

    def __init__(self, student, settings, rng):
        self.iterations = settings.train_check_iterations
        self.weights = kit.random_weights(rng, atari.weight_shapes(settings))
        buffer = kit.replay_buffer(settings, GAMES, WARMUP_BATCH_STEPS + 8 * self.iterations,
                                   kit.breakout_env(settings, GAMES, seed=int(rng.integers(2 ** 20))),
                                   WARMUP_BATCH_STEPS)
        self.call = (f"train_agent(tf_env, agent, replay_buffer, n_iterations={self.iterations}) with {GAMES} "
                     "games and a greedy agent")
        try:
            with inputs(public=True):
                self.described = student.call(
                    FUNCTION, kit.breakout_env(settings, GAMES, seed=int(rng.integers(2 ** 20))),
                    kit.dqn_agent(settings, self.weights, learning_rate=0.0, epsilon=0.0), buffer, self.iterations,
                    view=kit.view("collected", agent=1, buffer=2, skip=WARMUP_BATCH_STEPS, result_kept=True),
                    timeout=settings.train_timeout_s).value
            self.failure = None
        except CallFailed as failure:
            self.failure = failure

    def outcome(self):
        """What the loop left; the call's failure, or Mismatch if it could not be described."""
        if self.failure is not None:
            raise self.failure
        described = kit.expect_description(self.described, "what train_agent left",
                                           keys=("contents", "train_step", "result"))
        kit.expect_contents(described["contents"], kit.TRAJECTORY_FIELDS, GAMES)
        return described


@pytest.fixture(scope="module")
def training(student, settings, module_rng):
    return Training(student, settings, module_rng)


@graded(FUNCTION, HINT)
def test_trains_once_per_iteration(training):
    """Calls agent.train once per iteration and returns each iteration's loss."""
    with calling(training.call, public=True):
        described = training.outcome()
        expect_true(kit.same(described["train_step"], training.iterations),
                    f"the agent trained {described['train_step']} times in {training.iterations} iterations; "
                    "expected once per iteration")
        losses = described["result"]
        expect_true(isinstance(losses, list) and len(losses) == training.iterations,
                    f"expected a list of {training.iterations} losses, got "
                    f"{len(losses) if isinstance(losses, list) else type(losses).__name__}")
        expect_true(all(type(loss) in (int, float) or (isinstance(loss, np.ndarray) and loss.size == 1)
                        for loss in losses) and np.all(np.isfinite(np.asarray(losses, dtype=np.float64))),
                    "expected each loss as a finite number", hint="Append float(agent.train(trajectories).loss).")


@graded(FUNCTION, HINT)
def test_collects_update_period_steps_with_the_collect_policy(training, settings):
    """Collects update_period steps per iteration into the replay buffer, with the agent's collect policy."""
    with calling(training.call, public=True):
        contents = training.outcome()["contents"]
        counted, least = int(np.sum(contents["step_type"] != kit.LAST)), training.iterations * UPDATE_PERIOD
        expect_true(least <= counted <= least + training.iterations * GAMES,
                    f"{counted} steps (boundaries excluded) were added to the replay buffer in "
                    f"{training.iterations} iterations; expected {UPDATE_PERIOD} per iteration, counted over the "
                    "games")
        expect_true(contents["observation"].shape[2:] == settings.observation_shape,
                    f"the collected observations have shape {contents['observation'].shape[2:]}")
        observations = contents["observation"].reshape(-1, *settings.observation_shape)
        q_values = atari.q_values(training.weights, observations, settings)
        ordered = np.sort(q_values, axis=1)
        clear = ordered[:, -1] - ordered[:, -2] > 1e-4 * np.maximum(1.0, np.abs(ordered[:, -1]))
        greedy = np.argmax(q_values, axis=1)
        actions = contents["action"].reshape(-1)
        wrong = int(np.sum((actions != greedy) & clear))
        expect_true(wrong == 0, f"{wrong} of the {len(actions)} collected actions are not the agent's: its collect "
                                "policy takes the action of highest Q-value here (epsilon is 0)",
                    hint="Collect with agent.collect_policy, whose trajectories go to replay_buffer.add_batch.")
