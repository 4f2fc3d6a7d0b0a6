"""How fast the reference DQN of assignment 3 learns CartPole-v1, beside tf-agents' DqnAgent: training seconds
to a mean return >= 450.

Reference: the solution notebook's cells (the course's own code); its ``train_dqn``
trains with the notebook's hyperparameters (``A3.parameters`` in course_config.py,
which the notebook's parameters cell repeats). Peer: tf-agents' ``DqnAgent``, as in
tf-agents' CartPole tutorial (one collected step per training step on a batch from
a uniform replay buffer, compiled collection and training), given the reference's
network (64-64 elu, so that one evaluation scores both), learning rate, discount,
batch size, Huber loss and target update period; epsilon 0.1 and 100 random warm-up
steps as in the tutorial.

Every ``--every`` training steps the clock stops while the grader's own evaluation
(20 greedy episodes in its CartPole, NumPy, seeds from course_config.py) scores a
copy of the weights. Prints the training time (evaluations excluded) and the
training steps at which the score first reaches the target, per seed, for both, and
the peer's time over the reference's. TensorFlow runs with op determinism and is
seeded per run: the same seed takes the same steps (the seconds vary with the
machine's load). Goal (issue 29): the reference within 60 s for every seed,
median at most 30 s, faster than the peer on the median.

``--full`` runs the notebook's own full-run cell instead (all its episodes, keeping
the best network with its Checkpoints) and prints the grader's evaluation of the
network it ends with, per seed (goal: at least 450 for 9 seeds in 10).

    .venv/bin/python benchmarks/dqn_speed.py [--seeds 42 43 ...] [--budget 60] [--no-peer | --full]
"""

import argparse
import linecache
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "source" / "a4_breakout_dqn"))  # the course's gymnasium adapter for tf-agents

from autograder import config
from autograder.assignments import dqn_net
from autograder.grading import notebook

ASSIGNMENT = config.assignment("a3_deep_q_learning")
FULL_RUN_CELL = "a3-39"
"""The id of the notebook's full-run cell."""


class Reached(Exception):
    """The target return was reached (or the time budget spent)."""


class Clock:
    """Training time with the evaluations left out: ``tick`` after each training step; every ``every`` steps it
    scores ``weights()`` and raises Reached once the score reaches ``target`` or the budget is spent."""

    def __init__(self, weights, target, every, budget):
        self.weights, self.target, self.every, self.budget = weights, target, every, budget
        self.seconds, self.steps, self.best = 0.0, 0, 0.0
        self.since = time.perf_counter()

    def tick(self):
        self.steps += 1
        if self.steps % self.every:
            return
        self.seconds += time.perf_counter() - self.since
        grading = ASSIGNMENT.grading
        self.best = max(self.best, dqn_net.evaluate(self.weights(), grading.eval_episodes, grading.seed))
        if self.best >= self.target or self.seconds > self.budget:
            raise Reached()
        self.since = time.perf_counter()

    @property
    def reached(self):
        return self.best >= self.target


def reference_namespace():
    """The reference solution's setup and solution cells, executed in a fresh namespace."""
    release = notebook.read(config.path("release", ASSIGNMENT.id, ASSIGNMENT.notebook), 1 << 26)
    solution = notebook.read(config.path("solutions", ASSIGNMENT.id, ASSIGNMENT.notebook), 1 << 26)
    namespace = {"__name__": "reference"}
    for cell in notebook.grading_cells(release, solution, ASSIGNMENT)[0]:
        run_cell(cell.source, cell.id, namespace)
    return namespace


def run_cell(source, cell_id, namespace):
    """Execute a notebook cell's source in ``namespace``, its lines findable (AutoGraph reads a function's source)."""
    filename = f"<{cell_id}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)


def reference_run(namespace, seed, clock_for):
    """The notebook's full run from ``seed``, timed by the clock ``clock_for(weights)`` makes."""
    keras, gym, tf = namespace["keras"], namespace["gym"], namespace["tf"]
    run = ASSIGNMENT.parameters
    tf.keras.utils.set_random_seed(seed)
    model, target_model = namespace["build_dqn"](), namespace["build_dqn"]()
    target_model.set_weights(model.get_weights())
    clock = clock_for(model.get_weights)
    train_step = namespace["double_dqn_training_step"]

    def timed_step(*args):
        loss = train_step(*args)
        clock.tick()
        return loss

    namespace["double_dqn_training_step"] = timed_step
    try:
        namespace["train_dqn"](
            gym.make("CartPole-v1"),
            model,
            target_model,
            run["n_episodes"],
            run["n_max_steps"],
            run["batch_size"],
            run["discount_factor"],
            keras.optimizers.Adam(learning_rate=run["learning_rate"]),
            keras.losses.Huber(),
            run["warmup_episodes"],
            run["target_update_period"],
            seed,
        )
    except Reached:
        pass
    finally:
        namespace["double_dqn_training_step"] = train_step
    return clock


