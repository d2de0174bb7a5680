"""Write small mp4 files for tests, and frames that show their index."""
from pathlib import Path
from typing import Iterable, Sequence

import cv2
import numpy as np


def write_video(path, frames: Iterable[np.ndarray], fps: float = 25.0) -> Path:
    """Write RGB frames to an mp4 (MPEG-4 part 2) file with OpenCV.

    Args:
        path: Output file; parent folders are created.
        frames: Iterable of (H, W, 3) uint8 RGB frames, all the same size.
        fps (float): Frame rate stored in the file. Defaults to 25.

    Returns:
        Path: The written file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = None
    try:
        for frame in frames:
            if writer is None:
                height, width = frame.shape[:2]
                writer = cv2.VideoWriter(
                    str(path), cv2.VideoWriter_fourcc(*'mp4v'), fps,
                    (width, height))
                if not writer.isOpened():
                    raise OSError(f'OpenCV could not open {path} for writing')
            writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    finally:
        if writer is not None:
            writer.release()
    if writer is None:
        raise ValueError(f'no frames given for {path}')
    return path


def index_coded_frames(num_frames: int,
                       size: Sequence[int] = (48, 64)) -> np.ndarray:
    """Frames whose flat grey level encodes their index (4 levels a step).

    Frame ``i`` is filled with ``min(4 * i, 255)``, which survives MPEG-4
    compression well enough to read the index back as ``round(mean / 4)``
    for up to 64 frames.

    Args:
        num_frames (int): Number of frames T.
        size (tuple[int, int]): (H, W). Defaults to (48, 64).

    Returns:
        np.ndarray: (T, H, W, 3) uint8 frames.
    """
    levels = np.minimum(np.arange(num_frames) * 4, 255).astype(np.uint8)
    frames = np.empty((num_frames, *size, 3), np.uint8)
    frames[:] = levels[:, None, None, None]
    return frames


#: Bits of the index an :func:`index_frame` shows.
INDEX_BITS = 8


def index_frame(index: int, height: int = 48, width: int = 64) -> np.ndarray:
    """(height, width, 3) uint8 RGB frame showing ``index``.

    The top half holds the index as 8 bits in 8 columns (white = 1, most
    significant bit on the left), which survives lossy coding and a resize
    to 32 pixels; the bottom half is a fixed colour gradient, so colour
    augmentation has something to act on.
    """
    frame = np.zeros((height, width, 3), np.uint8)
    column = width / INDEX_BITS
    for bit in range(INDEX_BITS):
        if (index >> (INDEX_BITS - 1 - bit)) & 1:
            frame[:height // 2,
                  round(bit * column):round((bit + 1) * column)] = 255
    ramp = np.linspace(0, 255, width, dtype=np.float32)
    frame[height // 2:, :, 0] = ramp
    frame[height // 2:, :, 1] = 255 - ramp
    frame[height // 2:, :, 2] = 128
    return frame


def read_index(frame: np.ndarray) -> int:
    """Index shown by an (H, W, 3) :func:`index_frame` of any size (not
    flipped)."""
    height, width = frame.shape[:2]
    top = frame[:height // 2].astype(np.float32).mean(axis=(0, 2))
    column = width / INDEX_BITS
    value = 0
    for bit in range(INDEX_BITS):
        middle = top[int(bit * column + column / 4):
                     int((bit + 1) * column - column / 4)]
        value = value * 2 + int(middle.mean() > 127)
    return value
