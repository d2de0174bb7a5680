"""Check that one video file decodes to the end (for tools/check_videos.py).

The check reads as training does: with the pipeline's backend first
(:data:`~.transforms.frame_sources.DEFAULT_BACKEND` unless told otherwise),
then with every other installed backend, so a file counts as broken only
when no backend the training pipeline would fall back to can read it.
"""
import os
from typing import Dict, List, Optional, Sequence

from .transforms.decode_recovery import count_decodable_frames
from .transforms.errors import VideoReadError
from .transforms.frame_sources import (
    DEFAULT_BACKEND,
    check_backend,
    installed_backends,
    open_video,
)


def backend_order(backend: str = DEFAULT_BACKEND) -> List[str]:
    """``backend`` first, then the other installed backends (the
    pipeline's fallback order)."""
    check_backend(backend)
    return [backend] + [b for b in installed_backends() if b != backend]


def _check_with(path: str, backend: str, tail: int, record: Dict) -> None:
    """Fill ``record`` from one backend's attempt; raises VideoReadError."""
    reader = open_video(path, backend)
    frames = len(reader)
    record['frames'] = frames
    first = reader.read([0])
    record['height'], record['width'] = first.shape[1:3]
    del reader
    open_video(path, backend).read(range(max(frames - tail, 0), frames))


def check_video(path: str, tail: int = 3,
                backends: Optional[Sequence[str]] = None) -> Dict:
    """Open a video, decode its first frame and its last ``tail`` frames.

    Each backend of ``backends`` is tried in turn until one reads both. A
    file that opens but whose last frames fail in every backend is bisected
    (with the first backend that opened it) to the number of frames that
    do decode (a header that claims more frames than the stream holds).

    Args:
        path (str): The video file.
        tail (int): Frames at the end to decode. Defaults to 3.
        backends (Sequence[str] | None): Backends in the order to try.
            Defaults to :func:`backend_order` of the pipeline's default.

    Returns:
        dict: ``path``, ``ok`` (bool), ``backend`` (the one that read it,
        or None), ``reason`` (None when ok, else what is wrong and what to
        do, per backend when several failed differently), ``bytes`` (file
        size or None), ``frames`` (frame count in the header or None),
        ``decodable`` (frames that decode, from the start, or None) and
        ``height``, ``width`` (of the first frame, or None).
    """
    record = dict(path=path, ok=False, backend=None, reason=None, bytes=None,
                  frames=None, decodable=None, height=None, width=None)
    if not os.path.isfile(path):
        record['reason'] = ('file not found; check the list and '
                            '--data-prefix, or remove the entry')
        return record
    record['bytes'] = os.path.getsize(path)
    if record['bytes'] == 0:
        record['reason'] = 'empty file (0 bytes); re-download or remove it'
        return record
    failures = {}
    opened_by = None
    for backend in backends or backend_order():
        attempt = dict(record)
        try:
            _check_with(path, backend, tail, attempt)
        except VideoReadError as error:
            failures[backend] = error.reason
            if attempt['frames'] and opened_by is None:
                opened_by, record['frames'] = backend, attempt['frames']
            continue
        record.update(attempt, ok=True, backend=backend,
                      decodable=attempt['frames'])
        return record
    if opened_by is not None:
        record['decodable'] = count_decodable_frames(
            lambda: open_video(path, opened_by), record['frames'])
        damage = _damage(record['frames'], record['decodable'])
        if damage:
            record['reason'] = damage
            return record
    reasons = list(dict.fromkeys(failures.values()))
    record['reason'] = reasons[0] if len(reasons) == 1 else '; '.join(
        f'{backend}: {reason}' for backend, reason in failures.items())
    return record


def _damage(frames: int, decodable: int) -> Optional[str]:
    """Reason for a file that opens but whose frames fail to decode."""
    if decodable == 0:
        return (f'none of its {frames} frames decode; re-encode or remove '
                'it')
    if decodable < frames:
        return (f'the header says {frames} frames but only the first '
                f'{decodable} decode (damaged or cut stream); re-encode or '
                'remove it')
    return None
