"""Stand-ins for assignment 3's helpers while ``train_dqn`` is tested.

The grader plays every step in its own CartPole with its own random generator,
keeps a mirror of the student's replay buffer, samples the batches and takes every
training step itself (NumPy, the same maths as the reference): it holds the online
and target networks' weights, and after each training step it sets the new online
weights into the model the student's code passed (its output layer only, except
before a copy to the target is due: all of them). The student's ``train_dqn`` only
orchestrates; the stand-ins check that it does so as the notebook says (epsilon
schedule, warm-up, batches), and read back the target model's weights at every
training step: it must hold the online weights of the last multiple of the target
update period, which only a copy at the right moments gives it. What does not fit is
recorded.
The grader also follows the notebook's loop itself from the same start
(``follow_the_notebook``): the network every correct train_dqn ends with.
"""

import collections
import dataclasses

import gymnasium
import numpy as np

from autograder.assignments import dqn_net, envs, mlp
from autograder.assignments.envs import EnvServer, cartpole
from autograder.assignments.grader_cache import cached
from autograder.assignments.oracles import optimizers
from autograder.assignments.oracles.arguments import bind, effects, position
from autograder.grading.probes import KIT_KEY, Refusal

STEP_KINDS = {"training_step": "online", "fixed_target_training_step": "fixed", "double_dqn_training_step": "double"}
STEP_NAMES = {
    "online": ("model", "optimizer", "loss_fn", "experiences", "discount_factor", "n_outputs"),
    "fixed": ("model", "target_model", "optimizer", "loss_fn", "experiences", "discount_factor", "n_outputs"),
}
STEP_NAMES["double"] = STEP_NAMES["fixed"]


