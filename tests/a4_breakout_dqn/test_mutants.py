"""Plausible wrong implementations lose their own function's points and only those; correct alternatives, and
notebooks as students really write and save them, get every pipeline test; garbage fails cleanly.

Functions are graded independently (each with the grader's environments, networks,
agents and buffers), so one notebook carries a mutant of every function at once:
three such notebooks, each graded once, keep the cost down. Every pipeline test of a
function must be failed by at least one of its mutants. The milestone's tests (under
train_agent) read q_weights.npz, which tests/a4_breakout_dqn/test_atari.py covers.
"""

import json
import textwrap

import numpy as np
import pytest

from autograder import config
from tests import student_notebooks
from tests.conftest import by_function, grade, once_per_run, write_variant
from tests.student_notebooks import Realistic

A4 = config.assignment("a4_breakout_dqn")
MILESTONE = "test_trained_agent_reaches_the_band"
UNMUTATED = "export_q_weights"  # left correct in the second mutant notebook


def reference_source(function):
    notebook = json.loads(config.path("solutions", A4.id, A4.notebook).read_text())
    return next(
        "".join(cell["source"])
        for cell in notebook["cells"]
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == function
    )


def mutant(function, *replacements):
    """The reference's source of ``function`` with each (old, new) replacement made; old must be there."""
    source = reference_source(function)
    for old, new in replacements:
        assert old in source, f"{old!r} is no longer in the reference's {function}"
        source = source.replace(old, new)
    return source


MUTANTS = [
    {
        "make_breakout_env": mutant("make_breakout_env", ("life_loss_info=training", "episodic_life=training")),
        "build_q_network": mutant("build_q_network", ("tf.cast(obs, tf.float32) / 255.0", "tf.cast(obs, tf.float32)")),
        "build_agent": mutant(
            "build_agent", ("gamma=0.99", "gamma=0.9"), ("target_update_period=2000,", "target_update_period=1000,")
        ),
        "build_replay_buffer": mutant(
            "build_replay_buffer", ("max_length=max_length", "max_length=max_length // tf_env.batch_size")
        ),
        "collect_warmup": mutant("collect_warmup", ("num_steps=n_steps", "num_steps=n_steps // tf_env.batch_size")),
        "train_agent": mutant(
            "train_agent",
            (
                "losses.append(float(train(trajectories).loss))",
                "losses.append(float(train(trajectories).loss))\n            train(next(iterator)[0])",
            ),
        ),
        "export_q_weights": "def export_q_weights(q_net, path):\n    np.savez(path, *q_net.get_weights())\n"
        "    return path",
    },
    {
        "make_breakout_env": mutant(
            "make_breakout_env",
            ("life_loss_info=training", "life_loss_info=True"),
            ("frames_last=True", "frames_last=False"),
        ),
        "build_q_network": mutant("build_q_network", ("fc_layer_params=[512]", "fc_layer_params=[256]")),
        "build_agent": mutant(
            "build_agent",
            ("keras.optimizers.RMSprop(", "keras.optimizers.Adam("),
            (
                "rho=0.95, momentum=0.0, epsilon=0.00001,\n                                         centered=True",
                "epsilon=0.00001",
            ),
            ('keras.losses.Huber(reduction="none")', "common.element_wise_squared_loss"),
            ("epsilon_greedy=lambda: epsilon_fn(train_step)", "epsilon_greedy=0.1"),
            ("    agent.initialize()\n", ""),
        ),
        "build_replay_buffer": mutant(
            "build_replay_buffer",
            ("return replay_buffer, replay_buffer.add_batch", "return replay_buffer, lambda trajectory: None"),
        ),
        "collect_warmup": mutant(
            "collect_warmup",
            (
                "RandomTFPolicy(tf_env.time_step_spec(), tf_env.action_spec())",
                "FixedPolicy(np.int64(1), tf_env.time_step_spec(), tf_env.action_spec())",
            ),
            ("    initial", "    from tf_agents.policies.fixed_policy import FixedPolicy\n    initial"),
        ),
        "train_agent": mutant(
            "train_agent",
            (
                "DynamicStepDriver(tf_env, agent.collect_policy,",
                "DynamicStepDriver(tf_env, RandomTFPolicy(tf_env.time_step_spec(), tf_env.action_spec()),",
            ),
            ("agent.collect_policy.get_initial_state(", "()  # "),
        ),
    },
]
NAMES = [  # what each mutant of MUTANTS gets wrong (tests/test_stats.py finds the statistical tests' mistakes here)
    {
        "make_breakout_env": "a new game at each life loss (episodic_life)",
        "build_q_network": "frames not scaled to [0, 1]",
        "build_agent": "gamma 0.9 and target updates every 1,000 steps",
        "build_replay_buffer": "max_length shared between the games",
        "collect_warmup": "n_steps counted per game",
        "train_agent": "trains twice per iteration",
        "export_q_weights": "unnamed arrays",
    },
    {
        "make_breakout_env": "life losses end evaluation games too, frames first",
        "build_q_network": "256 units in the dense layer",
        "build_agent": "Adam, squared loss, constant epsilon, not initialised",
        "build_replay_buffer": "an observer that stores nothing",
        "collect_warmup": "always the same action",
        "train_agent": "collects with a random policy",
    },
]
GARBAGE = {
    function: f"def {function}(*args, **kwargs):\n    return {value}"
    for function, value in zip(
        A4.points, ["None", "'text'", "{'a': 1}", "[[[]]]", "np.array([np.nan])", "object()", "np.zeros((3, 3))"]
    )
}

