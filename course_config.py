"""Every setting of the course: assignments, points, seeds, thresholds, sandbox limits, CI sizes.

This file is the one place to change them. The grader, the build (nbgrader's
``generate_assignment`` through ``nbgrader_config.py``), the tests and the
benchmarks all read it; none of its values is written down anywhere else.
"""

from dataclasses import dataclass, field

MiB = 1024 * 1024
GiB = 1024 * MiB

COURSE_ID = "deep-rl"
"""nbgrader's course id."""


@dataclass(frozen=True)
class SandboxLimits:
    """Limits on one sandboxed runner: the process that runs a notebook's code."""

    start_timeout_s: float = 30.0
    """Seconds for the runner to start, before any cell runs."""
    cell_timeout_s: float = 60.0
    """Seconds one notebook cell may run."""
    call_timeout_s: float = 20.0
    """Seconds one call of a student function may run, unless its test grants more."""
    max_stretch: float = 10.0
    """Each time limit above counts the sandbox's own time: wall-clock seconds less the time its threads
    waited for a CPU and the time the grader spent answering it (``autograder.boundary.deadline``), so a busy
    machine changes no grade. A wait ends all the same after this many times its limit in wall-clock
    seconds."""
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
    user: str = "deeprl-sandbox"
    """The unprivileged user and group the sandbox runs as on the host when the grader runs as root (``make sandbox``
    creates them): never root, whoever starts the grader. A grader run by an ordinary user runs it as that user."""


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
    """play_one_step calls in the check that actions are sampled with P(left) = the model's output, each from a
    hidden state of a hidden model."""
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
    """Seconds for the learning check's call."""
    eval_episodes: int = 20
    """Grader-run CartPole episodes to evaluate the trained policy."""
    eval_threshold: float = 150.0
    """Mean return the trained policy must reach in those episodes (random play: about 22)."""


@dataclass(frozen=True)
class QLearningGrading:
    """Hidden-test settings for assignment 2 (MDPs and Q-learning)."""

    seed: int = 20242
    """Seed of the hidden MDPs and of the grader's step and exploration policy."""
    rtol: float = 1e-9
    """Relative tolerance for values compared with the reference (float64 NumPy on both sides)."""
    hidden_mdps: int = 4
    """Random MDPs in the hidden tests of q_value_iteration and q_learning."""
    max_states: int = 6
    """Largest number of states of a hidden MDP."""
    max_actions: int = 4
    """Largest number of actions of a hidden MDP."""
    q_learning_iterations: int = 1000
    """Iterations of the q_learning calls checked value by value against the reference."""


