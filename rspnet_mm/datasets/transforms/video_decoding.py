"""Open a video with decord and read frames, turning failures into errors
that name the file.

Every function here raises :class:`VideoReadError` for a video it cannot use:
a missing file, a file decord cannot open (truncated, random bytes, no video
stream), a video without frames, or frames that fail to decode.
"""
import os
from typing import Callable, Optional, Sequence, Tuple

import cv2
import decord
import numpy as np
import torch
from torch.utils.dlpack import from_dlpack

from .errors import VideoReadError


def _first_line(error: BaseException) -> str:
    lines = [ln.strip() for ln in str(error).splitlines() if ln.strip()]
    text = lines[-1] if lines else type(error).__name__
    return text[:200]


def _as_numpy(batch) -> np.ndarray:
    """A decord batch as numpy, sharing its memory (no 30 MB copy)."""
    if hasattr(batch, 'to_dlpack'):  # decord's native NDArray
        return from_dlpack(batch.to_dlpack()).numpy()
    if isinstance(batch, torch.Tensor):  # decord's torch bridge
        return batch.numpy()
    return np.asarray(batch)


def probe_frame_size(path: str) -> Optional[Tuple[int, int]]:
    """Frame size from the container header, without decoding.

    Args:
        path (str): The video file.

    Returns:
        tuple[int, int] | None: ``(height, width)``, or None when the header
        does not say.
    """
    capture = cv2.VideoCapture(path)
    try:
        width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
        height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
    finally:
        capture.release()
    if width <= 0 or height <= 0:
        return None
    return height, width


def reduced_size(height: int, width: int,
                 short_side: Optional[int]) -> Optional[Tuple[int, int]]:
    """Size to decode at so that the short side is ``short_side``.

    Args:
        height (int): Frame height in the file.
        width (int): Frame width in the file.
        short_side (int | None): Wanted short side; None keeps the size.

    Returns:
        tuple[int, int] | None: ``(height, width)`` keeping the aspect
        ratio, or None when the frames are not larger than asked.
    """
    if short_side is None or min(height, width) <= short_side:
        return None
    scale = short_side / min(height, width)
    return (max(short_side, round(height * scale)),
            max(short_side, round(width * scale)))


def open_video(path: str,
               num_threads: int = 1,
               decode_short_side: Optional[int] = None
               ) -> decord.VideoReader:
    """Open ``path`` once with decord.

    Args:
        path (str): The video file.
        num_threads (int): decord decoding threads. Defaults to 1.
        decode_short_side (int | None): When the frames' short side is
            larger, decode at this short side (aspect ratio kept) instead
            of the native size. Defaults to None (native size).

    Returns:
        decord.VideoReader: A reader with at least one frame.

    Raises:
        VideoReadError: The file is missing, cannot be opened or has no
            frames.
    """
    if not os.path.isfile(path):
        raise VideoReadError(
            path, 'file not found; check the annotation file and '
            'data_prefix, or remove the entry')
    height = width = -1
    if decode_short_side is not None:
        size = probe_frame_size(path)
        target = None if size is None else reduced_size(
            *size, decode_short_side)
        if target is not None:
            height, width = target
    try:
        reader = decord.VideoReader(
            path, width=width, height=height, num_threads=num_threads)
    except Exception as error:  # decord raises RuntimeError / DECORDError
        raise VideoReadError(
            path, f'decord cannot open it ({_first_line(error)}); the file '
            'is truncated, empty or not a video: re-encode or remove it'
        ) from error
    if len(reader) <= 0:
        raise VideoReadError(
            path, 'the video has zero frames; re-encode or remove it')
    return reader


def read_frames(reader: decord.VideoReader, path: str,
                indices: Sequence[int]) -> np.ndarray:
    """Decode frames ``indices`` in one ``get_batch`` call.

    Args:
        reader (decord.VideoReader): An open reader.
        path (str): The file it reads (for error messages).
        indices (Sequence[int]): Frame indices, best sorted and unique.

    Returns:
        np.ndarray: (len(indices), H, W, 3) uint8 RGB frames.

    Raises:
        VideoReadError: decord failed or returned the wrong number of frames.
    """
    indices = [int(i) for i in indices]
    try:
        batch = reader.get_batch(indices)
    except Exception as error:
        raise VideoReadError(
            path, f'decoding frames {indices[0]}..{indices[-1]} failed '
            f'({_first_line(error)})') from error
    frames = _as_numpy(batch)
    if frames.ndim != 4 or frames.shape[0] != len(indices):
        raise VideoReadError(
            path, f'decord returned {frames.shape[0]} frames for '
            f'{len(indices)} requested')
    return frames


def count_decodable_frames(open_reader: Callable[[], decord.VideoReader],
                           num_frames: int) -> int:
    """Length of the prefix of frames that decode, found by bisection.

    For files whose header claims more frames than the data holds (a damaged
    or cut stream), assuming that once a frame fails the later ones fail
    too. Each probe uses a fresh reader, since after an error a reader's
    answers depend on what it read before. decord decodes ahead in a
    thread, so a frame shortly before the damage can fail on a busy machine
    too: the count may come out low, never high.

    Args:
        open_reader (Callable[[], decord.VideoReader]): Opens the video.
        num_frames (int): Frames the header claims.

    Returns:
        int: ``n`` such that frame ``n - 1`` decoded and frame ``n`` did not
        (``num_frames`` if the last frame decodes; 0 if frame 0 fails).
    """

    def decodes(index: int) -> bool:
        try:
            open_reader().get_batch([index])
        except Exception:
            return False
        return True

    if decodes(num_frames - 1):
        return num_frames
    low, high = -1, num_frames - 1  # low decodes (or is -1), high fails
    while high - low > 1:
        mid = (low + high) // 2
        if decodes(mid):
            low = mid
        else:
            high = mid
    return high
