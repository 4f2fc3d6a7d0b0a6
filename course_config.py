"""Every setting of the course: assignments, points, seeds, thresholds, sandbox limits, CI sizes.

This file is the one place to change them. The grader, the build (nbgrader's
``generate_assignment`` through ``nbgrader_config.py``), the tests and the
benchmarks all read it; none of its values is written down anywhere else.
"""

from dataclasses import dataclass

MiB = 1024 * 1024
GiB = 1024 * MiB

COURSE_ID = "deep-rl"
"""nbgrader's course id."""


@dataclass(frozen=True)
class SandboxLimits:
    """Limits on one sandboxed runner: the process that runs a notebook's code."""

    start_timeout_s: float = 30.0
    """Wall-clock seconds for the runner to start, before any cell runs."""
    cell_timeout_s: float = 60.0
    """Wall-clock seconds one notebook cell may run."""
    call_timeout_s: float = 20.0
    """Wall-clock seconds one call of a student function may run, unless its test grants more."""
    cpu_seconds: int = 900
    """CPU seconds for each process in the sandbox (RLIMIT_CPU)."""
    memory_bytes: int = 2 * GiB
    """Memory of the whole sandbox (a cgroup limit; RLIMIT_AS where no cgroup can be made)."""
    max_processes: int = 64
    """Processes and threads in the sandbox together (a pids cgroup; TensorFlow, limited to one thread per
    pool, needs a handful)."""
    output_bytes: int = 1 * MiB
    """What the student's code may print, stdout and stderr together; past it the sandbox is stopped."""
    message_bytes: int = 64 * MiB
    """The largest message that may cross the boundary, either way."""
    tmp_bytes: int = 64 * MiB
    """Size of the sandbox's private, writable /tmp."""
    file_bytes: int = 64 * MiB
    """The largest file the sandbox may write (RLIMIT_FSIZE)."""
    open_files: int = 256
    """Open file descriptors per process (RLIMIT_NOFILE)."""
    notebook_bytes: int = 64 * MiB
    """The largest submitted notebook the grader reads (outputs included)."""


@dataclass(frozen=True)
class PolicyGradientGrading:
    """Hidden-test settings for assignment 1 (CartPole, policy gradients)."""

    seed: int = 20241
    """Seed of the grader's hidden inputs and of its CartPole environments."""
    rtol: float = 1e-5
    """Relative tolerance for values compared with the reference."""
    grad_rtol: float = 1e-4
    """Relative tolerance for gradients compared with the grader's own (float32 TensorFlow vs float64 NumPy)."""
    sampling_calls: int = 300
    """play_one_step calls in the check that actions are sampled with P(left) = the model's output."""
    sampling_p_left: float = 0.25
    """P(left) of the model used in that check."""
    max_false_fail: float = 1e-6
    """Largest false-fail rate a statistical test may have."""
    truncation_steps: int = 6
    """max_episode_steps of the grader's CartPole in the checks that involve truncation."""
    update_learning_rate: float = 0.01
    """SGD learning rate in the check of train_policy_gradient's update."""
    train_iterations: int = 50
    """train_policy_gradient iterations in the learning check (the lesson uses 150)."""
    train_episodes_per_update: int = 10
    """Episodes per iteration in the learning check."""
    train_max_steps: int = 200
    """Episode cap during the learning check."""
    train_learning_rate: float = 0.01
    """Adam learning rate in the learning check (the lesson's)."""
    train_timeout_s: float = 120.0
    """Wall-clock seconds for the learning check's call."""
    eval_episodes: int = 20
    """Grader-run CartPole episodes to evaluate the trained policy."""
    eval_threshold: float = 150.0
    """Mean return the trained policy must reach in those episodes (random play: about 22)."""


@dataclass(frozen=True)
class Assignment:
    """One graded notebook."""

    id: str
    """Folder and notebook name under source/, release/ and solutions/."""
    points: dict
    """Points per graded function; the function's hidden tests share them equally."""
    setup_cells: tuple
    """grade_ids of locked cells the grader runs (from the release) before the solution cells."""
    ci_parameters: dict
    """papermill parameters that scale the notebook's runs down for CI."""
    grading: object
    """Settings of the hidden tests: seeds, sizes, tolerances, thresholds."""
    support_files: tuple = ()
    """Files released beside the notebook (nbgrader copies them) that its code imports; the grader
    mounts them read-only in the sandbox."""

    @property
    def notebook(self):
        """The notebook's file name, the same in source/, release/ and solutions/."""
        return f"{self.id}.ipynb"

    @property
    def max_score(self):
        return float(sum(self.points.values()))


A1 = Assignment(
    id="a1_policy_gradients",
    points={
        "basic_policy": 1,
        "build_policy_model": 2,
        "discount_rewards": 2,
        "discount_and_normalise_rewards": 2,
        "play_one_step": 4,
        "play_multiple_episodes": 3,
        "train_policy_gradient": 6,
    },
    setup_cells=("setup",),
    ci_parameters={
        "n_basic_episodes": 20,
        "n_iterations": 3,
        "n_episodes_per_update": 4,
        "n_max_steps": 100,
        "n_eval_episodes": 3,
    },
    grading=PolicyGradientGrading(),
)

ASSIGNMENTS = (A1,)

LIMITS = SandboxLimits()


@dataclass(frozen=True)
class Paths:
    """Where the course's files live, relative to the course root."""

    source: str = "source"
    release: str = "release"
    solutions: str = "solutions"
    examples: str = "examples/submissions"
    feedback: str = "feedback"
    """Where the demo writes each student's feedback."""
    cache: str = ".cache"
    """Grader-only cache of reference values; never visible to a sandbox."""


PATHS = Paths()
