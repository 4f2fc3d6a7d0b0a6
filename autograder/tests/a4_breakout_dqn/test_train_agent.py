"""Hidden tests of ``train_agent(tf_env, agent, replay_buffer, n_iterations, observers=(), update_period=4,
batch_size=64) -> list of losses``: the training loop.

The games (2 of them), the agent and the replay buffer are the grader's, and so is the
evidence. The games run in the grader, which keeps every step it served and every
action it was asked for. The buffer starts with steps the grader played itself, and
every batch it gives is one the grader samples, so the grader knows what each
training step learned from. The agent's epsilon is 0, so its collect policy is greedy
with weights the grader knows until the first training step; it learns with plain
SGD, and its weights after the loop must be those the reference's TF-Agents computes
from the same start and the first n_iterations batches the grader gave, to within
the rounding of other kernels (``train_weights_atol``).
"""

import numpy as np
import pytest

from autograder.assignments import atari, served_games
from autograder.assignments import tf_agents_kit as kit
from autograder.grading import CallFailed, Mismatch, calling, expect_array, expect_true, graded, inputs

FUNCTION = "train_agent"
HINT = (
    "Each iteration: collect_driver.run(time_step, policy_state) with a DynamicStepDriver(tf_env, "
    "agent.collect_policy, observers=[replay_buffer.add_batch, *observers], num_steps=update_period), then "
    "agent.train(next(iterator)[0]) on replay_buffer.as_dataset(sample_batch_size=batch_size, "
    "num_steps=agent.train_sequence_length); "
    "return the list of the losses as floats."
)
GAMES, WARMUP_STEPS, UPDATE_PERIOD, BATCH_SIZE, LEARNING_RATE, OBSERVED = 2, 16, 16, 8, 0.01, 12


def warmup(settings, rng):
    """Trajectories of random play in the grader's own games, a row per game, to start the buffer with."""
    server = served_games.GamesServer(settings, GAMES, seed=int(rng.integers(2**20)))
    try:
        server.handle("reset", {})
        for _ in range(WARMUP_STEPS):
            server.handle("step", {"actions": rng.integers(settings.n_actions, size=GAMES)})
    finally:
        server.close()
    return served_games.trajectories(server.log)


