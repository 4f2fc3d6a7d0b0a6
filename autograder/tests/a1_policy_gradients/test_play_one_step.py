"""Hidden tests of ``play_one_step(env, obs, model, loss_fn) -> (obs, reward, done, grads)``.

The environment is the grader's own CartPole, seen through a proxy: the grader
knows which action was played. The model is the lesson's network with the
grader's weights, built by the kit.
"""

import numpy as np

from autograder.assignments import policy_net
from autograder.assignments.envs import EnvServer, cartpole
from autograder.grading import (
    CountCheck,
    GraderEnv,
    Loss,
    PolicyModel,
    calling,
    expect_array,
    expect_list,
    expect_true,
    flag,
    graded,
    number,
    seeded,
    statistical,
)

FUNCTION = "play_one_step"
HINT = (
    "Sample the action from P(left) = model(obs[np.newaxis]) (left when a uniform draw is below it), take "
    "the target 1 - action, compute the loss in a GradientTape, then env.step(action) once and return "
    "(obs, reward, terminated or truncated, grads)."
)


def random_weights(rng):
    return [rng.normal(0, 0.5, shape).astype(np.float32) for shape in ((4, 5), (5,), (5, 1), (1,))]


def play(student, server, weights):
    """One call on the grader's environment in its current state; the result as a 4-item list."""
    got = student.call(FUNCTION, GraderEnv(server), server.obs, PolicyModel(weights), Loss("binary_crossentropy"))
    return expect_list(got, 4, what="play_one_step's result (obs, reward, done, grads)")


def steps_since(server, start):
    return [step for step in server.log[start:] if step.action is not None]


@graded(FUNCTION, HINT)
def test_steps_the_environment_once(student, rng):
    """Plays exactly one step and returns that step's observation and reward."""
    server = EnvServer(cartpole(), seed=int(rng.integers(2**31)))
    server.reset()
    start = len(server.log)
    with calling("play_one_step(env, obs, model, loss_fn) right after env.reset()", public=True):
        obs, reward, _, _ = play(student, server, random_weights(rng))
        expect_true(
            len(steps_since(server, start)) == 1,
            f"env.step() was called {len(steps_since(server, start))} times; expected once",
        )
        expect_array(obs, server.obs, rtol=0, atol=0, what="the returned obs (the one env.step() returned)")
        expect_true(number(reward, "the reward") == 1.0, "the returned reward is not the one env.step() returned")


@graded(FUNCTION, HINT)
def test_not_done_in_mid_episode(student, rng):
    """Returns done = False when the episode goes on."""
    server = EnvServer(cartpole(), seed=int(rng.integers(2**31)))
    server.reset()
    with calling("play_one_step(env, obs, model, loss_fn) right after env.reset()", public=True):
        done = flag(play(student, server, random_weights(rng))[2], "done")
        expect_true(done is False, "done should be False: the pole is still up and the time limit is far")


@graded(FUNCTION, HINT)
def test_done_when_the_pole_falls(student, rng):
    """Returns done = True when the step terminates the episode."""
    server = EnvServer(cartpole(), seed=int(rng.integers(2**31)))
    server.reset()
    server.set_state([0.0, 0.0, 0.2, 2.0])  # the pole is about to pass 12 degrees whatever the action
    with calling("play_one_step(env, obs, model, loss_fn) when the pole is about to fall", public=True):
        done = flag(play(student, server, random_weights(rng))[2], "done")
        expect_true(done is True, "done should be True: the step terminated the episode")


@graded(FUNCTION, HINT + " done must be True for a truncated episode too.")
def test_done_when_time_runs_out(student, rng, settings):
    """Returns done = True when the step truncates the episode (its time limit)."""
    server = EnvServer(cartpole(max_episode_steps=settings.truncation_steps), seed=int(rng.integers(2**31)))
    server.reset()
    for step in range(settings.truncation_steps - 1):
        server.step(step % 2)
    with calling(
        f"play_one_step(env, obs, model, loss_fn) on step {settings.truncation_steps} of an "
        f"environment limited to {settings.truncation_steps} steps",
        public=True,
    ):
        done = flag(play(student, server, random_weights(rng))[2], "done")
        expect_true(server.log[-1].truncated, "the environment was not stepped")
        expect_true(done is True, "done should be True: the step truncated the episode")