@dataclass(frozen=True)
class BreakoutGrading:
    """Hidden-test settings for assignment 4 (tf-agents DQN on Breakout), and the milestone's evaluation."""

    seed: int = 20244
    """Seed of the hidden inputs (weights, batches, games) of the pipeline checks."""
    rtol: float = 1e-4
    """Relative tolerance for float32 values compared with the reference or the grader's NumPy Q-network."""
    env_id: str = "ALE/Breakout-v5"
    """The game, as gymnasium registers it (v5: 4 frames per step, sticky actions with probability 0.25)."""
    env_options: tuple = (("reward_clipping", False),)
    """AtariVectorEnv options of the grader's games, besides v5's and AtariVectorEnv's defaults (84x84 grey,
    max over the last two frames, up to 30 no-ops and FIRE at reset, 4 stacked frames): the game's score."""
    training_env_options: tuple = (("life_loss_info", True),)
    """Further options of the training games the sandbox gets: a life loss ends the episode, and the game
    goes on (the agent presses FIRE to launch the next ball), so training sees every life of a game. With
    episodic_life instead, each life began a new game: the CPU run's agent scored 2.3 on its first ball
    and 0.7 on each later one, 5.27 in all (its life_loss_info run: 8.87)."""
    observation_shape: tuple = (84, 84, 4)
    """An observation as the Q-network sees it: 84x84 grey frames, the last 4 stacked last."""
    n_actions: int = 4
    """Breakout's actions: NOOP, FIRE, RIGHT, LEFT."""
    conv_layers: tuple = ((32, 8, 4), (64, 4, 2), (64, 3, 1))
    """The Q-network's convolutions (filters, kernel size, stride), 'valid' padding, ReLU; inputs / 255."""
    fc_layers: tuple = (512,)
    """Its dense ReLU layers before the output layer of one Q-value per action."""
    env_check_steps: int = 60
    """Steps played in the checks of make_breakout_env (the ball is lost in about 20 steps without FIRE)."""
    epsilon_decay_steps: int = 1000
    """epsilon_decay_steps passed to build_agent in the checks of its exploration schedule."""
    train_batch_size: int = 16
    """Trajectories in the fixed batch of the check of one training step."""
    buffer_max_length: int = 50
    """max_length passed to build_replay_buffer."""
    warmup_check_steps: int = 400
    """n_steps passed to collect_warmup."""
    train_check_iterations: int = 8
    """n_iterations passed to train_agent in its pipeline checks."""
    train_weights_atol: float = 3e-3
    """Tolerance of the weights train_agent leaves, as a fraction of the largest change of each weight array over
    the loop (on top of rtol). A loop compiled with common.function, as the reference solution's, computes in
    other kernels than the grader's eager steps: over 17 hidden input sets the weights differed by at most
    1.2e-4 of that change, and a ReLU that rounding flipped moved a weight by 2e-4 of it. One training step too
    many after the loop moved them by 0.05 to 0.53 of it."""
    train_timeout_s: float = 180.0
    """Seconds for the calls that compile a driver or a training step."""
    max_false_fail: float = 1e-6
    """Largest false-fail rate a statistical test may have."""
    weights_file: str = "q_weights.npz"
    """The milestone's file, submitted beside the notebook: the trained Q-network's weights (np.savez)."""
    weights_bytes: int = 32 * MiB
    """The largest weights file the grader reads (the network's 1.7 million float32 weights take 6.5 MiB)."""
    eval_episodes: int = 30
    """Full games the grader plays with the submitted weights, one per emulator, all in parallel."""
    eval_epsilon: float = 0.05
    """Probability of a random action in those games (otherwise the action of highest Q-value)."""
    eval_max_steps: int = 10_000
    """Cap on a game's length in steps (40,000 frames, 11 minutes of play); a capped game keeps its score."""
    eval_seed: int = 71139
    """Seed of those games and of the grader's random actions."""
    score_bands: tuple = (5.0, 10.0, 31.8, 100.0)
    """Mean scores of the milestone's tests, one test each: reaching a band earns its test's share of
    train_agent's points (random play: about 1.7; a human player: 31.8)."""
    cpu_run_parameters: tuple = (
        ("num_envs", 4),
        ("batch_size", 32),
        ("epsilon_decay_steps", 5_000),
        ("target_update_period", 1),
        ("n_step_update", 10),
        ("shift_pixels", 4),
        ("adam_learning_rate", 1e-4),
        ("training_minutes", 57),
        ("eval_interval", 5_000),
    )
    """papermill parameters of the reference's CPU learning run, an hour at most with its warm-up and evaluations
    (``benchmarks/breakout_learning.py --size cpu``): training starts no block of 5,000 iterations that would end
    past 57 minutes, judging by the last block, and the notebook ends about 2 minutes after it. On a 2-core machine
    it makes 65,000 to 120,000 training steps on batches of 32 (270,000 to 490,000 environment steps), as fast and
    as busy as the machine is: a block of 5,000 iterations and its curve point took 114 to 163 s on an idle machine,
    and up to 285 s on a busier one. As in DrQ, the frames the networks learn from are shifted at random by up to 4
    pixels, the targets sum 10 rewards, the target network follows the online one at every step, Adam (learning rate
    1e-4, epsilon 1.5e-4) replaces the lesson's RMSprop, and epsilon reaches 0.01 within 5,000 training steps. The
    notebook plays the three best points of its learning curve again in 60 more games each and exports the one with
    the best mean over its 90 games (A4's recheck_points and recheck_games). Measured in the grader's 30 games with
    seed 42 and the recheck, training for 57 minutes: 18.90 (sd 7.49; 85,000 steps; the best points, 16.8, 16.7 and
    16.7, scored 15.4, 15.9 and 16.6 in the 60 more games; the third was exported), 19.60 (sd 6.39; 85,000 steps on
    the same machine; the best points, 17.9, 16.6 and 13.9, scored 16.4, 18.4 and 13.3; the second was exported),
    13.03 (sd 3.44; 85,000 steps on the same machine, its blocks taking 141 to 285 s; the best points, 15.1, 14.9
    and 14.9, scored 13.7, 15.1 and 14.2; the second was exported, and scored 2.1 less than its 90-game mean), 19.37
    (sd 7.02; 120,000 steps on an idle machine, its blocks taking 117 to 163 s; the best points, 18.7, 18.2 and
    16.6, scored 17.9, 16.9 and 16.1 in the 60 more games; the first was exported), 20.73 (sd 8.69; 120,000 steps on
    the same idle machine, its blocks taking 114 to 159 s; the best points, 18.6, 17.4 and 16.9, scored 18.8, 17.7
    and 16.0 in the 60 more games; the first was exported) and 19.63 (sd 8.35; 120,000 steps on the same idle
    machine, its blocks taking 114 to 159 s; the best points, 18.3, 18.3 and 18.1, scored 19.5, 17.9 and 14.5 in the
    60 more games; the first was exported); ending at the first curve point past 50 minutes, as the notebook did
    before: 18.53 (sd 6.74; 105,000 steps; the best points, 19.8, 18.2 and 17.8, scored 18.4, 15.9 and 19.0 in the
    60 more games; the first was exported), 14.90 (sd 4.71; 65,000 steps on a slower machine that other jobs shared
    for 27 minutes; the best points, 15.7, 13.4 and 10.9, scored 15.0, 13.6 and 13.1; the first was exported), 19.60
    (sd 7.14; 95,000 steps; the best points, 19.1, 18.9 and 18.7, scored 18.0, 17.0 and 16.9; the first was
    exported), 16.57 (sd 5.25; 80,000 steps on an idle but slower machine; the best points, 15.2, 14.7 and 14.1,
    scored 15.6, 15.1 and 14.6; the first was exported), 14.30 (sd 5.40; 80,000 steps on the same machine; the best
    points, 16.2, 15.0 and 14.2, scored 15.9, 12.6 and 15.2; the first was exported), 16.20 (sd 5.94; 85,000 steps
    on the same machine; the best points, 14.5, 13.3 and 12.6, scored 14.6, 12.5 and 10.8; the first was exported)
    and 15.70 (sd 6.26; 80,000 steps on the same machine; the best points, 14.4, 14.3 and 13.9, scored 14.6, 14.9
    and 14.6; the second was exported). Without it, exporting the best point, with 8 games per curve point, 18.70
    (sd 7.47; 110,000 steps, best point 23.5), 20.33 (sd 5.91; 100,000 steps, best point 21.9) and 14.77 (sd 4.58;
    90,000 steps, best point 19.2): the best of noisy 8-game points overstated the exported weights by 1.6 to 4.8.
    With 30 games per point (the notebook's default now), 17.03 (sd 6.64; 80,000 steps, the best point, the last,
    17.1, the curve still rising) and 12.57 (sd 5.13; 80,000 steps, best point 15.0 at 60,000, then 11.8 to 13.8):
    an hour clears the 10-point band, not always 15. The grader's games are one fixed set, and a hard one for some
    weights: exported weights that scored 12.60 there scored 13.97 to 16.63 (mean 14.84) in six other sets of 30
    games played the same way. Letting Adam's rate fall linearly to a tenth over 100,000 training steps (one run,
    with the recheck) gave a steadier but slower curve (11.1 to 14.5 from 50,000 to 90,000 steps) and those 12.60
    (the curve's best point, which the recheck passed over, scored 14.23), so the rate stays constant. Letting
    oneDNN compute in bfloat16 (this machine's AMX) made a lone training step 15 ms instead of 21, and the training
    loop 24 ms per iteration instead of 27 (measured side by side), but no better grade in two runs: 13.47 (80,000
    steps) and 14.77 (105,000 steps; the same weights scored 15.4 in 90 other games), so the run stays in float32.
    Measuring and exporting a running average of the weights instead (each collect step moving it 5e-4 of the way to
    the trained weights; two runs) gave a steadier curve but no better grade: over the seven points from 45,000
    steps on, each played on the same games, the average scored 2.4 more than the trained weights on the mean (more
    at six of them), yet the exported averages scored 12.03 and 14.57 in the grader's games (75,000 steps each; the
    trained weights' best point of the first run: 12.17), so it was left out. With the lesson's RMSprop instead (one
    run, stopped after 70,000 steps) the curve rose later and lower: 8-game points of 0.9 to 4.8 up to 35,000 steps
    (Adam: 1.8 to 11.2), 6.2 to 10.2 from 50,000 to 70,000 (Adam: 10.1 to 17.5). Without the shifts, the 8-game
    points stayed between 7 and 12 from 25,000 training steps on and the grader's games gave 8.70 to 10.80 in eight
    runs, whatever the target period (250 or 1000), the batches (16 or 32), clipped rewards or Adam; with
    episodic_life instead of life_loss_info, about 5."""
    gpu_run_parameters: tuple = (
        ("num_envs", 8),
        ("replay_buffer_capacity", 300_000),
        ("training_minutes", 300),
        ("eval_interval", 25_000),
    )
    """papermill parameters of the reference's full-size run on a GPU (``.github/workflows/breakout-gpu.yml``
    runs ``benchmarks/breakout_learning.py --size gpu``); the rest are the lesson's, the notebook's defaults."""


