"""The reference's learning run on Breakout: papermill trains the solution notebook at a chosen size, then the
grader plays the exported weights in its own games (the milestone's protocol) and grades the notebook.

    .venv/bin/python benchmarks/breakout_learning.py --size cpu   # an hour on the CPU (outside CI; --minutes M)
    .venv/bin/python benchmarks/breakout_learning.py --size gpu   # what .github/workflows/breakout-gpu.yml runs
    .venv/bin/python benchmarks/breakout_learning.py --size cpu --seed 43   # another seed than the notebook's

The sizes are ``cpu_run_parameters`` and ``gpu_run_parameters`` in course_config.py. The learning curve is
saved as benchmarks/results/breakout_<size>_learning_curve.png; the run's folder keeps the executed notebook,
q_weights.npz and the grader's report.
"""

import argparse
import json
import logging
import shutil
import subprocess
import sys
import time
from pathlib import Path

import papermill

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder import config
from autograder.assignments import atari

RANDOM_SCORE = 1.7  # a random policy's mean score in the literature; the grader's games measure their own


def last_printed(notebook, prefix):
    """The last line starting with prefix that the notebook printed (None if none)."""
    lines = [
        line
        for cell in json.loads(notebook.read_text())["cells"]
        for output in cell.get("outputs", [])
        for line in "".join(output.get("text", "")).splitlines()
        if line.startswith(prefix)
    ]
    return lines[-1] if lines else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("cpu", "gpu"), required=True)
    parser.add_argument("--out", type=Path, help="the run's folder (default: /tmp/breakout-<size>)")
    parser.add_argument("--minutes", type=float, help="training minutes instead of the size's training_minutes")
    parser.add_argument("--seed", type=int, help="the notebook's seed instead of its default")
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    assignment = config.assignment("a4_breakout_dqn")
    settings = assignment.grading
    folder = arguments.out or Path(f"/tmp/breakout-{arguments.size}")
    folder.mkdir(parents=True, exist_ok=True)
    for name in assignment.support_files:
        shutil.copy(config.path("solutions", assignment.id, name), folder)
    curve = ROOT / "benchmarks" / "results" / f"breakout_{arguments.size}_learning_curve.png"
    curve.parent.mkdir(exist_ok=True)
    parameters = {
        **dict(getattr(settings, f"{arguments.size}_run_parameters")),
        "weights_path": settings.weights_file,
        "learning_curve_path": str(curve),
    }
    if arguments.minutes is not None:
        parameters["training_minutes"] = arguments.minutes
    if arguments.seed is not None:
        parameters["seed"] = arguments.seed
    executed = folder / assignment.notebook

    start = time.perf_counter()
    papermill.execute_notebook(
        str(config.path("solutions", assignment.id, assignment.notebook)),
        str(executed),
        parameters=parameters,
        kernel_name="python3",
        cwd=str(folder),
        log_output=True,
        progress_bar=False,
    )
    run_minutes = (time.perf_counter() - start) / 60
    start = time.perf_counter()
    by_ball = atari.evaluate(folder / settings.weights_file, settings, by_ball=True)
    scores = by_ball.sum(axis=1)
    evaluation_s = time.perf_counter() - start
    grading = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", assignment.id, str(executed), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    (folder / "report.json").write_text(grading.stdout)
    report = json.loads(grading.stdout) if grading.returncode == 0 else {}

    print(f"run ({arguments.size}): {parameters}")
    print(f"notebook run: {run_minutes:.1f} min, {last_printed(executed, 'iteration ') or 'no iteration finished'}")
    print(f"exported: {last_printed(executed, 'wrote ')}")
    print(
        f"grader's games: mean score {scores.mean():.2f} over {len(scores)} games (sd {scores.std():.2f}, "
        f"min {scores.min():g}, max {scores.max():g}; epsilon {settings.eval_epsilon}) in {evaluation_s:.0f} s; "
        f"random play about {RANDOM_SCORE}"
    )
    print(f"mean score by ball: {', '.join(f'{score:.2f}' for score in by_ball.mean(axis=0))}")
    print(
        f"bands reached: {[band for band in settings.score_bands if scores.mean() >= band]} of "
        f"{list(settings.score_bands)}"
    )
    print(
        f"grade: {report.get('score')} / {report.get('max_score')}"
        if report
        else f"grading failed: {grading.stderr[-2000:]}"
    )
    print(f"learning curve: {curve.relative_to(ROOT)}")
    (ROOT / "benchmarks" / "results" / f"breakout_{arguments.size}.json").write_text(
        json.dumps(
            {
                "parameters": parameters,
                "run_minutes": run_minutes,
                "last_iteration": last_printed(executed, "iteration "),
                "exported": last_printed(executed, "wrote "),
                "scores": scores.tolist(),
                "scores_by_ball": by_ball.tolist(),
                "grade": report.get("score"),
            },
            indent=2,
        )
    )
    return 0 if report else 1


if __name__ == "__main__":
    sys.exit(main())
