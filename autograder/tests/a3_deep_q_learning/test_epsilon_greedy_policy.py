"""Hidden tests of ``epsilon_greedy_policy(model, state, epsilon=0.0) -> int``."""

import numpy as np

from autograder.assignments import dqn_net
from autograder.assignments.envs import valid_action
from autograder.grading import CountCheck, DQNModel, calling, expect_true, graded, kind_of, seeded, statistical

FUNCTION = "epsilon_greedy_policy"
HINT = (
    "With probability epsilon return np.random.randint(n_outputs) (any action, uniformly); otherwise "
    "the argmax of model(state[np.newaxis])[0], as an int."
)


def constant_q_model(settings, q_values):
    """A Q-network whose outputs are q_values whatever the state (zero kernels in the last layer)."""
    hidden = settings.hidden_units
    return DQNModel(
        [
            np.zeros((4, hidden), np.float32),
            np.zeros(hidden, np.float32),
            np.zeros((hidden, hidden), np.float32),
            np.zeros(hidden, np.float32),
            np.zeros((hidden, len(q_values)), np.float32),
            np.asarray(q_values, np.float32),
        ]
    )


@graded(FUNCTION, HINT)
def test_greedy_when_epsilon_is_zero(student, reference, make_weights, rng):
    """With epsilon = 0, takes the action with the highest Q-value, on hidden states and networks."""
    for _ in range(3):
        model = DQNModel(make_weights())
        for _ in range(8):
            state = rng.normal(0, 1, 4).astype(np.float32)
            with calling(
                "epsilon_greedy_policy(model, state, epsilon=0.0) on hidden networks and states", public=False
            ):
                got = student.call(FUNCTION, model, state, 0.0)
                expect_true(
                    valid_action(got, 2) == reference.call(FUNCTION, model, state, 0.0),
                    "the action is not the one with the highest Q-value",
                )


@graded(FUNCTION, HINT)
def test_returns_an_action_the_environment_accepts(student, settings):
    """Returns a Python int (or a NumPy integer) that CartPole's step() accepts."""
    with calling("epsilon_greedy_policy(model, state) with Q-values [1.0, 0.0]", public=True):
        got = student.call(FUNCTION, constant_q_model(settings, [1.0, 0.0]), np.zeros(4, np.float32))
        expect_true(
            valid_action(got, 2) is not None,
            f"env.step() would reject {kind_of(got)}",
            f"env.step() would reject {got!r} ({kind_of(got)})",
        )


@graded(FUNCTION, HINT + " Call model(...) rather than model.predict(...), which is far slower on one state.")
def test_does_not_call_predict(student, settings):
    """Computes the Q-values with model(...), not model.predict(...), and acts greedily on them."""
    with calling(
        "epsilon_greedy_policy(model, state) with Q-values [1.0, 0.0] (the grader's model answers "
        "predict() with other values, so the action shows which was called)",
        public=True,
    ):
        got = student.call(
            FUNCTION,
            DQNModel(constant_q_model(settings, [1.0, 0.0]).weights, predict_decoy=True),
            np.zeros(4, np.float32),
        )
        action = valid_action(got, 2)
        expect_true(
            action != 1,
            "it took action 1, the best one by model.predict(), which this test's model "
            "answers differently from model(...): it called model.predict()",
        )
        expect_true(action == 0, "it did not return action 0, the one of highest Q-value")


LOW_EPSILONS, HIGH_EPSILONS = (0.02, 0.1), (0.8, 1.0)
NETWORKS = 4


def exploration_calls(settings):
    """The exploration check's hidden calls, the same at every grading: the networks, then (network, state,
    epsilon, greedy action) per call, half of them with a small epsilon and half with a large one. States
    whose two Q-values nearly tie are skipped: float32 could break the tie either way."""
    rng = seeded(settings, "exploration")
    networks = [random_q_network(rng, settings) for _ in range(NETWORKS)]
    calls = []
    while len(calls) < settings.sampling_calls:
        network = len(calls) % NETWORKS
        state = rng.normal(0, 1, 4).astype(np.float32)
        q_values = dqn_net.q_values(networks[network], state[None])[0]
        epsilon = float(rng.uniform(*(LOW_EPSILONS if len(calls) % 2 == 0 else HIGH_EPSILONS)))
        if abs(q_values[0] - q_values[1]) > 1e-3 * max(1.0, float(np.abs(q_values).max())):
            calls.append((network, state, epsilon, int(np.argmax(q_values))))
    return networks, calls


def random_q_network(rng, settings):
    sizes = [4, settings.hidden_units, settings.hidden_units, 2]
    return [
        array
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:])
        for array in (
            rng.normal(0, 1 / np.sqrt(fan_in), (fan_in, fan_out)).astype(np.float32),
            rng.normal(0, 0.1, fan_out).astype(np.float32),
        )
    ]


EXPLORING = {  # P(the action is not the greedy one), with two actions, as a function of epsilon
    "correct": lambda epsilon: epsilon / 2,
    "never explores": lambda epsilon: 0.0,
    "explores with probability 1 - epsilon": lambda epsilon: (1 - epsilon) / 2,
    "explores half the time whatever epsilon": lambda epsilon: 0.25,
    "explores among the other actions only": lambda epsilon: epsilon,
}


def exploration_check(settings):
    """Non-greedy actions counted apart in the calls with small and with large epsilons."""
    _, calls = exploration_calls(settings)

    def groups(behaviour):
        return [[EXPLORING[behaviour](epsilon) for _, _, epsilon, _ in calls[start::2]] for start in (0, 1)]

    return (
        CountCheck.of(groups("correct"), settings.max_false_fail),
        {name: groups(name) for name in EXPLORING if name != "correct"},
    )


@statistical(exploration_check)
@graded(FUNCTION, HINT)
def test_explores_with_probability_epsilon(student, settings):
    """Takes a random action with probability epsilon, on hidden networks, states and epsilons.

    False-fail rate: 4.9e-07. Each of the settings.sampling_calls calls has its own
    hidden network (one of 4), state and epsilon, small (0.02 to 0.1) in half of them
    and large (0.8 to 1) in the other half; a correct policy leaves the greedy action
    with probability epsilon / 2 (two actions). The non-greedy actions are counted
    apart in the two halves, and the test fails when a count is outside the interval
    from ``stats.acceptance`` for its exact (Poisson-binomial) distribution, with
    tails of max_false_fail / 2 each; the union bound gives the rate above.
    Power against 'never explores': 1.
    Power against 'explores with probability 1 - epsilon': 1.
    Power against 'explores half the time whatever epsilon': 1 - 6.1e-05.
    Power against 'explores among the other actions only': 1.
    """
    networks, calls = exploration_calls(settings)
    check, _ = exploration_check(settings)
    with calling(
        f"epsilon_greedy_policy(model, state, epsilon) {len(calls)} times on hidden networks, states and epsilons",
        public=False,
    ):
        explored = [0, 0]
        for index, (network, state, epsilon, greedy) in enumerate(calls):
            action = valid_action(student.call(FUNCTION, DQNModel(networks[network]), state, epsilon), 2)
            expect_true(action is not None, "some results are not actions 0 or 1")
            explored[index % 2] += action != greedy
        expect_true(
            check.passes(explored),
            "the non-greedy actions are not as frequent as epsilon / 2 (a random "
            "action with probability epsilon, any of the actions)",
            hint="Explore when np.random.rand() < epsilon, with a uniformly random action among all of "
            "them (the greedy one included).",
        )
