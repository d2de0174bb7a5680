"""The function interface of video reading (used by the video checker).

Thin names over :mod:`.frame_sources` and :mod:`.decode_recovery`: open a
file with a backend, read frames from the reader, count the frames that
decode. Every function raises :class:`VideoReadError` naming the file.
:func:`open_video` here still opens with decord unless told otherwise (the
checker's behaviour before backends existed); the pipeline's default is
``frame_sources.DEFAULT_BACKEND``.
"""
from typing import Optional, Sequence

import numpy as np

from .decode_recovery import count_decodable_frames
from .frame_sources import open_video as _open_video
from .frame_sources import probe_frame_size, reduced_size

__all__ = ['open_video', 'read_frames', 'count_decodable_frames',
           'probe_frame_size', 'reduced_size']


def read_frames(reader, path: str, indices: Sequence[int]) -> np.ndarray:
    """Frames ``indices`` of an open reader.

    Args:
        reader: From :func:`open_video`.
        path (str): The file it reads (kept for the old call form; the
            reader's own path names the file in errors).
        indices (Sequence[int]): Frame indices, sorted and unique.

    Returns:
        np.ndarray: (len(indices), H, W, 3) uint8 RGB frames.
    """
    return reader.read(indices)


def open_video(path: str, num_threads: int = 1,
               decode_short_side: Optional[int] = None,
               backend: str = 'decord'):
    """Open ``path`` (see :func:`.frame_sources.open_video`); decord unless
    ``backend`` says otherwise."""
    return _open_video(path, backend, num_threads, decode_short_side)
