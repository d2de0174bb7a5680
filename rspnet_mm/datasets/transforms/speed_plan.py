"""Which frames the three RSPNet views take from a video (pure functions).

A window is ``clip_len * max(speeds)`` consecutive frames. The view at speed
``s`` takes window positions ``0, s, 2s, ...`` (the first ``clip_len`` of
them), so every view of a window starts at its first frame. Videos shorter
than a window are looped from frame 0, as the official ``fallback_select``
does (``np.arange(window_len) % num_frames``).
"""
from typing import Sequence, Tuple

import numpy as np

#: Which window each view comes from: q from A, k+ and k- from B.
VIEW_WINDOWS = (0, 1, 1)


def check_speed_config(clip_len: int, speeds: Sequence[int]) -> Tuple[int]:
    """Validate ``clip_len`` and the speed set.

    Args:
        clip_len (int): Frames per view.
        speeds (Sequence[int]): Playback speeds (frame strides).

    Returns:
        tuple[int]: The speeds as a sorted tuple of ints.

    Raises:
        ValueError: With the offending value and what to use instead.
    """
    if isinstance(clip_len, bool) or not isinstance(
            clip_len, int | np.integer) or clip_len < 2:
        raise ValueError(
            f'clip_len={clip_len!r}: must be an int >= 2, because a view of '
            'one frame looks the same at every speed (RSPNet uses 16)')
    try:
        values = list(speeds)
    except TypeError:
        raise ValueError(f'speeds={speeds!r}: must be a sequence of ints, '
                         'e.g. (1, 2)') from None
    if len(values) < 2 or any(
            isinstance(s, bool) or not isinstance(s, int | np.integer)
            or s < 1 for s in values):
        raise ValueError(
            f'speeds={speeds!r}: need at least two positive int frame '
            'strides, e.g. (1, 2) or (1, 2, 4)')
    if len(set(values)) != len(values):
        raise ValueError(f'speeds={speeds!r}: each speed may appear once')
    return tuple(sorted(int(s) for s in values))


def window_length(clip_len: int, speeds: Sequence[int]) -> int:
    """Frames in one window: the fastest view's span, ``clip_len * max``."""
    return clip_len * max(speeds)


def draw_window_start(num_frames: int, window_len: int) -> int:
    """Uniform random start of a window (0 when the video is too short).

    Args:
        num_frames (int): Frames in the video.
        window_len (int): Frames in the window.

    Returns:
        int: Start in ``[0, num_frames - window_len]``; 0 when the window
        does not fit (it is looped instead).
    """
    if num_frames <= window_len:
        return 0
    return int(np.random.randint(0, num_frames - window_len + 1))


def draw_speed_pair(speeds: Sequence[int]) -> Tuple[int, int]:
    """Draw q's speed and a different speed for k- (uniform, numpy RNG).

    Args:
        speeds (Sequence[int]): The speed set.

    Returns:
        tuple[int, int]: ``(s_q, s_neg)`` with ``s_q != s_neg``.
    """
    speeds = list(speeds)
    s_q = speeds.pop(np.random.randint(len(speeds)))
    s_neg = speeds[np.random.randint(len(speeds))]
    return int(s_q), int(s_neg)


def view_frame_indices(num_frames: int, clip_len: int,
                       starts: Sequence[int], s_q: int,
                       s_neg: int) -> np.ndarray:
    """Absolute frame indices of the views q, k+ and k-.

    Args:
        num_frames (int): Frames in the video.
        clip_len (int): Frames per view.
        starts (Sequence[int]): Start frame of windows A and B.
        s_q (int): Speed of q and k+.
        s_neg (int): Speed of k-.

    Returns:
        np.ndarray: (3, clip_len) int64, rows q, k+, k-: the frame at
        position ``speed * i`` of the view's window.
    """
    steps = np.arange(clip_len, dtype=np.int64)
    rows = []
    for window, speed in zip(VIEW_WINDOWS, (s_q, s_q, s_neg)):
        # A window that fits is untouched by the modulo; one that does not
        # (start 0) loops over the video.
        rows.append((starts[window] + speed * steps) % num_frames)
    return np.stack(rows)