class DQNRun:
    """One train_dqn call's world as the grader runs it."""

    def __init__(self, server, rng, weights, optimizer, loss, settings):
        self.server, self.rng, self.optimizer, self.loss, self.settings = server, rng, optimizer, loss, settings
        self.online = [np.asarray(weight, dtype=np.float32) for weight in weights]
        self._acting = [np.asarray(weight, dtype=np.float64) for weight in self.online]  # online, for greedy play
        self.target = list(self.online)
        self.buffer = collections.deque(maxlen=settings["replay_buffer_size"])
        self.batch = None
        self.training_steps, self.steps_played = 0, 0
        self.problems = []

    def helpers(self):
        served = {"play_one_step": self.play_one_step, "sample_experiences": self.sample_experiences}
        for name, kind in STEP_KINDS.items():
            served[name] = self._training_step(name, kind)
        return served

    @property
    def episode(self):
        return len(self.server.reset_seeds) - 1

    def expected_epsilon(self):
        return max(
            1 - self.episode / (self.settings["epsilon_fraction"] * self.settings["n_episodes"]),
            self.settings["epsilon_min"],
        )

    def problem(self, text):
        if text not in self.problems:
            self.problems.append(text)

    def _check_model(self, model, function):
        """The model argument must be the online model the grader gave (a handle: only a bug of the student's
        loop shows here, and nothing the grader computes depends on it)."""
        if not (isinstance(model, dict) and model.get(KIT_KEY) == "model" and model.get("handle") == "online"):
            self.problem(f"{function} was not given the model")

    def _check_target(self, target):
        """The target model must hold the online weights as of the last multiple of the update period (its output
        layer is read back: every training step changes every layer, so a copy at any other moment shows there)."""
        period = self.settings["target_update_period"]
        if not _holds(target, self.target[-2:]):
            copied = self.training_steps // period * period
            held = f"the model's weights as of training step {copied}" if copied else "the weights it started with"
            self.problem(
                f"at training step {self.training_steps + 1}, the target model did not hold {held} (it gets "
                f"the model's weights every {period} training steps, after the step)"
            )

    # -- the helpers ------------------------------------------------------------
    def play_one_step(self, args, kwargs):
        names = ("env", "state", "epsilon", "model", "replay_buffer")
        _, state, epsilon, model, _ = bind("play_one_step", names, args, kwargs)
        if self.server.obs is None:
            raise Refusal("RuntimeError", "play_one_step() was called before the environment was reset")
        expected, given = self.expected_epsilon(), _number(epsilon)
        if given is None or not abs(given - expected) <= 1e-12 + 1e-9 * abs(expected):
            self.problem(f"in episode {self.episode}, epsilon was {epsilon!r}; the schedule gives {expected:g}")
        self._check_model(model, "play_one_step")
        if not (isinstance(state, np.ndarray) and np.array_equal(state, self.server.obs)):
            self.problem("play_one_step was not given the latest state")
        experience = self.play()
        _, _, reward, next_state, done, truncated = experience
        return effects(
            [next_state, reward, done, truncated, {}], append={position(names, args, "replay_buffer"): experience}
        )

    def sample_experiences(self, args, kwargs):
        replay_buffer, batch_size = bind("sample_experiences", ("replay_buffer", "batch_size"), args, kwargs)
        if not (
            isinstance(replay_buffer, dict)
            and replay_buffer.get(KIT_KEY) == "deque"
            and replay_buffer.get("length") == len(self.buffer)
            and self.buffer
            and _same(replay_buffer.get("newest"), list(self.buffer[-1]))
        ):
            self.problem("sample_experiences was not given the replay buffer that play_one_step filled")
        if batch_size != self.settings["batch_size"]:
            self.problem(f"sample_experiences was asked for {batch_size!r} experiences; expected batch_size")
        if self.episode < self.settings["warmup_episodes"]:
            self.problem("experiences were sampled during the warm-up episodes")
        return self.sample()

    def _training_step(self, name, kind):
        names = STEP_NAMES[kind]

        def serve(args, kwargs):
            values = dict(zip(names, bind(name, names, args, kwargs)))
            if name != "double_dqn_training_step":
                self.problem(f"train_dqn called {name}; it trains with double_dqn_training_step")
            self._check_model(values["model"], name)
            if kind != "online":
                self._check_target(values["target_model"])
            if self.batch is None or not _same(values["experiences"], self.batch):
                self.problem(f"{name} was not given the batch sample_experiences just returned")
            if self.episode < self.settings["warmup_episodes"]:
                self.problem("a training step was taken during the warm-up episodes")
            if _number(values["discount_factor"]) != self.settings["discount_factor"]:
                self.problem(f"{name} was given discount_factor={values['discount_factor']!r}")
            loss = self.train(kind)
            due = self.training_steps % self.settings["target_update_period"] == 0  # a copy comes next: all of them
            return effects(loss, set_weights={position(names, args, "model"): self.online if due else self.online[-2:]})

        return serve

    # -- what the helpers do, the grader's way ------------------------------------
    def play(self):
        """One step of the schedule's epsilon-greedy policy from the latest state; the experience, kept."""
        state = self.server.obs
        if self.rng.random() < self.expected_epsilon():
            action = int(self.rng.integers(2))
        else:
            action = dqn_net.greedy_action(self._acting, state)
        next_state, reward, done, truncated, _ = self.server.step(action)
        experience = [state, action, reward, next_state, done, truncated]
        self.buffer.append(experience)
        self.steps_played += 1
        return experience

    def sample(self):
        """A batch drawn uniformly from the replay buffer: six arrays."""
        indices = self.rng.integers(len(self.buffer), size=self.settings["batch_size"])
        self.batch = [np.array(column) for column in zip(*(self.buffer[index] for index in indices))]
        return self.batch

    def train(self, kind):
        """One training step on the latest batch (the target updated every period); the loss."""
        batch = self.batch
        targets = dqn_net.targets(kind, self.online, self.target, batch, self.settings["discount_factor"])
        loss, grads = dqn_net.loss_and_gradients(self.online, batch, targets, self.loss)
        stepped = self.optimizer.step([np.asarray(w, dtype=np.float64) for w in self.online], grads)
        self.online = [np.asarray(w, dtype=np.float32) for w in stepped]
        self._acting = [np.asarray(w, dtype=np.float64) for w in self.online]
        self.training_steps += 1
        if self.training_steps % self.settings["target_update_period"] == 0:
            self.target = list(self.online)
        return float(loss)

    def follow_the_notebook(self, n_max_steps, episode_seed):
        """Run train_dqn's loop as the notebook writes it: the network every correct train_dqn ends with."""
        for episode in range(self.settings["n_episodes"]):
            self.server.reset(episode_seed if episode == 0 else None)
            for _ in range(n_max_steps):
                *_, done, truncated = self.play()
                if episode >= self.settings["warmup_episodes"]:
                    self.sample()
                    self.train("double")
                if done or truncated:
                    break
        return self.online

    def finish(self, returned):
        """Check the returns the call reported and that every step went through play_one_step."""
        expected = [sum(step.reward for step in episode) for episode in self.server.episodes()]
        if not (
            isinstance(returned, list)
            and len(returned) == len(expected)
            and all(
                _number(value) is not None and np.isclose(_number(value), want)
                for value, want in zip(returned, expected)
            )
        ):
            self.problem(f"the returned list is not the total reward of each of the {len(expected)} episodes")
        n_stepped = sum(step.action is not None for step in self.server.log)
        if n_stepped != self.steps_played:
            self.problem("train_dqn stepped the environment itself; let play_one_step play")


