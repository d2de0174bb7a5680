"""Warn once per worker about videos shorter than an RSPNet window.

``RelativeSpeedSampler`` loops a video shorter than a window (``clip_len x
max(speeds)`` frames) from frame 0, as the official code did. With
``speeds=(1, 8)`` and 16-frame clips that is every video under 128 frames,
and a looped clip changes what "speed" means for it, so the run should say
so: the first such video of each process is logged with its path and frame
count, then the count of distinct short videos at 10, 100, 1000, ...
"""
import logging
import os
from typing import Dict, Optional

from mmengine.logging import print_log

_state: Dict = dict(pid=None, paths=set(), first=None)


def _this_process_state() -> Dict:
    # a forked DataLoader worker starts its own count
    if _state['pid'] != os.getpid():
        _state.update(pid=os.getpid(), paths=set(), first=None)
    return _state


def note_short_video(path: str, num_frames: int,
                     window_len: int) -> Optional[str]:
    """Count a video that is shorter than a window; log the first one and
    the count at each power of ten (per process).

    Args:
        path (str): The video (or frame folder).
        num_frames (int): Its frames.
        window_len (int): Frames of one window, ``clip_len * max(speeds)``.

    Returns:
        str or None: The message logged now, if any.
    """
    if num_frames >= window_len:
        return None
    state = _this_process_state()
    if path in state['paths']:
        return None
    state['paths'].add(path)
    count = len(state['paths'])
    if count == 1:
        state['first'] = path
        message = (
            f'{path} has {num_frames} frames, fewer than a window of '
            f'{window_len} (clip_len x max(speeds)): its views are looped '
            'from frame 0, which changes what speed means for this video. '
            'Lower speeds or clip_len, or leave out videos shorter than '
            f'{window_len} frames (tools/check_videos.py prints the frame '
            'counts). Further short videos of this worker are counted.')
    elif str(count).strip('0') == '1':  # 10, 100, 1000, ...
        message = (f'{count} videos shorter than a window ({window_len} '
                   f'frames) looped so far in this worker (pid '
                   f'{os.getpid()}); the first was {state["first"]}')
    else:
        return None
    print_log(message, logger='current', level=logging.WARNING)
    return message


def short_video_counts() -> Dict:
    """``count`` (distinct short videos) and ``first`` (the first one's
    path, or None) in this process."""
    state = _this_process_state()
    return dict(count=len(state['paths']), first=state['first'])
