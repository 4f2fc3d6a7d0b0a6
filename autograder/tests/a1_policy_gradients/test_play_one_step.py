"""Hidden tests of ``play_one_step(env, obs, model, loss_fn) -> (obs, reward, done, grads)``.

The environment is the grader's own CartPole, seen through a proxy: the grader
knows which action was played. The model is the lesson's network with the
grader's weights, built by the kit.
"""

import math

import numpy as np

from autograder import policy_net
from autograder.checks import calling, expect_array, expect_list, expect_true, flag, graded, number, statistical
from autograder.envs import EnvServer, cartpole
from autograder.probes import GraderEnv, Loss, PolicyModel
from autograder.stats import binomial_acceptance

FUNCTION = "play_one_step"
HINT = ("Sample the action from P(left) = model(obs[np.newaxis]) (left when a uniform draw is below it), take "
        "the target 1 - action, compute the loss in a GradientTape, then env.step(action) once and return "
        "(obs, reward, terminated or truncated, grads).")


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
    server = EnvServer(cartpole(), seed=int(rng.integers(2 ** 31)))
    server.reset()
    start = len(server.log)
    with calling("play_one_step(env, obs, model, loss_fn) right after env.reset()", public=True):
        obs, reward, _, _ = play(student, server, random_weights(rng))
        expect_true(len(steps_since(server, start)) == 1, f"env.step() was called {len(steps_since(server, start))} "
                    "times; expected once")
        expect_array(obs, server.obs, rtol=0, atol=0, what="the returned obs (the one env.step() returned)")
        expect_true(number(reward, "the reward") == 1.0, "the returned reward is not the one env.step() returned")


@graded(FUNCTION, HINT)
def test_not_done_in_mid_episode(student, rng):
    """Returns done = False when the episode goes on."""
    server = EnvServer(cartpole(), seed=int(rng.integers(2 ** 31)))
    server.reset()
    with calling("play_one_step(env, obs, model, loss_fn) right after env.reset()", public=True):
        done = flag(play(student, server, random_weights(rng))[2], "done")
        expect_true(done is False, "done should be False: the pole is still up and the time limit is far")


@graded(FUNCTION, HINT)
def test_done_when_the_pole_falls(student, rng):
    """Returns done = True when the step terminates the episode."""
    server = EnvServer(cartpole(), seed=int(rng.integers(2 ** 31)))
    server.reset()
    server.set_state([0.0, 0.0, 0.2, 2.0])  # the pole is about to pass 12 degrees whatever the action
    with calling("play_one_step(env, obs, model, loss_fn) when the pole is about to fall", public=True):
        done = flag(play(student, server, random_weights(rng))[2], "done")
        expect_true(done is True, "done should be True: the step terminated the episode")


@graded(FUNCTION, HINT + " done must be True for a truncated episode too.")
def test_done_when_time_runs_out(student, rng, settings):
    """Returns done = True when the step truncates the episode (its time limit)."""
    server = EnvServer(cartpole(max_episode_steps=settings.truncation_steps), seed=int(rng.integers(2 ** 31)))
    server.reset()
    for step in range(settings.truncation_steps - 1):
        server.step(step % 2)
    with calling(f"play_one_step(env, obs, model, loss_fn) on step {settings.truncation_steps} of an "
                 f"environment limited to {settings.truncation_steps} steps", public=True):
        done = flag(play(student, server, random_weights(rng))[2], "done")
        expect_true(server.log[-1].truncated, "the environment was not stepped")
        expect_true(done is True, "done should be True: the step truncated the episode")


@graded(FUNCTION, HINT)
def test_gradients_favour_the_action_taken(student, rng, settings):
    """Returns the gradients of the loss between target 1 - action and P(left), on hidden weights and states."""
    for _ in range(6):
        server = EnvServer(cartpole(), seed=int(rng.integers(2 ** 31)))
        server.reset()
        weights, obs = random_weights(rng), server.obs
        with calling("play_one_step(env, obs, model, loss_fn) with hidden weights, 6 times", public=False):
            grads = expect_list(play(student, server, weights)[3], 4, what="grads (one per trainable variable)")
            action = server.log[-1].action
            want = [stacked[0] for stacked in policy_net.bce_gradients(weights, obs[None], [action])]
            for index, (got, expected) in enumerate(zip(grads, want)):
                expect_array(got, expected, rtol=settings.grad_rtol, atol=1e-6,
                             what=f"the gradient of variable {index}",
                             hint="The target probability of going left is 1 - action: 1 after action 0, "
                                  "0 after action 1.")


def sampling_acceptance(settings):
    return binomial_acceptance(settings.sampling_calls, settings.sampling_p_left, settings.max_false_fail)


@statistical(lambda settings: sampling_acceptance(settings).false_fail)
@graded(FUNCTION, HINT)
def test_samples_left_with_the_models_probability(student, rng, settings):
    """Goes left with the probability the model outputs (0.25 here), over many calls.

    False-fail rate: 9.3e-07. A correct sampler goes left a Binomial(n, 0.25) number
    of times in n = settings.sampling_calls calls; the test fails when the count is
    outside the interval from ``stats.binomial_acceptance``, whose two tails hold
    that probability (computed exactly; at most settings.max_false_fail).
    """
    logit = math.log(settings.sampling_p_left / (1 - settings.sampling_p_left))
    weights = [np.zeros((4, 5), np.float32), np.zeros(5, np.float32), np.ones((5, 1), np.float32),
               np.array([logit], np.float32)]  # P(left) = sigmoid(logit) whatever the observation
    server = EnvServer(cartpole(), seed=int(rng.integers(2 ** 31)))
    server.reset()
    start = len(server.log)
    acceptance = sampling_acceptance(settings)
    with calling(f"play_one_step(env, obs, model, loss_fn) {settings.sampling_calls} times with a model whose "
                 f"P(left) is {settings.sampling_p_left}", public=True):
        for _ in range(settings.sampling_calls):
            if server.log[-1].terminated or server.log[-1].truncated:
                server.reset()
            play(student, server, weights)
        actions = [step.action for step in steps_since(server, start)]
        expect_true(len(actions) == settings.sampling_calls, "env.step() was not called once per call")
        lefts = actions.count(0)
        expect_true(lefts in acceptance, f"went left {lefts} times in {len(actions)} calls; a sampler with "
                    f"P(left) = {settings.sampling_p_left} goes left between {acceptance.low} and "
                    f"{acceptance.high} times except with probability {acceptance.false_fail:.1g}",
                    hint="Go left when tf.random.uniform([1, 1]) is below P(left): action = uniform > P(left).")
