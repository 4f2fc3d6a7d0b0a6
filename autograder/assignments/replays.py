"""Replays of the grader's own evaluation episodes, as small animated GIFs for the feedback and the leaderboard.

Every frame is drawn from the state of the grader's own environment (CartPole's
cart position and pole angle, with the geometry of gymnasium's ``rgb_array``
render at half its size; Breakout's ALE screen), never from anything a student's
code made. A replay keeps every ``stride``-th step and at most ``max_frames``
frames, so it stays a few hundred kilobytes; ``Replay.gif`` encodes it.
"""

import io
from dataclasses import dataclass, field

import numpy as np

CARTPOLE_PALETTE = [(255, 255, 255), (0, 0, 0), (202, 152, 101), (129, 132, 203)]  # gymnasium's colours
WHITE, BLACK, POLE, AXLE = range(4)
GREYS = [(level, level, level) for level in range(256)]
WIDTH, HEIGHT = 300, 200  # half of gymnasium's 600 x 400, and its sizes halved below
CART_WIDTH, CART_HEIGHT, CART_Y, POLE_WIDTH = 25.0, 15.0, 50, 5.0
ROWS_UP = (HEIGHT - 1 - np.arange(HEIGHT, dtype=np.float32))[:, None]  # each row's height above the bottom


@dataclass
class Replay:
    """Frames of one of the grader's episodes (palette indices), its seed and its score so far."""

    seed: int
    stride: int
    """Keep every ``stride``-th step's frame."""
    max_frames: int
    palette: list = field(default_factory=list)
    """The frames' colours: a frame holds indices into it."""
    frames: list = field(default_factory=list)
    score: float = 0.0
    steps: int = 0

    def add(self, frame, reward=0.0):
        """Count a step's reward; when it is one of the steps shown, keep ``frame()`` (drawn only then)."""
        self.score += float(reward)
        if self.steps % self.stride == 0 and len(self.frames) < self.max_frames:
            self.frames.append(frame())
        self.steps += 1

    def gif(self, max_bytes, milliseconds_per_frame=40):
        """The replay as an animated GIF (bytes) that loops, of at most ``max_bytes`` (every other frame is
        dropped until it fits); empty bytes if no frame was kept or none fits."""
        from PIL import Image

        flat = [channel for colour in self.palette for channel in colour]
        frames, duration = self.frames, milliseconds_per_frame
        while frames:
            images = []
            for frame in frames:
                image = Image.fromarray(frame, mode="P")
                image.putpalette(flat)
                images.append(image)
            buffer = io.BytesIO()
            images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:], duration=duration, loop=0)
            if buffer.tell() <= max_bytes:
                return buffer.getvalue()
            frames, duration = frames[::2] if len(frames) > 1 else [], duration * 2
        return b""


def cartpole_frame(env):
    """The frame of a CartPole environment's current state: gymnasium's picture at half size (300 x 200), drawn
    from the environment's own state in palette indices."""
    core = env.unwrapped
    x, _, theta, _ = (float(value) for value in core.state)
    scale = WIDTH / (core.x_threshold * 2)
    pole_length = scale * 2 * core.length
    frame = np.full((HEIGHT, WIDTH), WHITE, np.uint8)
    frame[HEIGHT - 1 - CART_Y] = BLACK  # the track
    cart_x = x * scale + WIDTH / 2
    reach = int(pole_length + CART_WIDTH)  # everything else is drawn in a window around the cart
    left, right = max(0, int(cart_x) - reach), min(WIDTH, int(cart_x) + reach + 1)
    if left >= right:
        return frame
    window = frame[:, left:right]
    dx = np.arange(left, right, dtype=np.float32)[None, :] - cart_x
    dy = ROWS_UP - CART_Y
    window[(np.abs(dx) <= CART_WIDTH / 2) & (np.abs(dy) <= CART_HEIGHT / 2)] = BLACK
    dy = ROWS_UP - (CART_Y + CART_HEIGHT / 4)  # from the axle
    along = dx * np.sin(theta) + dy * np.cos(theta)
    across = dx * np.cos(theta) - dy * np.sin(theta)
    window[(along >= -POLE_WIDTH / 2) & (along <= pole_length) & (np.abs(across) <= POLE_WIDTH / 2)] = POLE
    window[dx**2 + dy**2 <= (POLE_WIDTH / 2) ** 2] = AXLE
    return frame


def cartpole_replay(seed):
    """An empty replay of a CartPole episode: every second step, up to 250 frames (all of a 500-step episode)."""
    return Replay(seed, stride=2, max_frames=250, palette=CARTPOLE_PALETTE)


def breakout_replay(seed):
    """An empty replay of a Breakout game: every second agent step (eight emulator frames), up to 400 frames."""
    return Replay(seed, stride=2, max_frames=400, palette=GREYS)


def breakout_frame(observation):
    """The latest of a game's stacked 84 x 84 grey screens (the grader's own ALE screen as the agent sees it),
    shown at twice its size."""
    return np.repeat(np.repeat(np.asarray(observation[-1], np.uint8), 2, axis=0), 2, axis=1)
