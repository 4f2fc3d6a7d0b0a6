"""Hidden tests of ``q_learning(step, exploration_policy, possible_actions, n_iterations=10000, alpha0=0.05,
decay=0.005, gamma=0.9, start_state=0, seed=None) -> np.ndarray``.

``step`` and ``exploration_policy`` are the grader's: it plays the MDP and draws
every random number itself, so a correct implementation follows exactly the
reference's run and no check depends on how the student uses random numbers.
False-fail rate: 0 (no check here is statistical).
"""

from autograder.assignments.mdp import LESSON, MDP, MDPServer, random_mdp
from autograder.grading import calling, expect_array, graded

FUNCTION = "q_learning"
HINT = (
    "Initialise Q like Q-value iteration (-inf for impossible actions, 0 otherwise); then, from "
    "start_state, each iteration: action = exploration_policy(state), next_state, reward = step(state, "
    "action), alpha = alpha0 / (1 + iteration * decay), Q[state, action] = (1 - alpha) * Q[state, action] + "
    "alpha * (reward + gamma * max(Q[next_state])), state = next_state."
)


def run(caller, mdp, seed, **kwargs):
    """A q_learning call with the grader's step and exploration policy, their draws seeded by ``seed``."""
    server = MDPServer(mdp, seed)
    step, explore = server.functions()
    return caller.call(FUNCTION, step, explore, mdp.possible_actions, **kwargs)


def check(student, reference, settings, mdp, seed, description, public, **kwargs):
    with calling(description, public=public):
        expect_array(
            run(student, mdp, seed, **kwargs),
            run(reference, mdp, seed, **kwargs),
            rtol=settings.rtol,
            what="the learned Q-values",
            floats=True,
        )


@graded(FUNCTION, HINT)
def test_lesson_mdp(student, reference, settings):
    """Matches the reference's Q-values on the lesson's MDP, with the default hyperparameters."""
    check(
        student,
        reference,
        settings,
        LESSON,
        settings.seed,
        f"q_learning(step, exploration_policy, possible_actions, n_iterations={settings.q_learning_iterations}) "
        "on the lesson's MDP, with the grader's step and exploration policy",
        public=True,
        n_iterations=settings.q_learning_iterations,
    )


@graded(FUNCTION, HINT)
def test_hidden_mdps_and_hyperparameters(student, reference, settings, rng):
    """Matches the reference on hidden MDPs, learning rates, decays, discounts and start states."""
    for _ in range(settings.hidden_mdps):
        mdp = random_mdp(rng, settings.max_states, settings.max_actions)
        kwargs = {
            "n_iterations": settings.q_learning_iterations,
            "alpha0": float(rng.uniform(0.01, 0.5)),
            "decay": float(rng.uniform(0, 0.01)),
            "gamma": float(rng.uniform(0.5, 0.99)),
            "start_state": int(rng.integers(len(mdp.possible_actions))),
        }
        check(
            student,
            reference,
            settings,
            mdp,
            int(rng.integers(2**31)),
            "q_learning on hidden MDPs and hyperparameters",
            public=False,
            **kwargs,
        )


SELF_LOOP = MDP([[[1.0]]], [[[1.0]]], [[0]])  # one state, one action, reward 1 forever


@graded(FUNCTION, HINT)
def test_power_scheduled_learning_rate(student, reference, settings):
    """Decays the learning rate as alpha0 / (1 + iteration * decay), from iteration 0."""
    check(
        student,
        reference,
        settings,
        SELF_LOOP,
        0,
        "q_learning(step, exploration_policy, [[0]], n_iterations=20, alpha0=0.5, decay=0.3, gamma=0.5) on a "
        "one-state MDP whose only action gives reward 1",
        public=True,
        n_iterations=20,
        alpha0=0.5,
        decay=0.3,
        gamma=0.5,
    )