@graded(FUNCTION, HINT)
def test_gradients_favour_the_action_taken(student, rng, settings):
    """Returns the gradients of the loss between target 1 - action and P(left), on hidden weights and states."""
    for _ in range(6):
        server = EnvServer(cartpole(), seed=int(rng.integers(2**31)))
        server.reset()
        weights, obs = random_weights(rng), server.obs
        with calling("play_one_step(env, obs, model, loss_fn) with hidden weights, 6 times", public=False):
            grads = expect_list(play(student, server, weights)[3], 4, what="grads (one per trainable variable)")
            action = server.log[-1].action
            want = [stacked[0] for stacked in policy_net.bce_gradients(weights, obs[None], [action])]
            for index, (got, expected) in enumerate(zip(grads, want)):
                expect_array(
                    got,
                    expected,
                    rtol=settings.grad_rtol,
                    atol=1e-6,
                    what=f"the gradient of variable {index}",
                    hint="The target probability of going left is 1 - action: 1 after action 0, 0 after action 1.",
                )


def sampling_calls(settings):
    """The sampling check's hidden inputs, the same at every grading: the policy's weights, and a CartPole state
    per call where the policy's P(left) is between 0.1 and 0.4 (the grader puts its environment in each)."""
    rng = seeded(settings, "sampling")
    weights = random_weights(rng)
    weights[3] = weights[3] - 1.1  # P(left) about 0.25 on average
    states = []
    while len(states) < settings.sampling_calls:
        state = rng.uniform(-0.05, 0.05, 4) * np.array([20, 20, 2, 20])
        if 0.1 <= policy_net.p_left(weights, state.astype(np.float32)) <= 0.4:
            states.append(state)
    return weights, states


SAMPLING = {  # P(left) of a call, given the model's P(left) p
    "correct": lambda p: p,
    "always takes the likelier action": lambda p: float(p > 0.5),
    "P(left) used as P(right)": lambda p: 1 - p,
}


def sampling_check(settings):
    """Calls that went left, counted over all calls."""
    weights, states = sampling_calls(settings)
    probabilities = [policy_net.p_left(weights, state.astype(np.float32)) for state in states]

    def groups(behaviour):
        return [[SAMPLING[behaviour](p) for p in probabilities]]

    return (
        CountCheck.of(groups("correct"), settings.max_false_fail),
        {name: groups(name) for name in SAMPLING if name != "correct"},
    )


@statistical(sampling_check)
@graded(FUNCTION, HINT)
def test_samples_left_with_the_models_probability(student, settings):
    """Goes left with the probability the model outputs, on hidden weights and states, over many calls.

    False-fail rate: 6.7e-07. Each call starts from its own hidden CartPole state, where
    the hidden policy's P(left) is between 0.1 and 0.4; a correct sampler goes left in
    each call with that probability. The lefts are counted over settings.sampling_calls
    calls, and the test fails when the count is outside the interval from
    ``stats.acceptance`` for its exact (Poisson-binomial) distribution, whose two tails
    hold that probability.
    Power against 'always takes the likelier action': 1.
    Power against 'P(left) used as P(right)': 1.
    """
    weights, states = sampling_calls(settings)
    check, _ = sampling_check(settings)
    server = EnvServer(cartpole(), seed=0)
    with calling(
        f"play_one_step(env, obs, model, loss_fn) {len(states)} times from hidden states, with a hidden model",
        public=False,
    ):
        lefts = 0
        for state in states:
            server.reset()
            server.set_state(state)
            start = len(server.log)
            play(student, server, weights)
            steps = steps_since(server, start)
            expect_true(len(steps) == 1, "env.step() was not called once per call")
            lefts += steps[0].action == 0
        expect_true(
            check.passes([lefts]),
            "it does not go left as often as the model's P(left) says",
            hint="Go left when tf.random.uniform([1, 1]) is below P(left): action = uniform > P(left).",
        )