@dataclass(frozen=True)
class DeepQLearningGrading:
    """Hidden-test settings for assignment 3 (deep Q-learning and its variants)."""

    seed: int = 20243
    """Seed of the hidden inputs and of the grader's environments and random draws."""
    rtol: float = 1e-5
    """Relative tolerance for Q-values and losses compared with the reference."""
    weight_rtol: float = 1e-4
    """Relative tolerance (of the largest change) for weights after a training step, against the reference's."""
    hidden_units: int = 64
    """Units of each hidden layer of build_dqn and build_dueling_dqn (the notebook says so too)."""
    step_learning_rate: float = 0.05
    """SGD learning rate in the checks of the training steps (SGD makes an update follow the gradient)."""
    batch_size: int = 32
    """Experiences in the batches given to the training steps."""
    sampling_calls: int = 300
    """Calls in the statistical check of epsilon_greedy_policy; draws in those of sample_experiences and
    per_sample. Every call has its own hidden inputs."""
    max_false_fail: float = 1e-6
    """Largest false-fail rate a statistical test may have."""
    replay_buffer_size: int = 50_000
    """REPLAY_BUFFER_SIZE of the notebook's train_dqn."""
    epsilon_fraction: float = 0.2
    """EPSILON_FRACTION of the notebook's train_dqn: epsilon decays linearly over this fraction of the episodes."""
    epsilon_min: float = 0.01
    """EPSILON_MIN of the notebook's train_dqn."""
    train_episodes: int = 30
    """Episodes of the graded train_dqn run (the notebook's full run has 300): about 900 steps, after which
    the notebook's train_dqn has a network that scores 122 in the evaluation (random play: about 22)."""
    train_max_steps: int = 200
    """Episode cap in the graded run."""
    train_learning_rate: float = 5e-3
    """Adam learning rate in the graded run."""
    train_batch_size: int = 64
    """Batch size in the graded run."""
    train_warmup_episodes: int = 5
    """Warm-up episodes in the graded run."""
    train_target_update_period: int = 50
    """Training steps between target updates in the graded run."""
    train_discount_factor: float = 0.9
    """Discount factor in the graded run (shorter horizons learn faster in a short run)."""
    train_timeout_s: float = 120.0
    """Seconds for the graded run's call."""
    eval_episodes: int = 20
    """Grader-run CartPole episodes to evaluate the trained Q-network (greedy)."""
    eval_fraction: float = 0.9
    """Share of the mean return of the network the notebook's train_dqn trains on the same run (the grader
    follows the notebook's loop itself) that the student's trained network must reach. Not an absolute
    return: DQN's outcome after a short run swings with the last bit of its arithmetic, which may differ
    between machines; the two runs are computed on the same one."""


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
    parameters: dict = field(default_factory=dict)
    """The run sizes and hyperparameters of the notebook's `parameters` cell, at full size (the notebook
    shows the same values to students; a test checks that they agree)."""
    leaderboard: str = ""
    """The graded function whose trained agent the grader measures in its own episodes, and by whose measure
    ``python -m autograder leaderboard`` ranks the class; empty for an assignment without one."""
    quick_grading: dict = field(default_factory=dict)
    """Hidden-test settings that shorten the grader's training checks where the kit's own tests grade many
    submissions to test the batch and the grader's defences rather than the assignment (the adversarial
    catalogue, fault injection): courses made for those tests grade with them."""

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
    parameters={
        "seed": 42,
        "n_basic_episodes": 500,
        "n_iterations": 150,
        "n_episodes_per_update": 10,
        "n_max_steps": 200,
        "discount_factor": 0.95,
        "n_eval_episodes": 20,
    },
    ci_parameters={
        "n_basic_episodes": 20,
        "n_iterations": 3,
        "n_episodes_per_update": 4,
        "n_max_steps": 100,
        "n_eval_episodes": 3,
    },
    grading=PolicyGradientGrading(),
    leaderboard="train_policy_gradient",
    quick_grading={
        "train_iterations": 3,
        "train_episodes_per_update": 4,
        "eval_episodes": 3,
        "eval_threshold": 0.0,
        "sampling_calls": 100,
    },
)

