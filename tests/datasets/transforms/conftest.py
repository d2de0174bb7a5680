"""Tiny test videos written with cv2 (mp4v), whose frames show their index.

Each frame shows its index (:func:`rspnet_mm.testing.videos.index_frame`).
"""
from pathlib import Path
from typing import Dict

import cv2
import numpy as np
import pytest

from rspnet_mm.testing.broken_videos import zero_media_data
from rspnet_mm.testing.encoded_videos import write_encoding_set
from rspnet_mm.testing.videos import index_frame, read_index

WIDTH, HEIGHT = 64, 48


def frame_with_index(index: int) -> np.ndarray:
    """(HEIGHT, WIDTH, 3) uint8 RGB frame showing ``index``."""
    return index_frame(index, HEIGHT, WIDTH)


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


@pytest.fixture(scope='session')
def video_dir(tmp_path_factory) -> Path:
    """A folder with the test videos, written once per session."""
    root = tmp_path_factory.mktemp('videos')
    write_video(root / 'v80.mp4', 80)
    write_video(root / 'v20.mp4', 20)
    write_video(root / 'v60.mp4', 60)
    zero_media_data(root / 'v60.mp4', root / 'damaged.mp4', 0.5)
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


@pytest.fixture(scope='session')
def encoded_videos(tmp_path_factory) -> Dict[str, Path]:
    """One 40-frame file per encoding of ENCODINGS (written by PyAV)."""
    return write_encoding_set(tmp_path_factory.mktemp('encodings'),
                              num_frames=40)
