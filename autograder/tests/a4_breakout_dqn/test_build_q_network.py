"""Hidden tests of ``build_q_network(observation_spec, action_spec) -> QNetwork``.

The grader's NumPy copy of the network (``autograder.assignments.atari.q_values``), the one that
plays the milestone's games, gives the Q-values the student's network must give.
"""

from autograder.assignments import atari
from autograder.assignments import tf_agents_kit as kit
from autograder.grading import Mismatch, calling, expect_array, graded

FUNCTION = "build_q_network"
HINT = (
    "QNetwork(observation_spec, action_spec, preprocessing_layers=keras.layers.Lambda(lambda obs: "
    "tf.cast(obs, tf.float32) / 255.0), conv_layer_params=[(32, (8, 8), 4), (64, (4, 4), 2), (64, (3, 3), 1)], "
    "fc_layer_params=[512])."
)


def describe(student, settings, rng, n_actions, n_inputs=2):
    """The student's network for these specs, with random weights of the lesson's shapes set if it has them."""
    shapes = atari.weight_shapes(settings, n_actions)
    weights, inputs = kit.random_weights(rng, shapes), kit.random_frames(rng, settings, n_inputs)
    view = kit.view("q_network", weights=weights, inputs=inputs)
    described = kit.expect_description(
        student.call(FUNCTION, kit.observation_spec(settings), kit.action_spec(n_actions), view=view).value,
        "a TF-Agents network (a QNetwork)",
        "is_network",
        ("weight_shapes",),
    )
    want = [list(shape) for _, shape in shapes]
    if not kit.same(described["weight_shapes"], want):
        raise Mismatch(f"expected weights of shapes {want}, got {str(described['weight_shapes'])[:300]}")
    return described, weights, inputs


@graded(FUNCTION, HINT)
def test_layer_shapes(student, settings, rng):
    """Has the lesson's three convolutions, its dense layer of 512 units and one output per action."""
    with calling(
        "build_q_network(observation_spec, action_spec) for Breakout's 84x84x4 bytes and 4 actions", public=True
    ):
        describe(student, settings, rng, settings.n_actions)


@graded(FUNCTION, HINT)
def test_one_q_value_per_action_of_the_spec(student, settings, rng):
    """Outputs as many Q-values as the action spec has actions (6 here)."""
    with calling("build_q_network(observation_spec, action_spec) with actions 0 to 5", public=True):
        describe(student, settings, rng, 6)


@graded(FUNCTION, HINT)
def test_q_values_with_given_weights(student, settings, rng):
    """With hidden weights, gives the Q-values of the lesson's network (inputs / 255, ReLU) on hidden frames."""
    with calling(
        "build_q_network(observation_spec, action_spec), its weights set by the grader, on 8 hidden observations",
        public=False,
    ):
        described, weights, inputs = describe(student, settings, rng, settings.n_actions, n_inputs=8)
        want = atari.q_values(weights, inputs, settings)
        expect_array(
            described.get("outputs"),
            want,
            rtol=settings.rtol,
            what="the Q-values",
            hint="Divide the observations by 255 in the preprocessing layer, as floats.",
        )
