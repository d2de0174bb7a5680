"""Temporal sampling and decoding of one RSPNet sample."""
import logging
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform
from mmengine.logging import print_log

from .errors import VideoReadError
from .speed_plan import (
    check_speed_config,
    draw_speed_pair,
    draw_window_start,
    view_frame_indices,
    window_length,
)
from .video_decoding import count_decodable_frames, open_video, read_frames


@TRANSFORMS.register_module()
class RelativeSpeedSampler(BaseTransform):
    """Draw two windows and the speeds of q, k+ and k-; decode them at once.

    Two windows of ``clip_len * max(speeds)`` consecutive frames start
    independently and uniformly at random (RSPNet's two
    ``RandomStrideCrop(32)`` clips; a video shorter than a window is looped
    from frame 0). Then q's speed ``s_q`` is drawn from ``speeds`` and k-'s
    speed ``s_neg`` from the other speeds. q is window A at ``s_q``; k+ and
    k- are window B at ``s_q`` and ``s_neg``; the view at speed ``s`` takes
    window positions ``0, s, 2s, ...``. Only the frames the views use are
    decoded: the sorted unique union over both windows, read with one
    ``decord`` ``get_batch`` call from one ``VideoReader``.

    A file whose header claims more frames than decode is retried once with
    the window drawn inside the frames that do decode.

    Required keys: ``filename``.

    Added keys:

    - ``imgs`` (np.ndarray): (n, H, W, 3) uint8 RGB decoded frames, in
      increasing frame order.
    - ``view_rows`` (np.ndarray): (3, clip_len) int64, for q, k+, k- the
      rows of ``imgs`` each view shows, in time order.
    - ``frame_inds`` (np.ndarray): (3, clip_len) int64 frame indices in the
      video of the same views.
    - ``speeds`` (np.ndarray): (3,) int64 ``[s_q, s_q, s_neg]``.
    - ``window_starts`` (np.ndarray): (2,) int64 first frame of A and B.
    - ``total_frames``, ``clip_len``, ``num_clips`` (3), ``original_shape``
      and ``img_shape`` (decoded ``(H, W)``).

    Args:
        clip_len (int): Frames per view. Defaults to 16.
        speeds (Sequence[int]): Speed set (frame strides); at least two.
            Defaults to (1, 2).
        num_threads (int): decord decoding threads. Defaults to 1.
        decode_short_side (int | None): Decode videos whose short side is
            larger at this short side (aspect kept) instead of the native
            size; pick at least ``size / sqrt(min area * min aspect)`` of
            the augmentation to keep full detail (205 for 112 px crops of
            area >= 0.4). Defaults to None (native size).

    Raises:
        ValueError: At construction, for a bad ``clip_len``, speed set,
            ``num_threads`` or ``decode_short_side``.
        VideoReadError: For a file that cannot give the frames.
    """

    def __init__(self,
                 clip_len: int = 16,
                 speeds: Sequence[int] = (1, 2),
                 num_threads: int = 1,
                 decode_short_side: Optional[int] = None) -> None:
        self.speeds = check_speed_config(clip_len, speeds)
        self.clip_len = int(clip_len)
        self.window_len = window_length(self.clip_len, self.speeds)
        if not isinstance(num_threads, int) or num_threads < 0:
            raise ValueError(f'num_threads={num_threads!r}: must be an int '
                             '>= 0 (0 lets decord choose)')
        if decode_short_side is not None and (
                not isinstance(decode_short_side, int)
                or decode_short_side <= 0):
            raise ValueError(
                f'decode_short_side={decode_short_side!r}: must be a '
                'positive int or None (decode at the native size)')
        self.num_threads = num_threads
        self.decode_short_side = decode_short_side

    def _open(self, path: str):
        return open_video(path, self.num_threads, self.decode_short_side)

    def _plan(self, num_frames: int, s_q: int, s_neg: int) -> Dict:
        """Draw the window starts; the views' frames for ``num_frames``."""
        starts = [draw_window_start(num_frames, self.window_len)
                  for _ in range(2)]
        frame_inds = view_frame_indices(num_frames, self.clip_len, starts,
                                        s_q, s_neg)
        return dict(frame_inds=frame_inds,
                    window_starts=np.asarray(starts, dtype=np.int64),
                    speeds=np.array([s_q, s_q, s_neg], dtype=np.int64),
                    total_frames=num_frames)

    def _recover(self, path: str, num_frames: int, plan: Dict,
                 first: VideoReadError) -> Tuple[np.ndarray, Dict]:
        """Second chance for a file whose frames failed to decode.

        decord decodes ahead in a thread, so damage after the frames asked
        for can fail a call: retry once with a fresh reader. If that fails
        too, find the frames that do decode and draw the windows within
        them.
        """
        unique = np.unique(plan['frame_inds'])
        try:
            return read_frames(self._open(path), path, unique), plan
        except VideoReadError:
            pass
        decodable = count_decodable_frames(lambda: self._open(path),
                                           num_frames)
        if decodable == 0:
            raise VideoReadError(
                path, f'none of its {num_frames} frames decode '
                f'({first.reason}); re-encode or remove it') from first
        if decodable < num_frames:
            s_q, s_neg = (int(s) for s in plan['speeds'][1:])
            plan = self._plan(decodable, s_q, s_neg)
            unique = np.unique(plan['frame_inds'])
            print_log(
                f'{path}: header says {num_frames} frames, only the first '
                f'{decodable} decode; sampling within those',
                logger='current', level=logging.WARNING)
        try:
            return read_frames(self._open(path), path, unique), plan
        except VideoReadError as error:
            raise VideoReadError(
                path, f'the header says {num_frames} frames, the first '
                f'{decodable} decode one by one, but decoding frames '
                f'{unique[0]}..{unique[-1]} failed again ({error.reason}); '
                're-encode or remove it') from error

    def transform(self, results: Dict) -> Dict:
        """Sample and decode the frames of q, k+ and k-.

        Args:
            results (dict): Needs ``filename``.

        Returns:
            dict: ``results`` with the keys listed in the class docstring.
        """
        if 'filename' not in results:
            raise KeyError(
                'RelativeSpeedSampler needs results["filename"] (the video '
                'path that VideoDataset sets); got keys '
                f'{sorted(results)}')
        path = str(results['filename'])
        reader = self._open(path)
        num_frames = len(reader)
        s_q, s_neg = draw_speed_pair(self.speeds)
        plan = self._plan(num_frames, s_q, s_neg)
        unique = np.unique(plan['frame_inds'])
        try:
            frames = read_frames(reader, path, unique)
        except VideoReadError as first:
            del reader
            frames, plan = self._recover(path, num_frames, plan, first)
            unique = np.unique(plan['frame_inds'])
        results.update(plan)
        results['imgs'] = frames
        results['view_rows'] = np.searchsorted(unique, plan['frame_inds'])
        results['clip_len'] = self.clip_len
        results['num_clips'] = 3
        results['original_shape'] = frames.shape[1:3]
        results['img_shape'] = frames.shape[1:3]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(clip_len={self.clip_len}, '
                f'speeds={self.speeds}, num_threads={self.num_threads}, '
                f'decode_short_side={self.decode_short_side})')
