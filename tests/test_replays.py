"""Replays of the grader's own episodes: CartPole frames drawn from the environment's state look as gymnasium
draws them, Breakout frames are the grader's own screens, and every GIF fits its cap and decodes."""

import dataclasses
import io
import os

import numpy as np
import pytest
from PIL import Image

from autograder.assignments import atari, dqn_net, mlp, replays
from autograder.assignments.envs import cartpole
from autograder.grading.stats import mean_interval
from course_config import A4

os.environ.setdefault("SDL_AUDIODRIVER", "dummy")  # gymnasium's own renderer, for the comparison


def frames_of(gif):
    """The GIF's distinct frames (a frame equal to the one before is merged into it) and its length in ms."""
    image = Image.open(io.BytesIO(gif))
    frames, milliseconds = [], 0
    for index in range(image.n_frames):
        image.seek(index)
        frames.append(np.asarray(image.convert("RGB")))
        milliseconds += image.info["duration"]
    return frames, milliseconds


def test_a_cartpole_frame_is_gymnasiums_picture_at_half_size():
    import gymnasium as gym

    theirs = gym.make("CartPole-v1", render_mode="rgb_array")
    ours = cartpole(500)
    observation, _ = theirs.reset(seed=7)
    ours.reset(seed=7)
    palette = np.array(replays.CARTPOLE_PALETTE, np.uint8)
    for step in range(40):
        action = int(observation[2] + 0.5 * observation[3] > 0)
        observation, *_ = theirs.step(action)
        ours.step(action)
        drawn = palette[replays.cartpole_frame(ours)]
        rendered = theirs.render()[::2, ::2]
        assert drawn.shape == rendered.shape == (200, 300, 3)
        differing = np.any(np.abs(drawn.astype(int) - rendered.astype(int)) > 60, axis=-1).mean()
        assert differing < 0.01, (step, differing)  # edges differ by a pixel at most


def test_a_replay_keeps_every_second_step_and_its_score():
    weights = mlp.initial_weights(np.random.default_rng(0), [4, 32, 2])
    replay = replays.cartpole_replay(5)
    returns = dqn_net.returns(weights, 3, 5, replay)
    assert replay.score == returns[0] and replay.steps == returns[0]
    assert len(replay.frames) == min(250, (replay.steps + 1) // 2)
    assert frames_of(replay.gif(2**21))[1] == 40 * len(replay.frames)


def test_a_replay_over_its_cap_keeps_fewer_frames():
    weights = mlp.initial_weights(np.random.default_rng(1), [4, 32, 2])
    replay = replays.cartpole_replay(5)
    dqn_net.returns(weights, 1, 5, replay)
    full = replay.gif(2**21)
    smaller = replay.gif(len(full) // 2)
    assert 0 < len(smaller) <= len(full) // 2 and len(frames_of(smaller)[0]) < len(replay.frames)
    assert replay.gif(10) == b""


@pytest.mark.slow
def test_a_breakout_replay_shows_the_graders_own_screens():
    settings = dataclasses.replace(A4.grading, eval_episodes=2, eval_max_steps=200)
    replay = replays.breakout_replay(settings.eval_seed)
    scores = atari.play(lambda observations: np.ones(len(observations), np.int64), settings, replay=replay)
    assert replay.score == scores[0] and replay.frames[0].shape == (168, 168)
    frames, milliseconds = frames_of(replay.gif(2**21))
    assert milliseconds == 40 * len(replay.frames) and len({frame.tobytes() for frame in frames}) > 1


def test_a_mean_interval_is_students_t():
    mean, low, high = mean_interval([1, 2, 3, 4])
    assert mean == 2.5 and (low, high) == pytest.approx(
        (2.5 - 3.182446 * 0.645497, 2.5 + 3.182446 * 0.645497), abs=1e-5
    )
    assert mean_interval([7.0]) == (7.0, None, None)