ALTERNATIVES = {
    "make_breakout_env": """
        def make_breakout_env(num_envs=1, seed=None, training=True):
            from ale_py.vector_env import AtariVectorEnv
            games = AtariVectorEnv("breakout", num_envs, repeat_action_probability=0.25, frameskip=4,
                                   max_num_frames_per_episode=108_000, reward_clipping=False,
                                   life_loss_info=bool(training), noop_max=30, use_fire_reset=True)
            return TFPyEnvironment(GymnasiumVectorEnvironment(games, seed, True))
    """,
    "build_q_network": """
        def build_q_network(observation_spec, action_spec):
            scale = keras.layers.Lambda(lambda frames: tf.cast(frames, tf.float32) * (1.0 / 255))
            return QNetwork(input_tensor_spec=observation_spec, action_spec=action_spec, preprocessing_layers=scale,
                            conv_layer_params=((32, 8, 4), (64, 4, 2), (64, 3, 1)), fc_layer_params=(512,),
                            activation_fn=tf.nn.relu)
    """,
    "build_agent": """
        def build_agent(tf_env, q_net, epsilon_decay_steps=62_500):
            step = tf.Variable(0, dtype=tf.int64)

            def epsilon():
                done = tf.minimum(tf.cast(step, tf.float32) / epsilon_decay_steps, 1.0)
                return 1.0 - 0.99 * done

            agent = DqnAgent(tf_env.time_step_spec(), tf_env.action_spec(), q_network=q_net,
                             optimizer=tf.keras.optimizers.RMSprop(0.00025, rho=0.95, epsilon=1e-5, centered=True),
                             epsilon_greedy=epsilon, gamma=0.99, target_update_period=2_000,
                             td_errors_loss_fn=tf.keras.losses.Huber(reduction=tf.keras.losses.Reduction.NONE),
                             train_step_counter=step)
            agent.initialize()
            return agent
    """,
    "build_replay_buffer": """
        def build_replay_buffer(agent, tf_env, max_length):
            buffer = TFUniformReplayBuffer(agent.collect_data_spec, tf_env.batch_size, max_length=max_length)

            def observer(trajectory):
                buffer.add_batch(trajectory)

            return buffer, observer
    """,
    "collect_warmup": """
        def collect_warmup(tf_env, replay_buffer, n_steps):
            driver = DynamicStepDriver(tf_env, RandomTFPolicy(tf_env.time_step_spec(), tf_env.action_spec()),
                                       observers=[replay_buffer.add_batch], num_steps=n_steps)
            return driver.run()
    """,
    "train_agent": """
        def train_agent(tf_env, agent, replay_buffer, n_iterations, observers=(), update_period=4, batch_size=64):
            driver = DynamicStepDriver(tf_env, agent.collect_policy, num_steps=update_period,
                                       observers=[replay_buffer.add_batch] + list(observers))

            @tf.function
            def iteration(time_step, policy_state):
                time_step, policy_state = driver.run(time_step, policy_state)
                experience, _ = replay_buffer.get_next(sample_batch_size=batch_size, num_steps=2)
                return time_step, policy_state, agent.train(experience).loss

            time_step, policy_state, losses = tf_env.current_time_step(), (), []
            for _ in range(n_iterations):
                time_step, policy_state, loss = iteration(time_step, policy_state)
                losses.append(loss.numpy().item())
            return losses
    """,
    "export_q_weights": """
        def export_q_weights(q_net, path):
            names = [f"{layer}_{kind}" for layer in ("conv1", "conv2", "conv3", "fc1", "q_values")
                     for kind in ("kernel", "bias")]
            np.savez_compressed(path, **{name: variable.numpy() for name, variable in
                                         zip(names, q_net.trainable_variables)})
            return path
    """,
}


