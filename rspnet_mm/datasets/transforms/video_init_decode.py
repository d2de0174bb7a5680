"""``VideoInit`` / ``VideoDecode``: MMAction2's ``DecordInit`` /
``DecordDecode`` pair over the plugin's frame sources.

Drop-in for finetuning, retrieval and feature extraction pipelines
(``VideoInit -> SampleFrames -> VideoDecode -> ...``): the backend is one
argument (PyAV by default, so AV1/VP9 files and the other encodings of
:mod:`.frame_sources` read), a file the backend cannot read is tried with
the other installed backends, and decoding is bounded by
``decode_timeout`` (a timer in this process: see
:mod:`.decode_time_limit`). The frames are read in one call for the sorted
unique ``frame_inds`` and handed back in the order and multiplicity
``SampleFrames`` asked for.
"""
from typing import Dict, Optional, Sequence

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from .decode_time_limit import run_with_time_limit
from .frame_sources import (
    DEFAULT_BACKEND,
    check_backend,
    check_file,
    installed_backends,
    open_video,
    read_with_fallback,
)


@TRANSFORMS.register_module()
class VideoInit(BaseTransform):
    """Open ``results['filename']`` with the first backend that can.

    Added keys: ``video_reader``, ``total_frames``, ``avg_fps`` (25 when
    the container does not say), ``video_backends`` (the backends left to
    try, for :class:`VideoDecode`).

    Args:
        backend (str): ``'pyav'`` or ``'decord'``. Defaults to ``'pyav'``.
        fallback_backends (Sequence[str] | None): Tried in order when
            ``backend`` fails. Defaults to None: every other installed one.
        num_threads (int): Decoding threads. Defaults to 1.
    """

    def __init__(self, backend: str = DEFAULT_BACKEND,
                 fallback_backends: Optional[Sequence[str]] = None,
                 num_threads: int = 1) -> None:
        self.backend = check_backend(backend)
        if fallback_backends is None:
            fallback_backends = [b for b in installed_backends()
                                 if b != backend]
        self.backends = [self.backend] + [
            check_backend(b) for b in fallback_backends if b != backend]
        self.num_threads = num_threads

    def transform(self, results: Dict) -> Dict:
        path = str(results['filename'])
        check_file(path)
        reader, backend, _ = read_with_fallback(
            path, self.backends,
            lambda b: open_video(path, b, self.num_threads))
        results['video_reader'] = reader
        results['total_frames'] = len(reader)
        results['avg_fps'] = _average_fps(reader)
        results['video_backends'] = self.backends[
            self.backends.index(backend) + 1:]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(backends={self.backends}, '
                f'num_threads={self.num_threads})')


def _average_fps(reader) -> float:
    if hasattr(reader, 'stream'):  # PyAV
        rate = reader.stream.average_rate
        return float(rate) if rate else 25.0
    return float(reader.reader.get_avg_fps())


@TRANSFORMS.register_module()
class VideoDecode(BaseTransform):
    """Decode ``results['frame_inds']`` from ``results['video_reader']``.

    Required keys: ``video_reader``, ``frame_inds``. Added keys: ``imgs``
    (list of (H, W, 3) uint8 RGB, one per entry of ``frame_inds``),
    ``original_shape``, ``img_shape``. ``video_reader`` is set to None.

    Args:
        decode_timeout (float | None): Seconds the decoding may take.
            Defaults to 60.
    """

    def __init__(self, decode_timeout: Optional[float] = 60.0) -> None:
        self.decode_timeout = decode_timeout

    def _read(self, results: Dict, unique: np.ndarray) -> np.ndarray:
        reader = results['video_reader']

        def attempt(backend: str) -> np.ndarray:
            source = (reader if backend == reader.name else
                      open_video(reader.path, backend))
            return source.read(unique)

        frames, _, _ = read_with_fallback(
            reader.path, [reader.name, *results.get('video_backends', [])],
            attempt)
        return frames

    def transform(self, results: Dict) -> Dict:
        inds = np.asarray(results['frame_inds'])
        if inds.ndim != 1:
            inds = inds.reshape(-1)
            results['frame_inds'] = inds
        unique, rows = np.unique(inds, return_inverse=True)
        frames = run_with_time_limit(
            results['video_reader'].path, self.decode_timeout, False,
            self._read, (results, unique))
        results['video_reader'] = None
        results['imgs'] = list(frames[rows])
        results['original_shape'] = frames.shape[1:3]
        results['img_shape'] = frames.shape[1:3]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f'decode_timeout={self.decode_timeout})')