def start_run(settings, seed, n_episodes, batch_size, warmup_episodes, target_update_period):
    """A run as the grader starts it: (its side: CartPole, generator, networks; the networks' initial weights;
    the first episode's seed). The same arguments start the same run."""
    rng = np.random.default_rng([settings.seed, seed])
    hidden = settings.hidden_units
    weights = mlp.initial_weights(rng, [4, hidden, hidden, 2])
    episode_seed = int(rng.integers(2**31))
    run = DQNRun(
        EnvServer(cartpole(), seed=0),
        rng,
        weights,
        optimizers.Adam(settings.train_learning_rate),
        "huber",
        {
            "n_episodes": n_episodes,
            "batch_size": batch_size,
            "warmup_episodes": warmup_episodes,
            "target_update_period": target_update_period,
            "discount_factor": settings.train_discount_factor,
            "replay_buffer_size": settings.replay_buffer_size,
            "epsilon_fraction": settings.epsilon_fraction,
            "epsilon_min": settings.epsilon_min,
        },
    )
    return run, weights, episode_seed


def notebooks_mean_return(settings, seed, n_episodes, batch_size, warmup_episodes, target_update_period):
    """The mean return, in the grader's evaluation, of the network the notebook's train_dqn trains from
    ``start_run``'s start; computed once per machine and kept."""
    sizes = [n_episodes, batch_size, warmup_episodes, target_update_period]

    def compute():
        run, _, episode_seed = start_run(settings, seed, *sizes)
        network = run.follow_the_notebook(settings.train_max_steps, episode_seed)
        return dqn_net.evaluate(network, settings.eval_episodes, settings.seed)

    inputs = {
        "settings": dataclasses.asdict(settings),
        "seed": seed,
        "sizes": sizes,
        "gymnasium": gymnasium.__version__,
    }
    sources = [module.__file__ for module in (dqn_net, envs, mlp, optimizers)] + [__file__]
    return cached("train_dqn_notebooks_return", inputs, sources, compute)


def _holds(model, weights):
    """Whether a model argument (sent as its weights) holds exactly these weights."""
    got = model.get("weights") if isinstance(model, dict) and model.get(KIT_KEY) == "model" else None
    return _same(got, weights)


def _number(value):
    """A plain value as a float if it is a number (a Python one or a 0-d array), else None."""
    if type(value) in (int, float) or (
        isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "iuf"
    ):
        return float(value)
    return None


def _same(got, want):
    """Whether ``got`` is a list of values equal to ``want``'s: arrays of the same shape, or equal numbers."""
    return isinstance(got, list) and len(got) == len(want) and all(_equal(g, w) for g, w in zip(got, want))


def _equal(got, want):
    if isinstance(want, np.ndarray):
        return isinstance(got, np.ndarray) and got.shape == want.shape and np.array_equal(got, want)
    if isinstance(want, (bool, np.bool_)):
        return type(got) is bool and got == bool(want)
    return _number(got) is not None and _number(got) == float(want)