class Training:
    """One call of the student's loop; what the grader served, and what the loop left."""

    def __init__(self, student, settings, rng):
        self.iterations = settings.train_check_iterations
        self.weights = kit.random_weights(rng, atari.weight_shapes(settings))
        self.agent = kit.dqn_agent(settings, self.weights, learning_rate=LEARNING_RATE, epsilon=0.0)
        self.buffer = kit.SampledBuffer(
            settings, warmup(settings, rng), rng, WARMUP_STEPS + self.iterations * (UPDATE_PERIOD // GAMES + 4)
        )
        self.observed = [
            [int(rng.integers(GAMES)), int(rng.integers(self.iterations * UPDATE_PERIOD // GAMES))]
            for _ in range(OBSERVED)
        ]
        server = served_games.GamesServer(settings, GAMES, seed=int(rng.integers(2**20)))
        self.call = (
            f"train_agent(tf_env, agent, replay_buffer, n_iterations={self.iterations}, "
            f"update_period={UPDATE_PERIOD}, batch_size={BATCH_SIZE}) with {GAMES} games, a greedy agent "
            f"learning with SGD(learning_rate={LEARNING_RATE})"
        )
        try:
            with inputs(public=True):
                self.described = student.call(
                    FUNCTION,
                    kit.ServedGames(server),
                    self.agent,
                    self.buffer,
                    self.iterations,
                    update_period=UPDATE_PERIOD,
                    batch_size=BATCH_SIZE,
                    view=kit.view(
                        "collected",
                        agent=1,
                        buffer=2,
                        skip=WARMUP_STEPS,
                        fields=["step_type", "action"],
                        observed=self.observed,
                        result_kept=True,
                    ),
                    timeout=settings.train_timeout_s,
                ).value
            self.failure = None
        except CallFailed as failure:
            self.failure = failure
        finally:
            server.close()
        self.log = server.log

    def outcome(self):
        """What the loop left; the call's failure, or Mismatch if it could not be described."""
        if self.failure is not None:
            raise self.failure
        return kit.expect_description(self.described, "what train_agent left", keys=("contents", "weights", "result"))

    def served(self):
        """The trajectories of the steps the games served, from the grader's log."""
        self.outcome()
        if len(self.log) < 2 or self.log[0].actions is not None or any(s.actions is None for s in self.log[1:]):
            raise Mismatch(
                "the games were not reset once and then stepped: train_agent should go on from "
                "tf_env.current_time_step()"
            )
        return served_games.trajectories(self.log)


@pytest.fixture(scope="module")
def training(student, settings, module_rng):
    return Training(student, settings, module_rng)


@graded(FUNCTION, HINT)
def test_trains_once_per_iteration_on_the_sampled_batches(training, reference, settings):
    """Calls agent.train once per iteration, on a batch from the replay buffer, and returns each loss: its
    losses and the weights it leaves are those of n_iterations training steps on the buffer's batches."""
    with calling(training.call, public=True):
        described = training.outcome()
        batches = training.buffer.batches[: training.iterations]
        expect_true(
            len(batches) == training.iterations,
            f"{len(training.buffer.batches)} batches were taken from the replay buffer in "
            f"{training.iterations} iterations; expected one per iteration",
        )
        want = reference.evaluate(training.agent, view=kit.view("agent", batches=batches)).value["trained"]
        losses = described["result"]
        expect_true(
            isinstance(losses, list) and len(losses) == training.iterations,
            f"expected a list of {training.iterations} losses, got "
            f"{len(losses) if isinstance(losses, list) else type(losses).__name__}",
        )
        expect_true(
            all(type(loss) in (int, float) or (isinstance(loss, np.ndarray) and loss.size == 1) for loss in losses),
            "expected each loss as a number",
            hint="Append float(agent.train(trajectories).loss).",
        )
        expect_array(
            np.array(losses, dtype=np.float64).ravel(),
            np.array(want["losses"]).ravel(),
            rtol=settings.rtol,
            what="the losses (one training step per iteration, on the batch of that iteration)",
        )
        weights = described["weights"] if isinstance(described["weights"], list) else []
        expect_true(len(weights) == len(want["weights"]), "the agent's Q-network could not be read back")
        for index, (got, expected, start) in enumerate(zip(weights, want["weights"], training.weights)):
            scale = float(np.max(np.abs(expected - start))) or 1e-6
            expect_array(
                got,
                expected,
                rtol=settings.rtol,
                atol=settings.train_weights_atol * scale,
                what=f"weight {index} of the Q-network after the loop",
            )


@graded(FUNCTION, HINT)
def test_collects_update_period_steps_with_the_collect_policy(training, settings):
    """Collects update_period steps per iteration into the replay buffer, with the agent's collect policy."""
    with calling(training.call, public=True):
        served = training.served()
        counted, least = int(np.sum(served["step_type"] != kit.LAST)), training.iterations * UPDATE_PERIOD
        expect_true(
            least <= counted <= least + training.iterations * GAMES,
            f"the games played {counted} steps (boundaries excluded) in {training.iterations} iterations; "
            f"expected {UPDATE_PERIOD} per iteration, counted over the games",
        )
        described = training.outcome()
        contents = kit.expect_contents(described["contents"], ["step_type", "action"], GAMES)
        observed = [served["observation"][game, item] for game, item in training.observed]
        expect_true(
            all(kit.same_array(contents[field], served[field]) for field in ("step_type", "action"))
            and kit.same_array(described.get("observed"), np.array(observed)),
            "the replay buffer does not hold the steps the games played, each once, in order",
            hint="Give replay_buffer.add_batch to the collect driver as an observer.",
        )
        first = first_iteration(served)
        observations = served["observation"][:, :first].reshape(-1, *settings.observation_shape)
        q_values = atari.q_values(training.weights, observations, settings)
        ordered = np.sort(q_values, axis=1)
        clear = ordered[:, -1] - ordered[:, -2] > 1e-4 * np.maximum(1.0, np.abs(ordered[:, -1]))
        actions = served["action"][:, :first].reshape(-1)
        wrong = int(np.sum((actions != np.argmax(q_values, axis=1)) & clear))
        expect_true(
            wrong == 0,
            f"{wrong} of the {len(actions)} actions of the first iteration are not the "
            "agent's: its collect policy takes the action of highest Q-value here (epsilon is 0)",
            hint="Collect with agent.collect_policy.",
        )


def first_iteration(served):
    """The number of served steps a DynamicStepDriver of num_steps=UPDATE_PERIOD plays in its first run: until
    the steps that are not boundaries, counted over the games, reach UPDATE_PERIOD."""
    counted = np.cumsum(np.sum(served["step_type"] != kit.LAST, axis=0))
    return int(np.searchsorted(counted, UPDATE_PERIOD) + 1)
