"""Hidden tests of ``training_step(model, optimizer, loss_fn, experiences, discount_factor, n_outputs)``.

A step is graded by its result: the weights it leaves in the model, compared with
the reference's step from the same weights on the same batch (SGD, squared error).
"""

from autograder.grading import graded

FUNCTION = "training_step"
HINT = (
    "targets = rewards + (1 - dones) * discount_factor * max over actions of model(next_states), reshaped "
    "to a column; then in a GradientTape the Q-values of the actions taken (one-hot mask along axis 1, "
    "reduce_sum with keepdims=True), the mean loss, and optimizer.apply_gradients. Truncated steps still "
    "bootstrap; only done steps do not."
)


@graded(FUNCTION, HINT)
def test_one_step_on_a_batch(training_step_check, make_weights, make_batch):
    """Takes the reference's gradient step on a hidden batch mixing done, truncated and ongoing steps."""
    training_step_check(
        FUNCTION,
        make_weights(),
        make_batch(),
        "training_step(model, SGD, mean_squared_error, experiences, 0.95, 2) on a hidden batch",
        public=False,
    )


@graded(FUNCTION, HINT)
def test_returns_the_loss(training_step_check, make_weights, make_batch):
    """Returns the mean loss of the batch, before the step."""
    training_step_check(
        FUNCTION,
        make_weights(),
        make_batch(),
        "training_step(model, SGD, mean_squared_error, experiences, 0.95, 2) on a hidden batch",
        public=False,
        compare_loss=True,
    )


@graded(FUNCTION, HINT)
def test_done_steps_do_not_bootstrap(training_step_check, make_weights, make_batch):
    """Uses the reward alone as the target after a done step."""
    training_step_check(
        FUNCTION,
        make_weights(),
        make_batch(dones=True, truncateds=False),
        "training_step on a hidden batch where every step is done",
        public=False,
    )


@graded(FUNCTION, HINT)
def test_truncated_steps_bootstrap(training_step_check, make_weights, make_batch):
    """Keeps bootstrapping after a truncated (not done) step: a time limit is not the end of the task."""
    training_step_check(
        FUNCTION,
        make_weights(),
        make_batch(dones=False, truncateds=True),
        "training_step on a hidden batch where every step is truncated",
        public=False,
    )
