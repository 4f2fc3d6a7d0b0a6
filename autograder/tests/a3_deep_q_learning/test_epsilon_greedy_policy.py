"""Hidden tests of ``epsilon_greedy_policy(model, state, epsilon=0.0) -> int``."""

import numpy as np

from autograder.checks import calling, expect_true, graded, kind_of, statistical
from autograder.envs import valid_action
from autograder.probes import DQNModel
from autograder.stats import binomial_acceptance

FUNCTION = "epsilon_greedy_policy"
HINT = ("With probability epsilon return np.random.randint(n_outputs) (any action, uniformly); otherwise "
        "the argmax of model(state[np.newaxis])[0], as an int.")


def constant_q_model(settings, q_values):
    """A Q-network whose outputs are q_values whatever the state (zero kernels in the last layer)."""
    hidden = settings.hidden_units
    return DQNModel([np.zeros((4, hidden), np.float32), np.zeros(hidden, np.float32),
                     np.zeros((hidden, hidden), np.float32), np.zeros(hidden, np.float32),
                     np.zeros((hidden, len(q_values)), np.float32), np.asarray(q_values, np.float32)])


@graded(FUNCTION, HINT)
def test_greedy_when_epsilon_is_zero(student, reference, make_weights, rng):
    """With epsilon = 0, takes the action with the highest Q-value, on hidden states and networks."""
    for _ in range(3):
        model = DQNModel(make_weights())
        for _ in range(8):
            state = rng.normal(0, 1, 4).astype(np.float32)
            with calling("epsilon_greedy_policy(model, state, epsilon=0.0) on hidden networks and states",
                         public=False):
                got = student.call(FUNCTION, model, state, 0.0)
                expect_true(valid_action(got, 2) == reference.call(FUNCTION, model, state, 0.0),
                            "the action is not the one with the highest Q-value")


@graded(FUNCTION, HINT)
def test_returns_an_action_the_environment_accepts(student, settings):
    """Returns a Python int (or a NumPy integer) that CartPole's step() accepts."""
    with calling("epsilon_greedy_policy(model, state) with Q-values [1.0, 0.0]", public=True):
        got = student.call(FUNCTION, constant_q_model(settings, [1.0, 0.0]), np.zeros(4, np.float32))
        expect_true(valid_action(got, 2) is not None, f"env.step() would reject {kind_of(got)}",
                    f"env.step() would reject {got!r} ({kind_of(got)})")


@graded(FUNCTION, HINT + " Call model(...) rather than model.predict(...), which is far slower on one state.")
def test_does_not_call_predict(student, settings):
    """Computes the Q-values with model(...), not model.predict(...), and acts greedily on them."""
    with calling("epsilon_greedy_policy(model, state) with Q-values [1.0, 0.0]", public=True):
        reply = student.call(FUNCTION, constant_q_model(settings, [1.0, 0.0]), np.zeros(4, np.float32),
                             view={"result": "plain", "predict_calls": [0]})
        expect_true(valid_action(reply.value, 2) == 0, "it did not return action 0, the one of highest Q-value")
        expect_true(reply.predict_calls.get("0") == 0, "it called model.predict()")


def exploration_acceptance(settings):
    """Random actions pick the non-greedy one of two half the time: P = epsilon / 2."""
    return binomial_acceptance(settings.sampling_calls, settings.sampling_epsilon / 2, settings.max_false_fail)


@statistical(lambda settings: exploration_acceptance(settings).false_fail)
@graded(FUNCTION, HINT)
def test_explores_with_probability_epsilon(student, settings):
    """With epsilon = 0.3 and two actions, takes the non-greedy action 15% of the time.

    False-fail rate: 6.2e-07. A correct policy takes the non-greedy action a
    Binomial(n, epsilon / 2) number of times in n = settings.sampling_calls calls; the
    test fails when the count is outside the interval from ``stats.binomial_acceptance``,
    whose two tails hold that probability (computed exactly; at most
    settings.max_false_fail).
    """
    model, state = constant_q_model(settings, [1.0, 0.0]), np.zeros(4, np.float32)
    acceptance = exploration_acceptance(settings)
    with calling(f"epsilon_greedy_policy(model, state, epsilon={settings.sampling_epsilon}) "
                 f"{settings.sampling_calls} times, with Q-values [1.0, 0.0]", public=True):
        actions = [valid_action(student.call(FUNCTION, model, state, settings.sampling_epsilon), 2)
                   for _ in range(settings.sampling_calls)]
        expect_true(None not in actions, "some results are not actions 0 or 1")
        explored = actions.count(1)
        expect_true(explored in acceptance, f"took action 1 {explored} times in {len(actions)} calls; an "
                    f"epsilon-greedy policy takes it between {acceptance.low} and {acceptance.high} times "
                    f"except with probability {acceptance.false_fail:.1g}")
