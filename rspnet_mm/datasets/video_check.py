"""Check that one video file decodes to the end (for tools/check_videos.py).
"""
import os
from typing import Dict, Optional

from .transforms.errors import VideoReadError
from .transforms.video_decoding import (
    count_decodable_frames,
    open_video,
    read_frames,
)


def check_video(path: str, tail: int = 3) -> Dict:
    """Open a video, decode its first frame and its last ``tail`` frames.

    A file whose last frames fail is bisected to the number of frames that
    do decode (a header that claims more frames than the stream holds).

    Args:
        path (str): The video file.
        tail (int): Frames at the end to decode. Defaults to 3.

    Returns:
        dict: ``path``, ``ok`` (bool), ``reason`` (None when ok, else what
        is wrong and what to do), ``bytes`` (file size or None),
        ``frames`` (frame count in the header or None), ``decodable``
        (frames that decode, from the start, or None) and ``height``,
        ``width`` (of the first frame, or None).
    """
    record = dict(path=path, ok=False, reason=None, bytes=None, frames=None,
                  decodable=None, height=None, width=None)
    if not os.path.isfile(path):
        record['reason'] = ('file not found; check the list and '
                            '--data-prefix, or remove the entry')
        return record
    record['bytes'] = os.path.getsize(path)
    if record['bytes'] == 0:
        record['reason'] = 'empty file (0 bytes); re-download or remove it'
        return record
    try:
        reader = open_video(path)
        frames = len(reader)
        record['frames'] = frames
        first = read_frames(reader, path, [0])
        record['height'], record['width'] = first.shape[1:3]
        del reader
        last = list(range(max(frames - tail, 0), frames))
        read_frames(open_video(path), path, last)
    except VideoReadError as error:
        record['reason'] = error.reason
        if record['frames']:
            record['decodable'] = count_decodable_frames(
                lambda: open_video(path), record['frames'])
            record['reason'] = _damage(record['frames'],
                                       record['decodable']) or error.reason
        return record
    record.update(ok=True, decodable=frames)
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
