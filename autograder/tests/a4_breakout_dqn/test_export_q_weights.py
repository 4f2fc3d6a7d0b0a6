"""Hidden test of ``export_q_weights(q_net, path) -> path``: the file it writes, read back by the grader's
own reader of the milestone's weights."""

import numpy as np

from autograder.assignments import atari
from autograder.assignments import tf_agents_kit as kit
from autograder.grading import Mismatch, calling, expect_array, graded

FUNCTION = "export_q_weights"
HINT = (
    "np.savez(path, **{name: weight for name, weight in zip(NAMES, q_net.get_weights())}) with the names "
    "conv1_kernel, conv1_bias, ..., q_values_bias in the order of get_weights(), as float32."
)
PATH = "/tmp/q_weights.npz"


@graded(FUNCTION, HINT)
def test_writes_the_weights_the_grader_reads(student, settings, rng):
    """Writes a .npz of every weight of the network under its name, which the milestone's reader accepts."""
    weights = kit.random_weights(rng, atari.weight_shapes(settings))
    view = kit.view("saved_file", path=1, max_bytes=settings.weights_bytes)
    with calling(
        f"export_q_weights(q_net, {PATH!r}) for a Q-network of the lesson with the grader's weights", public=True
    ):
        saved = student.call(FUNCTION, kit.q_network(settings, weights), PATH, view=view).value
        if not saved.get("exists"):
            raise Mismatch(f"no file was written at {PATH}")
        if "bytes" not in saved:
            raise Mismatch(f"the file takes {saved.get('size')} bytes, over the limit of {settings.weights_bytes}")
        try:
            arrays = atari.load_q_weights(np.asarray(saved["bytes"], dtype=np.uint8).tobytes(), settings)
        except atari.WeightsError as error:
            raise Mismatch(str(error)) from None
        for (name, _), got, want in zip(atari.weight_shapes(settings), arrays, weights):
            expect_array(got, want, rtol=0, atol=0, what=name)
