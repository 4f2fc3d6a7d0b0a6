"""Hidden tests of ``build_agent(tf_env, q_net, epsilon_decay_steps, target_update_period=2000, n_step_update=1)
-> DqnAgent``.

One call on each side: the student's agent and the reference's are built for the
grader's Breakout and the lesson's Q-network with hidden weights, then described:
hyperparameters, TD losses, one training step on a hidden batch of trajectories
(the loss, and the weights after it), and epsilon at several training steps.
"""

import numpy as np
import pytest

from autograder.assignments import atari
from autograder.assignments import tf_agents_kit as kit
from autograder.grading import CallFailed, calling, expect_array, expect_true, graded, inputs

FUNCTION = "build_agent"
HINT = (
    "DqnAgent(tf_env.time_step_spec(), tf_env.action_spec(), q_network=q_net, optimizer=keras.optimizers."
    "RMSprop(learning_rate=2.5e-4, rho=0.95, momentum=0.0, epsilon=1e-5, centered=True), "
    "target_update_period=target_update_period (2000 by default), n_step_update=n_step_update (1 by default), "
    'td_errors_loss_fn=keras.losses.Huber(reduction="none"), gamma=0.99, train_step_counter=train_step, '
    "epsilon_greedy=lambda: epsilon_fn(train_step)), then agent.initialize()."
)
TD_ERRORS = np.array([[-3.0], [-1.0], [-0.25], [0.0], [0.5], [1.0], [2.5]], dtype=np.float32)
OPTIMIZER_SETTINGS = ("type", "learning_rate", "rho", "momentum", "epsilon", "centered")
DESCRIBED = ("gamma", "target_update_period", "target_update_tau", "optimizer", "td_losses", "epsilon")


class Built:
    """The descriptions of the student's agent and of the reference's, for the same inputs: one call whose
    feedback may show what came back, and one, on other weights, whose agent trains on a hidden batch."""

    def __init__(self, student, reference, settings, rng):
        decay = settings.epsilon_decay_steps
        shown = kit.view("agent", td_errors=TD_ERRORS, epsilon_steps=[0, decay // 4, decay // 2, decay, 2 * decay])
        trained = kit.view(
            "agent",
            td_errors=TD_ERRORS,
            epsilon_steps=[],
            batch=kit.random_trajectories(rng, settings, settings.train_batch_size, 2),
        )
        shown_args, trained_args = (
            (
                kit.breakout_env(settings, 1, seed=int(rng.integers(2**20))),
                kit.q_network(settings, kit.random_weights(rng, atari.weight_shapes(settings))),
                decay,
            )
            for _ in range(2)
        )
        self.call = f"build_agent(tf_env, q_net, epsilon_decay_steps={decay})"
        self.want = reference.call(FUNCTION, *shown_args, view=shown).value
        self.want_train = reference.call(FUNCTION, *trained_args, view=trained).value["train"]
        with inputs(public=True):
            self.got = _call(student, shown_args, shown, settings)
        with inputs(public=False):
            self.got_train = _call(student, trained_args, trained, settings)

    def agent(self):
        """The student's agent's description; the call's failure, or Mismatch if it is not a DqnAgent."""
        return kit.expect_description(_outcome(self.got), "a DqnAgent", "is_dqn_agent", DESCRIBED)

    def training(self):
        """The student's agent's training step on the hidden batch (loss, weights after), as ``agent``."""
        trained = kit.expect_description(_outcome(self.got_train), "a DqnAgent", "is_dqn_agent", ("train",))
        return kit.expect_description(trained["train"], "the training step", keys=("loss", "weights"))


def _call(student, args, view, settings):
    """The description of the student's agent, or the call's failure."""
    try:
        return student.call(FUNCTION, *args, view=view, timeout=settings.train_timeout_s).value
    except CallFailed as failure:
        return failure


def _outcome(described):
    if isinstance(described, CallFailed):
        raise described
    return described


@pytest.fixture(scope="module")
def built(student, reference, settings, module_rng):
    return Built(student, reference, settings, module_rng)


@graded(FUNCTION, HINT)
def test_discount_and_target_updates(built):
    """Discounts by gamma = 0.99 and copies the Q-network into the target network every 2,000 steps."""
    with calling(built.call, public=True):
        got = built.agent()
        for key in ("gamma", "target_update_period", "target_update_tau"):
            expect_true(
                kit.same(got[key], built.want[key]), f"expected {key} = {built.want[key]}, got {str(got[key])[:40]}"
            )


@graded(FUNCTION, HINT)
def test_rmsprop_of_the_dqn_paper(built):
    """Learns with RMSprop: learning rate 2.5e-4, rho 0.95, no momentum, epsilon 1e-5, centred."""
    with calling(built.call, public=True):
        got, want = built.agent()["optimizer"], built.want["optimizer"]
        got = got if isinstance(got, dict) else {}
        for key in OPTIMIZER_SETTINGS:
            expect_true(
                kit.same(got.get(key), want[key]),
                f"expected the optimizer's {key} = {want[key]!r}, got {str(got.get(key))[:40]}",
            )


@graded(FUNCTION, HINT)
def test_huber_td_loss(built):
    """Measures the TD errors with the Huber loss, one value per error."""
    errors = TD_ERRORS.ravel().astype(np.float64)
    want = np.where(np.abs(errors) <= 1, 0.5 * errors**2, np.abs(errors) - 0.5)
    with calling(f"{built.call}, then its td_errors_loss_fn on TD errors {errors.tolist()}", public=True):
        got = built.agent()["td_losses"]
        expect_true(
            isinstance(got, np.ndarray) and got.size == want.size,
            f"expected one loss per TD error ({want.size}), got {np.size(got)} values",
            hint='Pass keras.losses.Huber(reduction="none"): DqnAgent needs a loss per transition.',
        )
        expect_array(got.ravel(), want, rtol=1e-6, what="the TD losses")


@graded(FUNCTION, HINT)
def test_epsilon_falls_linearly_to_0_01(built, settings):
    """Explores with an epsilon that falls linearly from 1 to 0.01 over epsilon_decay_steps training steps."""
    steps = [
        0,
        settings.epsilon_decay_steps // 4,
        settings.epsilon_decay_steps // 2,
        settings.epsilon_decay_steps,
        2 * settings.epsilon_decay_steps,
    ]
    with calling(f"{built.call}, then its epsilon_greedy at training steps {steps}", public=True):
        expect_array(
            np.array(built.agent()["epsilon"]),
            built.want["epsilon"],
            rtol=1e-5,
            what="epsilon",
            hint="keras.optimizers.schedules.PolynomialDecay(1.0, epsilon_decay_steps, 0.01) of the "
            "agent's train_step_counter, passed as epsilon_greedy=lambda: epsilon_fn(train_step).",
        )


@graded(FUNCTION, HINT)
def test_one_training_step(built, settings):
    """One agent.train on a hidden batch from hidden weights gives the reference's loss and weights."""
    with calling(f"{built.call} with hidden weights, then agent.train on a hidden batch", public=False):
        got, want = built.training(), built.want_train
        expect_array(
            got["loss"],
            want["loss"],
            rtol=settings.rtol,
            what="the training loss",
            hint="Did you call agent.initialize()? It copies the Q-network's weights into the target network.",
        )
        weights = got["weights"] if isinstance(got["weights"], list) else []
        expect_true(len(weights) == len(want["weights"]), f"expected {len(want['weights'])} weights after the step")
        for index, (new, expected) in enumerate(zip(weights, want["weights"])):
            expect_array(new, expected, rtol=settings.rtol, what=f"weight {index} after the step")
