"""Hidden tests of ``play_multiple_episodes(env, n_episodes, n_max_steps, model, loss_fn)``.

``play_one_step`` is served by the grader during these calls: it steps the
grader's environment and records what it was given, so a bug in the student's
``play_one_step`` does not cost points here.
"""

from autograder.assignments import policy_net
from autograder.assignments.envs import EnvServer, cartpole
from autograder.assignments.oracles.policy_gradients import PlayOneStep
from autograder.grading import (
    GraderEnv,
    Loss,
    Mismatch,
    PolicyModel,
    calling,
    expect_array,
    expect_list,
    expect_true,
    graded,
)
from autograder.grading import number as number_of

FUNCTION = "play_multiple_episodes"
HINT = (
    "For each episode: obs, info = env.reset(), then up to n_max_steps calls of "
    "play_one_step(env, obs, model, loss_fn), appending each reward and grads, and stop the episode when "
    "done. Return (all_rewards, all_grads), one list per episode."
)


class Run:
    """One call on the grader's CartPole, with the served play_one_step."""

    def __init__(self, student, rng, n_episodes, n_max_steps):
        self.server = EnvServer(cartpole(), seed=int(rng.integers(2**31)))
        self.step_oracle = PlayOneStep(self.server, rng)
        self.n_episodes, self.n_max_steps = n_episodes, n_max_steps
        self.description = (
            f"play_multiple_episodes(env, n_episodes={n_episodes}, n_max_steps={n_max_steps}, model, loss_fn)"
        )
        self.result = student.call(
            FUNCTION,
            GraderEnv(self.server),
            n_episodes,
            n_max_steps,
            PolicyModel(policy_net.initial_weights(rng)),
            Loss("binary_crossentropy"),
            helpers={"play_one_step": self.step_oracle},
        )

    def rewards_and_grads(self):
        """The result, checked to hold a reward list and a gradient list per episode played."""
        played = len(self.server.episodes())
        expect_true(played == self.n_episodes, f"{played} episodes were played; expected {self.n_episodes}")
        all_rewards, all_grads = expect_list(self.result, 2, what="the result (all_rewards, all_grads)")
        expect_list(all_rewards, self.n_episodes, what="all_rewards (one list per episode)")
        expect_list(all_grads, self.n_episodes, what="all_grads (one list per episode)")
        return all_rewards, all_grads


@graded(FUNCTION, HINT)
def test_one_list_per_episode(student, rng):
    """Returns one reward list and one gradient list per episode."""
    with calling("play_multiple_episodes(env, n_episodes=4, n_max_steps=500, model, loss_fn)", public=True):
        Run(student, rng, 4, 500).rewards_and_grads()


@graded(FUNCTION, HINT)
def test_resets_before_each_episode(student, rng):
    """Resets the environment at the start of every episode."""
    with calling("play_multiple_episodes(env, n_episodes=3, n_max_steps=500, model, loss_fn)", public=True):
        run = Run(student, rng, 3, 500)
        resets = sum(step.action is None for step in run.server.log)
        expect_true(
            resets == 3 and run.server.log[0].action is None,
            f"env.reset() was called {resets} times, expected once before each of the 3 episodes",
        )


@graded(FUNCTION, HINT)
def test_passes_the_latest_observation(student, rng):
    """Gives play_one_step the observation from the latest reset or step."""
    with calling("play_multiple_episodes(env, n_episodes=2, n_max_steps=500, model, loss_fn)", public=True):
        run = Run(student, rng, 2, 500)
        run.rewards_and_grads()
        log = run.server.log
        latest = [log[index - 1].obs for index, step in enumerate(log) if step.action is not None]
        expect_true(len(run.step_oracle.given_obs) == len(latest), "play_one_step was not called once per step")
        for given, expected in zip(run.step_oracle.given_obs, latest):
            expect_array(given, expected, rtol=0, atol=0, what="the obs given to play_one_step")


@graded(FUNCTION, HINT)
def test_stops_an_episode_when_done(student, rng):
    """Ends an episode as soon as play_one_step returns done = True."""
    with calling("play_multiple_episodes(env, n_episodes=3, n_max_steps=500, model, loss_fn)", public=True):
        run = Run(student, rng, 3, 500)
        run.rewards_and_grads()
        for number, episode in enumerate(run.server.episodes()):
            done_at = next((index for index, step in enumerate(episode) if step.terminated or step.truncated), None)
            expect_true(
                done_at == len(episode) - 1,
                f"episode {number} went on after play_one_step returned done"
                if done_at is not None
                else f"episode {number} stopped before play_one_step returned done",
            )


@graded(FUNCTION, HINT)
def test_caps_episodes_at_n_max_steps(student, rng):
    """Plays at most n_max_steps steps per episode."""
    with calling("play_multiple_episodes(env, n_episodes=3, n_max_steps=5, model, loss_fn)", public=True):
        run = Run(student, rng, 3, 5)
        run.rewards_and_grads()
        lengths = [len(episode) for episode in run.server.episodes()]
        expect_true(
            lengths == [5, 5, 5],
            f"the episodes had {lengths} steps; expected [5, 5, 5] (CartPole cannot end within 5 steps of a reset)",
        )


@graded(FUNCTION, HINT)
def test_returns_every_reward_and_gradient(student, rng):
    """Returns, per episode, the rewards and gradients play_one_step returned, step by step."""
    with calling("play_multiple_episodes(env, n_episodes=3, n_max_steps=500, model, loss_fn)", public=True):
        run = Run(student, rng, 3, 500)
        all_rewards, all_grads = run.rewards_and_grads()
        returned = iter(run.step_oracle.returned)
        for number, (rewards, grads) in enumerate(zip(all_rewards, all_grads)):
            expect_list(
                grads,
                len(expect_list(rewards, len(run.server.episodes()[number]), what=f"the rewards of episode {number}")),
                what=f"the gradients of episode {number}",
            )
            for reward, step_grads in zip(rewards, grads):
                want_reward, _, want_grads = next(returned)
                if number_of(reward, "a reward") != want_reward:
                    raise Mismatch(f"a reward of episode {number} is not the one play_one_step returned")
                for index, (got, want) in enumerate(
                    zip(expect_list(step_grads, 4, what="one step's gradients"), want_grads)
                ):
                    expect_array(got, want, rtol=1e-6, atol=1e-7, what=f"gradient {index} of a step")