A2 = Assignment(
    id="a2_q_learning",
    points={"q_value_iteration": 3, "optimal_policy": 1, "td_update": 2, "q_learning": 3, "exploration_function": 1},
    setup_cells=("setup",),
    parameters={"seed": 42, "n_q_iterations": 50, "n_q_learning_iterations": 10_000, "n_checkpoints": 40},
    ci_parameters={"n_q_iterations": 20, "n_q_learning_iterations": 2000, "n_checkpoints": 8},
    grading=QLearningGrading(),
    quick_grading={"q_learning_iterations": 100},
)

A4 = Assignment(
    id="a4_breakout_dqn",
    points={
        "make_breakout_env": 2,
        "build_q_network": 2,
        "build_agent": 3,
        "build_replay_buffer": 2,
        "collect_warmup": 2,
        "train_agent": 12,
        "export_q_weights": 1,
    },
    setup_cells=("setup",),
    parameters={
        "seed": 42,
        "num_envs": 4,
        "replay_buffer_capacity": 100_000,
        "warmup_steps": 20_000,
        "n_iterations": 1_000_000,
        "update_period": 4,
        "batch_size": 64,
        "epsilon_decay_steps": 62_500,
        "target_update_period": 2000,
        "n_step_update": 1,
        "shift_pixels": 0,
        "adam_learning_rate": None,
        "training_minutes": 60,
        "eval_interval": 5_000,
        "n_eval_games": BreakoutGrading.eval_episodes,
        "recheck_points": 3,
        "recheck_games": 2 * BreakoutGrading.eval_episodes,
        "eval_max_steps": BreakoutGrading.eval_max_steps,
        "weights_path": "q_weights.npz",
        "learning_curve_path": None,
    },
    ci_parameters={
        "num_envs": 2,
        "replay_buffer_capacity": 4000,
        "warmup_steps": 1000,
        "n_iterations": 500,
        "batch_size": 16,
        "epsilon_decay_steps": 400,
        "shift_pixels": 4,
        "adam_learning_rate": 1e-4,
        "training_minutes": None,
        "eval_interval": 250,
        "n_eval_games": 2,
        "recheck_games": 2,
        "eval_max_steps": 500,
    },
    grading=BreakoutGrading(),
    leaderboard="train_agent",
    support_files=("gymnasium_adapter.py",),
    quick_grading={"eval_episodes": 4, "eval_max_steps": 2_000},
)

