"""Hidden tests of ``double_dqn_training_step(model, target_model, optimizer, loss_fn, experiences,
discount_factor, n_outputs)``, graded by the weights a step leaves (see test_training_step)."""

from autograder.grading import graded

FUNCTION = "double_dqn_training_step"
HINT = (
    "The online model picks each next state's best action (argmax of model(next_states)); the target "
    "model gives its value (target_model(next_states) at that action). Then the step as in training_step."
)


@graded(FUNCTION, HINT)
def test_online_picks_target_values(training_step_check, make_weights, make_batch):
    """Takes the reference's double-DQN step on a hidden batch, online and target networks differing."""
    training_step_check(
        FUNCTION,
        make_weights(),
        make_batch(),
        "double_dqn_training_step(model, target_model, SGD, mean_squared_error, experiences, "
        "0.95, 2) on a hidden batch",
        public=False,
        target_weights=make_weights(),
    )


@graded(FUNCTION, HINT)
def test_returns_the_loss(training_step_check, make_weights, make_batch):
    """Returns the mean loss of the batch, before the step."""
    training_step_check(
        FUNCTION,
        make_weights(),
        make_batch(),
        "double_dqn_training_step on a hidden batch",
        public=False,
        target_weights=make_weights(),
        compare_loss=True,
    )


@graded(FUNCTION, HINT)
def test_done_and_truncated_steps(training_step_check, make_weights, make_batch):
    """Stops bootstrapping after done steps only, on hidden batches of all-done and all-truncated steps."""
    for dones in (True, False):
        training_step_check(
            FUNCTION,
            make_weights(),
            make_batch(dones=dones, truncateds=not dones),
            "double_dqn_training_step on hidden batches of done steps, then of truncated steps",
            public=False,
            target_weights=make_weights(),
        )
