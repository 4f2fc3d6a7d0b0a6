"""Breakout's collection rate and training throughput: the reference pipeline against raw AtariVectorEnv steps,
side by side in one run.

For each number of games, rounds alternate between (1) raw ``AtariVectorEnv.step`` with random actions and
(2) the reference's ``collect_warmup``: its compiled DynamicStepDriver with a random policy and the replay
buffer's observer, through the gymnasium adapter and a TFPyEnvironment; the median of the rounds is kept.
Goal: (2) >= 70 % of (1). Then (3) collection with the agent's epsilon-greedy collect policy (a Q-network
forward pass per step) and (4) training, ``train_agent``, as environment steps per second while learning.

    .venv/bin/python benchmarks/breakout_speed.py [--games 4 8 16] [--seconds 5] [--rounds 3]
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TQDM_DISABLE", "1")  # train_agent's progress bar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder import config
from autograder.assignments import atari

A4 = config.assignment("a4_breakout_dqn")
FUNCTIONS = (
    "make_breakout_env",
    "build_q_network",
    "build_agent",
    "build_replay_buffer",
    "collect_warmup",
    "train_agent",
)


def reference():
    """The reference solution's functions, from its setup and solution cells (course code, run here)."""
    sys.path.insert(0, str(config.path("solutions", A4.id)))
    cells = {
        cell["metadata"].get("nbgrader", {}).get("grade_id"): "".join(cell["source"])
        for cell in json.loads(config.path("solutions", A4.id, A4.notebook).read_text())["cells"]
    }
    namespace = {}
    for cell_id in (*A4.setup_cells, *FUNCTIONS):
        exec(compile(cells[cell_id], f"<reference {cell_id}>", "exec"), namespace)
    return namespace


def rate(run, seconds):
    """Steps per second of ``run() -> steps`` repeated for about ``seconds``."""
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        steps += run()
    return steps / (time.perf_counter() - start)


def collection(ref, n_games, arguments):
    """Median steps/s of raw games and of the reference's random collection, in alternating rounds."""
    settings = A4.grading
    games = atari.gym.make_vec(
        settings.env_id,
        num_envs=n_games,
        vectorization_mode="vector_entry_point",
        **atari.game_options(settings, training=True),
    )
    games.reset(seed=0)
    rng = np.random.default_rng(0)

    def raw():
        games.step(rng.integers(settings.n_actions, size=n_games))
        return n_games

    tf_env = ref["make_breakout_env"](n_games, seed=0)
    agent = ref["build_agent"](tf_env, ref["build_q_network"](tf_env.observation_spec(), tf_env.action_spec()))
    short, long = arguments.warmup_steps // 5, arguments.warmup_steps
    replay_buffer, _ = ref["build_replay_buffer"](agent, tf_env, max_length=long // n_games + 64)

    def warmup_seconds(n_steps):
        replay_buffer.clear()
        start = time.perf_counter()
        ref["collect_warmup"](tf_env, replay_buffer, n_steps)
        return time.perf_counter() - start

    raws, pipelines, whole = [], [], []
    for _ in range(arguments.rounds):
        raws.append(rate(raw, arguments.seconds))
        short_s, long_s = warmup_seconds(short), warmup_seconds(long)
        pipelines.append((long - short) / (long_s - short_s))  # each call compiles its driver once: cancelled out
        whole.append(long / long_s)
    games.close()
    return [statistics.median(values) for values in (raws, pipelines, whole)], (tf_env, agent, replay_buffer)


def learning(ref, tf_env, agent, replay_buffer, arguments):
    """Steps/s of the epsilon-greedy collection alone, and of training (collection plus learning: one step of
    every game per iteration, update_period = the number of games), compilation cancelled out by timing two
    calls of different lengths."""
    from tf_agents.drivers.dynamic_step_driver import DynamicStepDriver
    from tf_agents.utils import common

    n_games = tf_env.batch_size
    driver = DynamicStepDriver(tf_env, agent.collect_policy, observers=[replay_buffer.add_batch], num_steps=n_games)
    collect = common.function(driver.run)
    collect()

    def greedy():
        collect()
        return n_games

    collect_rate = rate(greedy, arguments.seconds)
    timings = []
    for iterations in (arguments.train_iterations // 5, arguments.train_iterations):
        start = time.perf_counter()
        ref["train_agent"](
            tf_env, agent, replay_buffer, iterations, update_period=n_games, batch_size=arguments.batch_size
        )  # compiles its loop once a call
        timings.append((iterations, time.perf_counter() - start))
    (short, short_s), (long, long_s) = timings
    updates = (long - short) / (long_s - short_s)
    return collect_rate, n_games * updates, updates


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, nargs="+", default=[4, 8, 16])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup-steps", type=int, default=10_000, help="steps of the longer collect_warmup call")
    parser.add_argument("--train-iterations", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=32, help="train_agent's batch (the CPU run's)")
    arguments = parser.parse_args()
    ref = reference()
    print(
        f"{'games':>5} {'raw steps/s':>11} {'warm-up driver steps/s':>22} {'ratio':>5} {'whole call':>10} "
        f"{'collect policy':>14} {'training':>8} {'updates/s':>9}"
    )
    for n_games in arguments.games:
        (raw, driven, whole), pipeline = collection(ref, n_games, arguments)
        collect_rate, training, updates = learning(ref, *pipeline, arguments)
        print(
            f"{n_games:5d} {raw:11.0f} {driven:22.0f} {driven / raw:5.0%} {whole:10.0f} {collect_rate:14.0f} "
            f"{training:8.1f} {updates:9.1f}",
            flush=True,
        )
        pipeline[0].close()
    print(
        "steps/s throughout; 'whole call': collect_warmup's steps over its wall time, compiling included; "
        "'collect policy': the agent's epsilon-greedy driver; 'training': train_agent's steps while learning, "
        "one step of every game and one update of batch_size per iteration"
    )


if __name__ == "__main__":
    main()