REALISTIC = [
    Realistic(  # Notebook 7: constants and a helper in cells of their own, magics, a quick call left in
        app="notebook7",
        added=(
            (
                "build_q_network",
                "before",
                """
                !nvidia-smi
                %load_ext autoreload
                CONV_LAYERS = [(32, (8, 8), 4), (64, (4, 4), 2), (64, (3, 3), 1)]
                SCALE = keras.layers.Lambda(lambda obs: tf.cast(obs, tf.float32) / 255.0)
            """,
            ),
            (
                "export_q_weights",
                "before",
                """
                WEIGHT_NAMES = [f"{layer}_{kind}" for layer in ("conv1", "conv2", "conv3", "fc1", "q_values")
                                for kind in ("kernel", "bias")]
            """,
            ),
        ),
        cells={
            "build_q_network": """
                %%time
                def build_q_network(observation_spec, action_spec):
                    return QNetwork(observation_spec, action_spec, preprocessing_layers=SCALE,
                                    conv_layer_params=CONV_LAYERS, fc_layer_params=[512])

                build_q_network(test_env.observation_spec(), test_env.action_spec())
            """,
            "export_q_weights": """
                def export_q_weights(q_net, path):
                    np.savez(path, **{name: np.asarray(weight, np.float32)
                                      for name, weight in zip(WEIGHT_NAMES, q_net.get_weights())})
                    return path
            """,
        },
    )
]


def pipeline(report):
    """The report's tests of the pipeline (not the milestone's)."""
    return [test for test in report["tests"] if not test["name"].startswith(MILESTONE)]


@pytest.fixture(scope="session")
def mutant_reports(tmp_path_factory):
    """The reports of the mutant notebooks, graded once per run."""
    return once_per_run(
        tmp_path_factory,
        "mutants-a4",
        lambda directory: [
            grade(A4.id, write_variant(directory, A4.id, cells, name=f"row{index}"))
            for index, cells in enumerate(MUTANTS)
        ],
    )[1]


@pytest.mark.slow
@pytest.mark.parametrize("function", [function for function in A4.points])
def test_every_test_of_a_function_is_failed_by_one_of_its_mutants(function, mutant_reports):
    tests = {test["name"] for test in pipeline(mutant_reports[0]) if test["function"] == function}
    caught = {
        test["name"]
        for report in mutant_reports
        for test in pipeline(report)
        if test["function"] == function and not test["passed"]
    }
    assert tests and tests <= caught, f"no mutant of {function} fails {sorted(tests - caught)}"
    assert not any("grader itself" in test["feedback"] for report in mutant_reports for test in report["tests"])


def test_every_mutant_is_named():
    assert [set(row) for row in NAMES] == [set(row) for row in MUTANTS]


@pytest.mark.slow
def test_other_functions_broken_cost_a_function_nothing(mutant_reports):
    assert UNMUTATED not in MUTANTS[1]
    got, most = by_function(mutant_reports[1])[UNMUTATED]
    assert got == most > 0


def failed_pipeline_tests(report):
    """The failed pipeline tests with their whole feedback, as text that pytest shows uncut."""
    return "\n\n".join(f"{test['name']}:\n{test['feedback']}" for test in pipeline(report) if not test["passed"])


@pytest.mark.slow
def test_correct_alternatives_pass_every_pipeline_test(tmp_path):
    cells = {function: textwrap.dedent(source).strip() for function, source in ALTERNATIVES.items()}
    report = grade(A4.id, write_variant(tmp_path, A4.id, cells))
    assert not failed_pipeline_tests(report), failed_pipeline_tests(report)


@pytest.mark.slow
def test_a_training_step_too_many_fails_the_weights_check(tmp_path):
    """Its losses are right, and one more training step after the loop moves the weights by about 5 % of their
    change or more: the weights' tolerance (train_weights_atol) must stay well below that."""
    extra = mutant("train_agent", ("    return losses\n", "    train(next(iterator)[0])\n    return losses\n"))
    report = grade(A4.id, write_variant(tmp_path, A4.id, {"train_agent": extra}), functions=["train_agent"])
    failed = [test for test in pipeline(report) if not test["passed"]]
    assert [test["name"] for test in failed] == ["test_trains_once_per_iteration_on_the_sampled_batches"], failed
    assert "of the Q-network after the loop" in failed[0]["feedback"]


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(REALISTIC)))
def test_notebooks_as_students_write_them_pass_every_pipeline_test(index, tmp_path):
    report = grade(A4.id, student_notebooks.write(REALISTIC[index], A4.id, tmp_path))
    assert not failed_pipeline_tests(report), failed_pipeline_tests(report)
    assert any("did not run (the grader runs no shell commands" in note for note in report["notes"])


@pytest.mark.slow
def test_garbage_fails_cleanly_and_a_malformed_weights_file_only_the_milestone(tmp_path):
    np.savez(tmp_path / A4.grading.weights_file, conv1_kernel=np.zeros((8, 8, 4, 16), np.float32))
    report = grade(A4.id, write_variant(tmp_path, A4.id, GARBAGE))
    assert report["score"] == 0 and report["error"] is None
    assert not any("grader itself" in test["feedback"] for test in report["tests"])
    milestone = [test["feedback"] for test in report["tests"] if test["name"].startswith(MILESTONE)]
    assert len(milestone) == len(A4.grading.score_bands)
    assert all("q_weights.npz must hold exactly the arrays" in feedback for feedback in milestone), milestone
