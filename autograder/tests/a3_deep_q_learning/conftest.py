"""Inputs shared by assignment 3's hidden tests: Q-network weights and batches of experiences."""

import numpy as np
import pytest

from autograder.grading import DQNModel, Loss, Optimizer, calling, expect_array, expect_scalar


@pytest.fixture
def make_weights(rng, settings):
    """Random Q-network weights (4 -> hidden -> hidden -> n_outputs), big enough to give varied Q-values."""

    def make(n_inputs=4, n_outputs=2, scale=0.5):
        sizes = [n_inputs, settings.hidden_units, settings.hidden_units, n_outputs]
        weights = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            weights += [
                rng.normal(0, scale / np.sqrt(fan_in), (fan_in, fan_out)).astype(np.float32),
                rng.normal(0, 0.1, fan_out).astype(np.float32),
            ]
        return weights

    return make


@pytest.fixture
def make_batch(rng, settings):
    """A batch of experiences (six arrays, as sample_experiences returns them) with done and truncated
    steps mixed in, or all set when asked."""

    def make(size=None, dones=None, truncateds=None):
        size = size or settings.batch_size
        done = rng.random(size) < 0.3 if dones is None else np.full(size, dones)
        truncated = (rng.random(size) < 0.3) & ~done if truncateds is None else np.full(size, truncateds)
        return [
            rng.normal(0, 1, (size, 4)).astype(np.float32),
            rng.integers(0, 2, size),
            rng.normal(1, 1, size),
            rng.normal(0, 1, (size, 4)).astype(np.float32),
            done,
            truncated,
        ]

    return make


@pytest.fixture
def training_step_check(student, reference, settings):
    """Run one training step in the sandbox and in the reference from the same weights and batch, and
    compare the weights it leaves (SGD makes the update follow the gradient) and the loss."""

    def check(function, weights, batch, description, public, target_weights=None, compare_loss=False):
        models = [DQNModel(weights)] + ([DQNModel(target_weights)] if target_weights is not None else [])
        args = (*models, Optimizer("SGD", settings.step_learning_rate), Loss("mean_squared_error"), batch, 0.95, 2)
        view = {"result": "plain", "model_weights": list(range(len(models)))}
        with calling(description, public=public):
            got = student.call(function, *args, view=view)
            want = reference.call(function, *args, view=view)
            if compare_loss:
                expect_scalar(got.value, float(want.value), rtol=settings.rtol, what="the returned loss")
                return
            for index, (name, original) in enumerate(zip(("the model", "the target model"), models)):
                after = got.weights.get(str(index))
                if not isinstance(after, list) or len(after) != len(original.weights):
                    expect_array(after, original.weights[0], rtol=0, what=f"the weights of {name}")
                for layer, (new, expected) in enumerate(zip(after, want.weights[str(index)])):
                    scale = float(np.max(np.abs(expected - original.weights[layer]))) or 1e-6
                    expect_array(
                        new,
                        expected,
                        rtol=settings.weight_rtol,
                        atol=settings.weight_rtol * scale,
                        what=f"weight array {layer} of {name} after the step",
                    )

    return check
