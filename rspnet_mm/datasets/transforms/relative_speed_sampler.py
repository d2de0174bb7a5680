"""Temporal sampling and decoding of one RSPNet sample."""
import logging
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform
from mmengine.logging import print_log

from ..short_video_warning import note_short_video
from .decode_recovery import recover_frames
from .decode_time_limit import run_with_time_limit
from .errors import VideoReadError
from .frame_sources import (
    DEFAULT_BACKEND,
    RawframeReader,
    check_backend,
    check_file,
    installed_backends,
    open_video,
    read_with_fallback,
)
from .speed_plan import (
    check_speed_config,
    draw_speed_pair,
    draw_window_start,
    view_frame_indices,
    window_length,
)

#: Fallbacks already logged by this process (one line per file).
_LOGGED_FALLBACKS: set = set()
#: Files of this process read by a fallback backend, by backend.
FALLBACK_COUNTS: Dict[str, int] = {}


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
    decoded: the sorted unique union over both windows, read in one call
    (or one sequential pass) from one reader of
    :mod:`.frame_sources`.

    Frames come from a video file (``filename``, read by ``backend``) or
    from a frame folder in MMAction2's rawframe layout (``frame_dir``,
    ``total_frames`` and ``filename_tmpl``, as ``RawframeDataset`` gives).
    A video that ``backend`` cannot open or decode is tried with each of
    ``fallback_backends`` before it counts as broken (a fallback is logged
    once per file). A file whose header claims more frames than decode is
    sampled within the frames that do (:mod:`.decode_recovery`). Each
    sample's decoding is bounded by ``decode_timeout`` seconds
    (:mod:`.decode_time_limit`).

    Required keys: ``filename``, or ``frame_dir`` and ``total_frames``
    (optional ``filename_tmpl``, default ``'img_{:05}.jpg'``, and
    ``start_index``, default 1 for frame folders).

    Added keys:

    - ``imgs`` (np.ndarray): (n, H, W, 3) uint8 RGB decoded frames, in
      increasing frame order.
    - ``view_rows`` (np.ndarray): (3, clip_len) int64, for q, k+, k- the
      rows of ``imgs`` each view shows, in time order.
    - ``frame_inds`` (np.ndarray): (3, clip_len) int64 frame indices in the
      video of the same views.
    - ``speeds`` (np.ndarray): (3,) int64 ``[s_q, s_q, s_neg]``.
    - ``window_starts`` (np.ndarray): (2,) int64 first frame of A and B.
    - ``decoded_by`` (str): The backend that read the frames
      (``'rawframes'`` for a frame folder).
    - ``fallback_from`` (str): Only when a fallback read them: ``backend``.
    - ``total_frames``, ``clip_len``, ``num_clips`` (3), ``original_shape``
      and ``img_shape`` (decoded ``(H, W)``).

    Args:
        clip_len (int): Frames per view. Defaults to 16.
        speeds (Sequence[int]): Speed set (frame strides); at least two.
            Defaults to (1, 2).
        num_threads (int): Decoding threads. Defaults to 1.
        decode_short_side (int | None): Decode videos whose short side is
            larger at this short side (aspect kept) instead of the native
            size; pick at least ``size / sqrt(min area * min aspect)`` of
            the augmentation to keep full detail (205 for 112 px crops of
            area >= 0.4). Defaults to None (native size).
        backend (str): ``'pyav'`` or ``'decord'``. Defaults to ``'pyav'``.
        fallback_backends (Sequence[str] | None): Tried in order when
            ``backend`` fails; only installed ones are used. Defaults to
            None: every other installed backend.
        decode_timeout (float | None): Seconds one sample's decoding may
            take; past it the sample fails (and is skipped in training).
            None: no limit. Defaults to 60.
        isolate_decoder (bool): Decode in a killable child process, which
            also stops a decoder stuck in C code (needed for decord's hang
            on over-reported frame counts); costs a copy of the frames
            through a pipe. Defaults to False (a timer in this process).

    Raises:
        ValueError: At construction, for a bad ``clip_len``, speed set,
            ``num_threads``, ``decode_short_side``, backend or timeout.
        VideoReadError: For a file that cannot give the frames.
    """

    def __init__(self,
                 clip_len: int = 16,
                 speeds: Sequence[int] = (1, 2),
                 num_threads: int = 1,
                 decode_short_side: Optional[int] = None,
                 backend: str = DEFAULT_BACKEND,
                 fallback_backends: Optional[Sequence[str]] = None,
                 decode_timeout: Optional[float] = 60.0,
                 isolate_decoder: bool = False) -> None:
        self.speeds = check_speed_config(clip_len, speeds)
        self.clip_len = int(clip_len)
        self.window_len = window_length(self.clip_len, self.speeds)
        if not isinstance(num_threads, int) or num_threads < 0:
            raise ValueError(f'num_threads={num_threads!r}: must be an int '
                             '>= 0 (0 lets the decoder choose)')
        if decode_short_side is not None and (
                not isinstance(decode_short_side, int)
                or decode_short_side <= 0):
            raise ValueError(
                f'decode_short_side={decode_short_side!r}: must be a '
                'positive int or None (decode at the native size)')
        if decode_timeout is not None and not (
                isinstance(decode_timeout, int | float)
                and decode_timeout > 0):
            raise ValueError(f'decode_timeout={decode_timeout!r}: must be '
                             'a positive number of seconds or None')
        self.num_threads = num_threads
        self.decode_short_side = decode_short_side
        self.backend = check_backend(backend)
        if fallback_backends is None:
            fallback_backends = [b for b in installed_backends()
                                 if b != backend]
        self.fallback_backends = [check_backend(b) for b in fallback_backends
                                  if b != backend]
        self.decode_timeout = decode_timeout
        self.isolate_decoder = bool(isolate_decoder)

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

    def _read_with(self, open_reader, path: str, speeds: Tuple[int, int]
                   ) -> Tuple[np.ndarray, Dict]:
        """Open, plan and read with one source (recovering a damaged
        tail)."""
        reader = open_reader()
        num_frames = len(reader)
        plan = self._plan(num_frames, *speeds)
        try:
            return reader.read(np.unique(plan['frame_inds'])), plan
        except VideoReadError as first:
            del reader
            return recover_frames(
                path, open_reader, num_frames, plan,
                lambda n: self._plan(n, *speeds), first)

    def _read_video(self, path: str, speeds: Tuple[int, int]
                    ) -> Tuple[np.ndarray, Dict, str, List[str]]:
        """Frames, plan, backend used and the failures of the backends
        tried before it, trying each backend in turn."""
        check_file(path)

        def attempt(backend: str) -> Tuple[np.ndarray, Dict]:
            return self._read_with(
                lambda: open_video(path, backend, self.num_threads,
                                   self.decode_short_side), path, speeds)

        (frames, plan), backend, failures = read_with_fallback(
            path, [self.backend, *self.fallback_backends], attempt)
        return frames, plan, backend, failures

    def _read(self, results: Dict, speeds: Tuple[int, int]
              ) -> Tuple[np.ndarray, Dict, str, List[str]]:
        if 'frame_dir' in results:
            def open_reader():
                return RawframeReader(
                    results['frame_dir'], results['total_frames'],
                    results.get('filename_tmpl', 'img_{:05}.jpg'),
                    results.get('start_index', 1), self.decode_short_side)
            frames, plan = self._read_with(
                open_reader, str(results['frame_dir']), speeds)
            return frames, plan, 'rawframes', []
        return self._read_video(str(results['filename']), speeds)

    def transform(self, results: Dict) -> Dict:
        """Sample and decode the frames of q, k+ and k-.

        Args:
            results (dict): Needs ``filename``, or ``frame_dir`` and
                ``total_frames``.

        Returns:
            dict: ``results`` with the keys listed in the class docstring.
        """
        if 'filename' not in results and 'frame_dir' not in results:
            raise KeyError(
                'RelativeSpeedSampler needs results["filename"] (the video '
                'path that VideoDataset sets) or results["frame_dir"] (as '
                f'RawframeDataset sets); got keys {sorted(results)}')
        path = str(results.get('frame_dir', results.get('filename')))
        speeds = draw_speed_pair(self.speeds)
        frames, plan, backend, failures = run_with_time_limit(
            path, self.decode_timeout, self.isolate_decoder, self._read,
            ({key: results[key] for key in (
                'filename', 'frame_dir', 'total_frames', 'filename_tmpl',
                'start_index') if key in results}, speeds))
        if failures:
            _note_fallback(path, failures, backend)
            results['fallback_from'] = self.backend
        note_short_video(path, plan['total_frames'], self.window_len)
        unique = np.unique(plan['frame_inds'])
        results.update(plan)
        results['imgs'] = frames
        results['view_rows'] = np.searchsorted(unique, plan['frame_inds'])
        results['decoded_by'] = backend
        results['clip_len'] = self.clip_len
        results['num_clips'] = 3
        results['original_shape'] = frames.shape[1:3]
        results['img_shape'] = frames.shape[1:3]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(clip_len={self.clip_len}, '
                f'speeds={self.speeds}, num_threads={self.num_threads}, '
                f'decode_short_side={self.decode_short_side}, '
                f'backend={self.backend!r}, '
                f'fallback_backends={self.fallback_backends}, '
                f'decode_timeout={self.decode_timeout}, '
                f'isolate_decoder={self.isolate_decoder})')


def _note_fallback(path: str, failures: List[str], used: str) -> None:
    """Count a file read by a fallback backend; log it once per file."""
    FALLBACK_COUNTS[used] = FALLBACK_COUNTS.get(used, 0) + 1
    if path in _LOGGED_FALLBACKS:
        return
    _LOGGED_FALLBACKS.add(path)
    print_log(
        f'RelativeSpeedSampler: read {path} with {used} after '
        + '; '.join(failures) + f' ({sum(FALLBACK_COUNTS.values())} '
        'samples read by a fallback backend in this process so far)',
        logger='current', level=logging.WARNING)
