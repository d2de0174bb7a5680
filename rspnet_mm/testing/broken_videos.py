"""Write the broken video files that tests of bad input need.

Every kind of damage a video list meets in practice, made from a small
valid mp4 written by :func:`rspnet_mm.testing.videos.write_video`.
"""
import re
import time
from pathlib import Path
from typing import Dict

import cv2
import numpy as np

from ..datasets.transforms.frame_sources import PyAVReader
from .videos import write_video

#: name -> what is wrong with it (the files :func:`write_broken_videos`
#: makes; ``missing.mp4`` is listed but not written).
BROKEN_KINDS = {
    'missing.mp4': 'listed but not on disk',
    'empty.mp4': 'zero bytes',
    'random.mp4': 'random bytes, not a video',
    'truncated.mp4': 'the first half of a valid mp4 (no index)',
    'no_frames.mp4': 'a valid container with zero frames',
    'undecodable.mp4': 'the header claims frames, none of them decode',
}
#: A file whose header claims more frames than decode; the RSPNet sampler
#: still uses its first frames, a checker reports it.
DAMAGED = 'damaged.mp4'


def zero_media_data(source: Path, target: Path,
                    keep_fraction: float) -> Path:
    """Copy an mp4 with its media data after ``keep_fraction`` zeroed.

    The header (moov box) is kept, so it still claims every frame.

    Args:
        source (Path): A valid mp4 file.
        target (Path): Output file.
        keep_fraction (float): Share of the ``mdat`` payload kept, in [0, 1].

    Returns:
        Path: ``target``.
    """
    data = bytearray(Path(source).read_bytes())
    at = data.find(b'mdat')
    if at < 4:
        raise ValueError(f'no mdat box in {source}')
    end = at - 4 + int.from_bytes(data[at - 4:at], 'big')
    start = at + 4 + int((end - at - 4) * keep_fraction)
    data[start:end] = bytes(end - start)
    Path(target).write_bytes(bytes(data))
    return Path(target)


def gradient_frames(num_frames: int, size: int = 32) -> np.ndarray:
    """(T, size, size, 3) uint8 frames of a moving colour gradient."""
    ramp = np.linspace(0, 255, size, dtype=np.float32)
    frames = np.empty((num_frames, size, size, 3), np.uint8)
    for t in range(num_frames):
        shifted = np.roll(ramp, 2 * t)
        frames[t, :, :, 0] = shifted[None, :]
        frames[t, :, :, 1] = shifted[:, None]
        frames[t, :, :, 2] = 128
    return frames


def write_broken_videos(root, source_frames: int = 40) -> Dict[str, Path]:
    """Write one file of each kind in :data:`BROKEN_KINDS` plus
    :data:`DAMAGED` into ``root``.

    Args:
        root: Output folder (created).
        source_frames (int): Frames of the valid video they are made from.
            Defaults to 40.

    Returns:
        dict[str, Path]: File name -> path (``missing.mp4`` does not exist).
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    good = write_video(root / '_source.mp4', gradient_frames(source_frames))
    whole = good.read_bytes()
    paths = {name: root / name for name in [*BROKEN_KINDS, DAMAGED]}
    paths['empty.mp4'].write_bytes(b'')
    rng = np.random.default_rng(0)
    paths['random.mp4'].write_bytes(
        rng.integers(0, 256, 4096, dtype=np.uint8).tobytes())
    paths['truncated.mp4'].write_bytes(whole[:len(whole) // 2])
    writer = cv2.VideoWriter(str(paths['no_frames.mp4']),
                             cv2.VideoWriter_fourcc(*'mp4v'), 25, (32, 32))
    writer.release()
    zero_media_data(good, paths['undecodable.mp4'], 0.0)
    zero_media_data(good, paths[DAMAGED], 0.5)
    good.unlink()
    return paths


def hold_the_gil():
    """Loop for minutes inside one C call that holds the GIL (catastrophic
    regex backtracking), as decord does on an over-reported frame count
    (dmlc/decord#373): no Python signal handler can run meanwhile."""
    return re.match(r'(a+)+b', 'a' * 40)


class HangingReader(PyAVReader):
    """A decoder that blocks on purpose: PyAV, except that reading a file
    whose name starts with ``hang`` never returns.

    Register it as a backend (``BACKENDS['hanging'] = HangingReader``) to
    test the decode time limit. ``gil`` chooses how it blocks: inside a C
    call holding the GIL (True) or in ``time.sleep`` (False).
    """

    gil = True

    def read(self, indices):
        if Path(self.path).name.startswith('hang'):
            if self.gil:
                hold_the_gil()
            time.sleep(600)
        return super().read(indices)
