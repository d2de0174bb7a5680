"""Second chance for a video whose frames failed to decode.

Kept out of the sampler's main path: :func:`recover_frames` is called only
after a read failed. A file whose header claims more frames than its data
holds (a cut or damaged stream) is then sampled within the frames that do
decode.
"""
import logging
from typing import Callable, Dict, Tuple

import numpy as np
from mmengine.logging import print_log

from .errors import VideoReadError


def count_decodable_frames(open_reader: Callable[[], object],
                           num_frames: int) -> int:
    """Length of the prefix of frames that decode, found by bisection.

    Assumes that once a frame fails the later ones fail too. Each probe uses
    a fresh reader, since after an error a reader's answers can depend on
    what it read before. A decoder that reads ahead (decord) can fail on a
    frame shortly before the damage too: the count may come out low, never
    high.

    Args:
        open_reader (Callable[[], reader]): Opens the video; the reader has
            ``read(indices)``.
        num_frames (int): Frames the header claims.

    Returns:
        int: ``n`` such that frame ``n - 1`` decoded and frame ``n`` did not
        (``num_frames`` if the last frame decodes; 0 if frame 0 fails).
    """

    def decodes(index: int) -> bool:
        try:
            open_reader().read([index])
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


def recover_frames(path: str, open_reader: Callable[[], object],
                   num_frames: int, plan: Dict,
                   replan: Callable[[int], Dict],
                   first: VideoReadError) -> Tuple[np.ndarray, Dict]:
    """Read a sample's frames after a first read failed.

    Retries once with a fresh reader (decord's read-ahead can fail a call
    on damage after the frames asked for); if that fails too, finds the
    frames that decode and samples again within them.

    Args:
        path (str): The video file.
        open_reader (Callable[[], reader]): Opens it again.
        num_frames (int): Frames the header claims.
        plan (dict): The failed plan; ``frame_inds`` (3, T) int64.
        replan (Callable[[int], dict]): A new plan for a frame count.
        first (VideoReadError): The first failure.

    Returns:
        tuple[np.ndarray, dict]: (n, H, W, 3) uint8 frames of the sorted
        unique ``frame_inds`` of the plan used, and that plan.

    Raises:
        VideoReadError: Nothing decodes, or the new plan fails too.
    """
    unique = np.unique(plan['frame_inds'])
    try:
        return open_reader().read(unique), plan
    except VideoReadError:
        pass
    decodable = count_decodable_frames(open_reader, num_frames)
    if decodable == 0:
        raise VideoReadError(
            path, f'none of its {num_frames} frames decode '
            f'({first.reason}); re-encode or remove it') from first
    if decodable < num_frames:
        plan = replan(decodable)
        unique = np.unique(plan['frame_inds'])
        print_log(
            f'{path}: header says {num_frames} frames, only the first '
            f'{decodable} decode; sampling within those',
            logger='current', level=logging.WARNING)
    try:
        return open_reader().read(unique), plan
    except VideoReadError as error:
        raise VideoReadError(
            path, f'the header says {num_frames} frames, the first '
            f'{decodable} decode one by one, but decoding frames '
            f'{unique[0]}..{unique[-1]} failed again ({error.reason}); '
            're-encode or remove it') from error
