"""Hidden tests of ``play_one_step(env, state, epsilon, model, replay_buffer) ->
(next_state, reward, done, truncated, info)``.

The environment is the grader's CartPole; ``epsilon_greedy_policy`` is served by
the grader during these calls (greedy from the model's weights when epsilon is 0),
so a bug in the student's policy does not cost points here.
"""

import numpy as np

from autograder.assignments import dqn_net
from autograder.assignments.envs import EnvServer, cartpole
from autograder.assignments.oracles.arguments import bind, weights_of
from autograder.grading import (
    DQNModel,
    GraderEnv,
    Mismatch,
    ReplayBuffer,
    calling,
    expect_array,
    expect_list,
    expect_true,
    flag,
    graded,
    number,
)

FUNCTION = "play_one_step"
HINT = (
    "action = epsilon_greedy_policy(model, state, epsilon); next_state, reward, done, truncated, info = "
    "env.step(action); append (state, action, reward, next_state, done, truncated) to replay_buffer and "
    "return (next_state, reward, done, truncated, info)."
)
EMPTY_BUFFER = [
    np.zeros((0, 4), np.float32),
    np.zeros(0, np.int64),
    np.zeros(0),
    np.zeros((0, 4), np.float32),
    np.zeros(0, bool),
    np.zeros(0, bool),
]


class GreedyPolicy:
    """Stands in for epsilon_greedy_policy: the greedy action of the model's weights; records its answers."""

    def __init__(self):
        self.actions = []

    def __call__(self, args, kwargs):
        model, state, _ = bind("epsilon_greedy_policy", ("model", "state", "epsilon"), args, kwargs)
        self.actions.append(dqn_net.greedy_action(weights_of(model, "epsilon_greedy_policy"), state))
        return self.actions[-1]


def play(student, rng, make_weights, max_episode_steps=None, steps_before=0):
    """One call after ``steps_before`` grader steps; the result, the environment and the policy's answers."""
    server = EnvServer(cartpole(max_episode_steps), seed=int(rng.integers(2**31)))
    server.reset()
    for step in range(steps_before):
        server.step(step % 2)
    state, policy = server.obs, GreedyPolicy()
    reply = student.call(
        FUNCTION,
        GraderEnv(server),
        state,
        0.0,
        DQNModel(make_weights()),
        ReplayBuffer(EMPTY_BUFFER, 1000),
        helpers={"epsilon_greedy_policy": policy},
        view={"result": "plain", "args_after": [4]},
    )
    return reply, server, policy, state


@graded(FUNCTION, HINT)
def test_plays_the_policys_action_once(student, rng, make_weights):
    """Steps the environment once, with the action epsilon_greedy_policy chose."""
    with calling("play_one_step(env, state, 0.0, model, replay_buffer)", public=True):
        _, server, policy, _ = play(student, rng, make_weights)
        steps = [step for step in server.log if step.action is not None]
        expect_true(len(steps) == 1, f"env.step() was called {len(steps)} times; expected once")
        expect_true(
            policy.actions and steps[0].action == policy.actions[-1],
            "the action played is not the one epsilon_greedy_policy returned",
        )


@graded(FUNCTION, HINT)
def test_returns_the_steps_outcome(student, rng, make_weights):
    """Returns the step's (next_state, reward, done, truncated, info)."""
    with calling("play_one_step(env, state, 0.0, model, replay_buffer)", public=True):
        reply, server, _, _ = play(student, rng, make_weights)
        next_state, reward, done, truncated, _ = expect_list(reply.value, 5, what="the result")
        expect_array(next_state, server.obs, rtol=0, atol=0, what="next_state")
        expect_true(
            [number(reward, "the reward"), flag(done, "done"), flag(truncated, "truncated")] == [1.0, False, False],
            "reward, done and truncated are not the step's (1.0, False, False)",
        )


@graded(FUNCTION, HINT)
def test_stores_the_experience(student, rng, make_weights):
    """Appends (state, action, reward, next_state, done, truncated) to the replay buffer, once."""
    with calling("play_one_step(env, state, 0.0, model, replay_buffer) with an empty replay_buffer", public=True):
        reply, server, _, state = play(student, rng, make_weights)
        stored = expect_list(reply.args_after.get("4"), 1, what="the replay buffer after the call")
        experience = expect_list(stored[0], 6, what="the stored experience")
        expect_array(experience[0], state, rtol=0, atol=0, what="the stored state")
        expect_array(experience[3], server.obs, rtol=0, atol=0, what="the stored next_state")
        step = server.log[-1]
        if [
            number(experience[1], "the action"),
            number(experience[2], "the reward"),
            flag(experience[4], "done"),
            flag(experience[5], "truncated"),
        ] != [step.action, step.reward, step.terminated, step.truncated]:
            raise Mismatch("the stored action, reward, done and truncated are not the step's")


@graded(FUNCTION, HINT + " done is terminated; truncated stays separate, gymnasium style.")
def test_keeps_done_and_truncated_apart(student, rng, make_weights):
    """On the step that truncates the episode, returns and stores done = False and truncated = True."""
    with calling(
        "play_one_step(env, state, 0.0, model, replay_buffer) on the last step of an environment limited to 5 steps",
        public=True,
    ):
        reply, _, _, _ = play(student, rng, make_weights, max_episode_steps=5, steps_before=4)
        outcome = expect_list(reply.value, 5, what="the result")
        expect_true(
            [flag(outcome[2], "done"), flag(outcome[3], "truncated")] == [False, True],
            "the returned done and truncated should be False and True",
        )
        stored = expect_list(reply.args_after.get("4"), 1, what="the replay buffer after the call")
        experience = expect_list(stored[0], 6, what="the stored experience")
        expect_true(
            [flag(experience[4], "done"), flag(experience[5], "truncated")] == [False, True],
            "the stored done and truncated should be False and True",
        )