A3 = Assignment(
    id="a3_deep_q_learning",
    points={
        "build_dqn": 1,
        "epsilon_greedy_policy": 2,
        "sample_experiences": 2,
        "play_one_step": 2,
        "training_step": 3,
        "fixed_target_training_step": 2,
        "double_dqn_training_step": 2,
        "per_sample": 2,
        "build_dueling_dqn": 2,
        "train_dqn": 4,
    },
    setup_cells=("setup",),
    parameters={
        "seed": 42,
        "n_episodes": 300,
        "n_max_steps": 500,
        "batch_size": 64,
        "discount_factor": 0.99,
        "learning_rate": 3e-3,
        "warmup_episodes": 10,
        "target_update_period": 50,
        "n_eval_episodes": 20,
    },
    ci_parameters={"n_episodes": 6, "n_max_steps": 50, "warmup_episodes": 2, "n_eval_episodes": 2},
    grading=DeepQLearningGrading(),
    leaderboard="train_dqn",
)

ASSIGNMENTS = (A1, A2, A3, A4)

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


@dataclass(frozen=True)
class CourseCycle:
    """The instructor's cycle with nbgrader's commands: exchange, gradebook, late penalties, summaries."""

    exchange: str = "exchange"
    """nbgrader's exchange for release, fetch, submit and collect: relative to the course root, or absolute
    (``/srv/nbgrader/exchange`` on a shared JupyterHub)."""
    db_url: str = ""
    """nbgrader's gradebook: empty for SQLite ``gradebook.db`` at the course root, or a SQLAlchemy URL such as
    ``postgresql://grader:secret@dbhost/deeprl`` (Postgres needs psycopg2, which requirements.txt installs)."""
    due_dates: tuple = ()
    """``(assignment id, due date)`` pairs, e.g. ``(("a1_policy_gradients", "2026-03-01 23:59:00 UTC"),)``;
    ``nbgrader generate_assignment`` writes them into the gradebook. An assignment without one is never late."""
    late_penalty: str = "per_day"
    """How nbgrader's late-penalty plugin treats a late submission: ``"none"`` and ``"zero"`` are nbgrader's own
    methods; ``"per_day"`` (the kit's plugin) takes ``late_fraction_per_day`` of the score per started day."""
    late_fraction_per_day: float = 0.1
    """Fraction of the score lost per started day late, with ``late_penalty = "per_day"`` (capped at the score)."""
    summary: str = "summary"
    """Where ``python -m autograder summary`` writes each assignment's score histogram and pass rates."""
    leaderboard: str = "leaderboard"
    """Where ``python -m autograder leaderboard`` writes each assignment's ranking, its CSV and the replays."""
    leaderboard_pseudonyms: bool = True
    """Show students on the leaderboard under pseudonyms (a keyed hash of their id; the key is kept beside the
    reports), not under their ids."""
    replay_bytes: int = 2 * MiB
    """The largest replay (an animated GIF of one of the grader's episodes) a feedback page or the leaderboard
    embeds; a longer one keeps fewer frames."""


CYCLE = CourseCycle()


@dataclass(frozen=True)
class BatchGrading:
    """Grading a whole assignment at once (``python -m autograder autograde``) on a Dask cluster."""

    workers: int = 0
    """Submissions graded at once on this machine (a Dask ``LocalCluster``); 0 for one per CPU core."""
    scheduler_address: str = ""
    """A Dask scheduler (``tcp://host:8786``) whose workers grade, to spread over machines; empty for a local
    cluster. Each worker runs from a checkout of this course at the same commit."""
    submission_timeout_s: float = 1800.0
    """Wall-clock seconds to grade one submission; past it the submission gets 0 and says why."""
    submission_bytes: int = 256 * MiB
    """The largest submission (all its files together) the batch grades."""
    reports: str = "reports"
    """Where the batch keeps each submission's report and what it recorded (under the course root): what lets
    a killed batch restart without losing or regrading anything."""


BATCH = BatchGrading()