def peer_run(seed, clock_for):
    """tf-agents' DqnAgent on CartPole-v1 from ``seed``, as its tutorial trains it (see the module's docstring)."""
    import gymnasium
    import tensorflow as tf
    from gymnasium_adapter import GymnasiumVectorEnvironment
    from tf_agents.agents.dqn import dqn_agent
    from tf_agents.drivers import dynamic_step_driver
    from tf_agents.environments import tf_py_environment
    from tf_agents.networks import q_network
    from tf_agents.policies import random_tf_policy
    from tf_agents.replay_buffers import tf_uniform_replay_buffer
    from tf_agents.utils import common

    tf.get_logger().setLevel("ERROR")  # tf-agents' deprecation notices
    run = ASSIGNMENT.parameters
    tf.keras.utils.set_random_seed(seed)
    cartpole = gymnasium.vector.SyncVectorEnv([lambda: gymnasium.make("CartPole-v1")])
    env = tf_py_environment.TFPyEnvironment(GymnasiumVectorEnvironment(cartpole, seed=seed))
    network = q_network.QNetwork(
        env.observation_spec(), env.action_spec(), fc_layer_params=(64, 64), activation_fn=tf.keras.activations.elu
    )
    agent = dqn_agent.DqnAgent(
        env.time_step_spec(),
        env.action_spec(),
        q_network=network,
        optimizer=tf.keras.optimizers.Adam(learning_rate=run["learning_rate"]),
        epsilon_greedy=0.1,
        gamma=run["discount_factor"],
        target_update_period=run["target_update_period"],
        train_step_counter=tf.Variable(0),
    )
    agent.initialize()
    buffer = tf_uniform_replay_buffer.TFUniformReplayBuffer(
        agent.collect_data_spec, batch_size=env.batch_size, max_length=50_000
    )
    warm_up = random_tf_policy.RandomTFPolicy(env.time_step_spec(), env.action_spec())
    dynamic_step_driver.DynamicStepDriver(env, warm_up, [buffer.add_batch], num_steps=100).run()
    collect = common.function(
        dynamic_step_driver.DynamicStepDriver(env, agent.collect_policy, [buffer.add_batch], num_steps=1).run
    )
    train = common.function(agent.train)
    batches = iter(
        buffer.as_dataset(sample_batch_size=run["batch_size"], num_steps=2, num_parallel_calls=2).prefetch(2)
    )
    clock = clock_for(network.get_weights)
    time_step, policy_state = None, None
    try:
        while True:
            time_step, policy_state = collect(time_step, policy_state)
            train(next(batches)[0])
            clock.tick()
    except Reached:
        return clock


def full_run_cell():
    """The source of the notebook's full-run cell."""
    solution = notebook.read(config.path("solutions", ASSIGNMENT.id, ASSIGNMENT.notebook), 1 << 26)
    cells = [notebook.source(cell) for cell in solution["cells"] if cell.get("id") == FULL_RUN_CELL]
    if not cells:
        raise SystemExit(f"the solutions notebook has no cell {FULL_RUN_CELL!r}, the notebook's full run")
    return cells[0]


def full_run(namespace, source, seed):
    """The grader's evaluation of the network the notebook's full run (its cell's ``source``, with its
    Checkpoints) ends with from ``seed``, and the run's seconds."""
    namespace.update(ASSIGNMENT.parameters, seed=seed)
    namespace["tf"].keras.utils.set_random_seed(seed)
    start = time.perf_counter()
    run_cell(source, FULL_RUN_CELL, namespace)
    grading = ASSIGNMENT.grading
    return dqn_net.evaluate(namespace["model"].get_weights(), grading.eval_episodes, grading.seed), (
        time.perf_counter() - start
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(42, 52)))
    parser.add_argument("--target", type=float, default=450.0)
    parser.add_argument("--every", type=int, default=500, help="training steps between evaluations")
    parser.add_argument("--budget", type=float, default=60.0, help="training seconds before giving up")
    parser.add_argument("--no-peer", action="store_true", help="time the reference only")
    parser.add_argument(
        "--full", action="store_true", help="instead, run the notebook's whole run and score the network it ends with"
    )
    arguments = parser.parse_args()
    namespace = reference_namespace()
    namespace["tf"].config.experimental.enable_op_determinism()
    if arguments.full:
        source = full_run_cell()
        print(f"{'seed':>6} {'final mean return':>18} {'run s':>7}")
        for seed in arguments.seeds:
            score, seconds = full_run(namespace, source, seed)
            print(f"{seed:>6} {score:>18.1f} {seconds:>7.0f}", flush=True)
        return

    def clock_for(weights):
        return Clock(weights, arguments.target, arguments.every, arguments.budget)

    def shown(clock):
        seconds = f"{clock.seconds:.1f}" if clock.reached else f"> {arguments.budget:g} (best {clock.best:.0f})"
        return f"{seconds:>20} {clock.steps:>7}"

    header = f"{'seed':>6} {'reference s':>20} {'steps':>7}"
    print(header if arguments.no_peer else f"{header} {'tf-agents s':>20} {'steps':>7} {'peer/reference':>15}")
    reference_seconds, peer_seconds = [], []
    for seed in arguments.seeds:
        reference = reference_run(namespace, seed, clock_for)
        reference_seconds.append(reference.seconds if reference.reached else float("inf"))
        line = f"{seed:>6} {shown(reference)}"
        if not arguments.no_peer:
            peer = peer_run(seed, clock_for)
            peer_seconds.append(peer.seconds if peer.reached else float("inf"))
            ratio = f"{peer_seconds[-1] / reference_seconds[-1]:.2f}" if reference.reached and peer.reached else "-"
            line += f" {shown(peer)} {ratio:>15}"
        print(line, flush=True)
    medians = f"{'median':>6} {statistics.median(reference_seconds):>20.1f} {'':>7}"
    if peer_seconds:
        peer_median, reference_median = statistics.median(peer_seconds), statistics.median(reference_seconds)
        medians += f" {peer_median:>20.1f} {'':>7} {peer_median / reference_median:>15.2f}"
    print(medians)


if __name__ == "__main__":
    main()
