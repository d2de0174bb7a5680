"""Tiny test videos written with cv2 (mp4v), whose frames show their index.

Each frame's top half holds its index as 8 bits in 8 columns, 8 pixels wide
(white = 1, most significant bit on the left), which survives lossy coding
and a resize to 32 pixels; the bottom half is a fixed colour gradient, so
colour augmentation has something to act on.
"""
from pathlib import Path

import cv2
import numpy as np
import pytest

WIDTH, HEIGHT = 64, 48
BITS = 8


def frame_with_index(index: int) -> np.ndarray:
    """(HEIGHT, WIDTH, 3) uint8 RGB frame showing ``index``."""
    frame = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
    column = WIDTH // BITS
    for bit in range(BITS):
        if (index >> (BITS - 1 - bit)) & 1:
            frame[:HEIGHT // 2, bit * column:(bit + 1) * column] = 255
    ramp = np.linspace(0, 255, WIDTH, dtype=np.float32)
    frame[HEIGHT // 2:, :, 0] = ramp
    frame[HEIGHT // 2:, :, 1] = 255 - ramp
    frame[HEIGHT // 2:, :, 2] = 128
    return frame


def read_index(frame: np.ndarray) -> int:
    """Index shown by an (H, W, 3) frame of any size (not flipped)."""
    height, width = frame.shape[:2]
    top = frame[:height // 2].astype(np.float32).mean(axis=(0, 2))
    column = width / BITS
    value = 0
    for bit in range(BITS):
        middle = top[int(bit * column + column / 4):
                     int((bit + 1) * column - column / 4)]
        value = value * 2 + int(middle.mean() > 127)
    return value


def read_indices(frames: np.ndarray) -> list:
    """Indices shown by an (N, H, W, 3) stack."""
    return [read_index(f) for f in frames]


def write_video(path: Path, num_frames: int) -> Path:
    """Write an mp4v video of ``num_frames`` index frames at 25 fps."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'mp4v'), 25,
                             (WIDTH, HEIGHT))
    for index in range(num_frames):
        writer.write(cv2.cvtColor(frame_with_index(index), cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def damage_video(source: Path, target: Path, keep_fraction: float) -> Path:
    """Copy ``source`` with the media data after ``keep_fraction`` zeroed.

    The header (moov box) is kept, so it still claims every frame.
    """
    data = bytearray(source.read_bytes())
    at = data.find(b'mdat')
    assert at >= 4, f'no mdat box in {source}'
    end = at - 4 + int.from_bytes(data[at - 4:at], 'big')
    start = at + 4 + int((end - at - 4) * keep_fraction)
    data[start:end] = bytes(end - start)
    target.write_bytes(bytes(data))
    return target


@pytest.fixture(scope='session')
def video_dir(tmp_path_factory) -> Path:
    """A folder with the test videos, written once per session."""
    root = tmp_path_factory.mktemp('videos')
    write_video(root / 'v80.mp4', 80)
    write_video(root / 'v20.mp4', 20)
    write_video(root / 'v60.mp4', 60)
    damage_video(root / 'v60.mp4', root / 'damaged.mp4', 0.5)
    rng = np.random.default_rng(0)
    (root / 'random.mp4').write_bytes(
        rng.integers(0, 256, 4096, dtype=np.uint8).tobytes())
    whole = (root / 'v60.mp4').read_bytes()
    (root / 'truncated.mp4').write_bytes(whole[:len(whole) // 2])
    write_video(root / 'no_frames.mp4', 0)
    return root


@pytest.fixture(scope='session')
def shown_indices():
    """The function reading the indices an (N, H, W, 3) stack shows."""
    return read_indices
