"""How fast the reference DQN of assignment 3 learns CartPole-v1: wall time to a mean return >= 450.

The reference solution's cells run here (they are the course's own code). Its
``train_dqn`` trains with the notebook's hyperparameters (``A3.parameters`` in
course_config.py, which the notebook's parameters cell repeats); every ``--every``
training steps the clock stops while the grader's own evaluation (20 greedy
episodes in its CartPole, NumPy, seeds from course_config.py) scores a copy of the
weights. Prints the training time (evaluations excluded) at which the score first
reaches the target, per seed. Goal: within 120 s on the course's 2-core machine.

    .venv/bin/python benchmarks/dqn_speed.py [--seeds 42 43 44] [--budget 240]
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder import config
from autograder.assignments import dqn_net
from autograder.grading import notebook


class Reached(Exception):
    """The target return was reached (or the time budget spent)."""


def reference_namespace(assignment):
    """The reference solution's setup and solution cells, executed in a fresh namespace."""
    release = notebook.read(config.path("release", assignment.id, assignment.notebook), 1 << 26)
    solution = notebook.read(config.path("solutions", assignment.id, assignment.notebook), 1 << 26)
    namespace = {"__name__": "reference"}
    for cell in notebook.grading_cells(release, solution, assignment)[0]:
        exec(compile(cell.source, f"<{cell.id}>", "exec"), namespace)
    return namespace


def time_to_target(namespace, seed, target, every, budget, eval_episodes, eval_seed):
    """Training seconds until the evaluation first reaches ``target`` (None if the budget ran out)."""
    keras, gym = namespace["keras"], namespace["gym"]
    train_step = namespace["double_dqn_training_step"]
    clock = {"training": 0.0, "since": time.perf_counter(), "steps": 0, "best": 0.0}

    def timed_step(model, *args):
        loss = train_step(model, *args)
        clock["steps"] += 1
        if clock["steps"] % every == 0:
            clock["training"] += time.perf_counter() - clock["since"]
            score = dqn_net.evaluate(model.get_weights(), eval_episodes, eval_seed)
            clock["best"] = max(clock["best"], score)
            if score >= target or clock["training"] > budget:
                raise Reached()
            clock["since"] = time.perf_counter()
        return loss

    namespace["double_dqn_training_step"] = timed_step
    model, target_model = namespace["build_dqn"](), namespace["build_dqn"]()
    target_model.set_weights(model.get_weights())
    run = config.assignment("a3_deep_q_learning").parameters  # the notebook's hyperparameters
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
    reached = clock["best"] >= target
    return (clock["training"] if reached else None), clock["steps"], clock["best"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 43, 44])
    parser.add_argument("--target", type=float, default=450.0)
    parser.add_argument("--every", type=int, default=1000, help="training steps between evaluations")
    parser.add_argument("--budget", type=float, default=240.0, help="training seconds before giving up")
    arguments = parser.parse_args()
    assignment = config.assignment("a3_deep_q_learning")
    namespace = reference_namespace(assignment)
    grading = assignment.grading
    print(f"{'seed':>6} {'seconds to target':>18} {'training steps':>15} {'best mean return':>17}")
    for seed in arguments.seeds:
        namespace["tf"].random.set_seed(seed)
        seconds, steps, best = time_to_target(
            namespace, seed, arguments.target, arguments.every, arguments.budget, grading.eval_episodes, grading.seed
        )
        shown = f"{seconds:.1f}" if seconds is not None else f"> {arguments.budget:g}"
        print(f"{seed:>6} {shown:>18} {steps:>15} {best:>17.1f}", flush=True)


if __name__ == "__main__":
    main()
