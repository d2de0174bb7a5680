"""Where frames come from: a video decoder or a folder of images.

Every source gives the same small interface, a *reader*: ``len(reader)``
is the number of frames and ``reader.read(indices)`` returns the frames
``indices`` (sorted, unique) as one (n, H, W, 3) uint8 RGB array, in one
decode call or one sequential pass. Frame ``i`` is the ``i``-th frame in
presentation order of the stream (the order a decoder outputs them, as
decord counts them), never a guess from a timestamp and a frame rate, so
indices mean the same in every backend, variable frame rate included.

Backends (``BACKENDS``, chosen by name):

- ``'pyav'``: PyAV (FFmpeg bundled in its wheels, with dav1d, libvpx, ...);
  the default, as it reads every encoding and installs from pip alone.
- ``'decord'``: decord 0.6.0 (FFmpeg 4.1; no AV1; Linux x86-64 wheels
  only).

:class:`RawframeReader` reads frame folders in MMAction2's rawframe layout.
Every failure raises :class:`VideoReadError` naming the file.
"""
import os
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from .errors import VideoReadError

try:  # Load PyAV's FFmpeg before decord's: the other way round, PyAV's
    import av  # noqa: F401  libvpx encoder fails (symbols of decord's win).
except ImportError:  # pyav is then simply not installed
    pass

DEFAULT_BACKEND = 'pyav'


def decord_error_types() -> Tuple[type, ...]:
    """decord's own exception class, or nothing when it is not installed
    (MMAction2's ``DecordInit`` / ``DecordDecode`` raise it)."""
    try:
        from decord._ffi.base import DECORDError
    except ImportError:
        return ()
    return (DECORDError, )


def first_line(error: BaseException) -> str:
    """The last non-empty line of an error's text, at most 200 characters
    (decoders put the useful part last)."""
    lines = [ln.strip() for ln in str(error).splitlines() if ln.strip()]
    text = lines[-1] if lines else type(error).__name__
    return text[:200]


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


def check_file(path: str) -> None:
    """Raise :class:`VideoReadError` when ``path`` is not a file."""
    if not os.path.isfile(path):
        raise VideoReadError(
            path, 'file not found; check the annotation file and '
            'data_prefix, or remove the entry')


def check_frames(path: str, frames: np.ndarray, indices: Sequence[int],
                 backend: str) -> np.ndarray:
    """Raise unless ``frames`` is (len(indices), H, W, 3)."""
    if frames.ndim != 4 or frames.shape[0] != len(indices):
        raise VideoReadError(
            path, f'{backend} returned {frames.shape[0]} frames for '
            f'{len(indices)} requested')
    return frames


class DecordReader:
    """Frames of one file through decord's ``VideoReader.get_batch``.

    Args:
        path (str): The video file.
        num_threads (int): Decoding threads (0: decord chooses).
        decode_short_side (int | None): Decode at this short side when the
            frames are larger (aspect kept).

    Raises:
        VideoReadError: The file is missing, cannot be opened or has no
            frames.
    """

    name = 'decord'

    def __init__(self, path: str, num_threads: int = 1,
                 decode_short_side: Optional[int] = None) -> None:
        import decord
        check_file(path)
        self.path = path
        height = width = -1
        if decode_short_side is not None:
            size = probe_frame_size(path)
            target = None if size is None else reduced_size(
                *size, decode_short_side)
            if target is not None:
                height, width = target
        try:
            self.reader = decord.VideoReader(
                path, width=width, height=height, num_threads=num_threads)
        except Exception as error:  # RuntimeError / DECORDError
            raise VideoReadError(
                path, f'decord cannot open it ({first_line(error)}); the '
                'file is truncated, empty or not a video: re-encode or '
                'remove it') from error
        if len(self.reader) <= 0:
            raise VideoReadError(
                path, 'the video has zero frames; re-encode or remove it')

    def __len__(self) -> int:
        return len(self.reader)

    def read(self, indices: Sequence[int]) -> np.ndarray:
        """(len(indices), H, W, 3) uint8 RGB in one ``get_batch`` call."""
        from torch.utils.dlpack import from_dlpack
        indices = [int(i) for i in indices]
        try:
            batch = self.reader.get_batch(indices)
        except Exception as error:
            raise VideoReadError(
                self.path, f'decoding frames {indices[0]}..{indices[-1]} '
                f'failed ({first_line(error)})') from error
        # decord's NDArray shares its memory with numpy through DLPack.
        frames = (from_dlpack(batch.to_dlpack()).numpy()
                  if hasattr(batch, 'to_dlpack') else np.asarray(batch))
        return check_frames(self.path, frames, indices, self.name)


#: PyAV's RGB converter of each process (by pid), shared by its readers (it
#: keeps its swscale context while the frame size and format stay the same).
_REFORMATTERS: Dict[int, object] = {}


class PyAVReader:
    """Frames of one file through PyAV, decoded from the packets in memory.

    Opening demuxes the video stream once (no decoding): the packets give
    the frame count and, through their presentation timestamps, which
    packet is which frame. :meth:`read` then decodes from the last key
    frame before each wanted frame, skips ahead to a later key frame when
    no wanted frame lies before it, and stops after the last wanted frame.
    A stream without usable timestamps is decoded in output order from its
    first packet.

    Args:
        path (str): The video file.
        num_threads (int): Decoding threads (0: FFmpeg chooses).
        decode_short_side (int | None): Convert to RGB at this short side
            when the frames are larger (aspect kept, bilinear).

    Raises:
        VideoReadError: The file is missing, cannot be opened, has no video
            stream or no frames.
    """

    name = 'pyav'

    def __init__(self, path: str, num_threads: int = 1,
                 decode_short_side: Optional[int] = None) -> None:
        import av
        check_file(path)
        self.path = path
        try:
            self.container = av.open(path, metadata_errors='ignore')
            if not self.container.streams.video:
                raise VideoReadError(
                    path, 'the file has no video stream; remove it')
            self.stream = self.container.streams.video[0]
            self.codec = self.stream.codec_context
            self.codec.thread_count = num_threads
            if num_threads != 1:
                self.codec.thread_type = 'AUTO'
            self.packets = [p for p in self.container.demux(self.stream)
                            if p.size > 0]
        except VideoReadError:
            raise
        except Exception as error:  # av.error.FFmpegError and friends
            raise VideoReadError(
                path, f'PyAV cannot open it ({first_line(error)}); the '
                'file is truncated, empty or not a video: re-encode or '
                'remove it') from error
        if not self.packets:
            raise VideoReadError(
                path, 'the video has zero frames; re-encode or remove it')
        pts = [p.pts for p in self.packets]
        self.by_pts: Optional[Dict[int, int]] = None
        if None not in pts and len(set(pts)) == len(pts):
            self.by_pts = {t: i for i, t in enumerate(sorted(pts))}
            self.keys = [j for j, p in enumerate(self.packets)
                         if p.is_keyframe]
            if not self.keys or self.keys[0] != 0:
                self.keys = [0] + self.keys
        #: Skip decoding unwanted non-reference frames (needs timestamps to
        #: know which packet is which frame; H.264 and HEVC only: dav1d,
        #: for one, then also drops frames that are wanted).
        self.skip_unwanted = (self.by_pts is not None
                              and self.codec.name in ('h264', 'hevc'))
        self.size = None
        height, width = self.codec.height, self.codec.width
        if decode_short_side is not None and height > 0 and width > 0:
            self.size = reduced_size(height, width, decode_short_side)

    def __len__(self) -> int:
        return len(self.packets)

    def _to_rgb(self, frame) -> np.ndarray:
        # One converter for all frames: ``frame.to_ndarray(format=...)``
        # sets up a new swscale context per frame (2.5 ms at 128 px, 30
        # times the conversion itself).
        # One thread: swscale's own thread pool would not survive a fork
        # (a DataLoader worker forked after the main process decoded would
        # wait on it forever), and workers are the parallelism.
        reformatter = _REFORMATTERS.get(os.getpid())
        if reformatter is None:
            from av.video.reformatter import VideoReformatter
            reformatter = _REFORMATTERS[os.getpid()] = VideoReformatter()
        if self.size is None:
            rgb = reformatter.reformat(frame, format='rgb24', threads=1)
        else:
            rgb = reformatter.reformat(frame, format='rgb24',
                                       height=self.size[0],
                                       width=self.size[1],
                                       interpolation='BILINEAR', threads=1)
        return rgb.to_ndarray()

    def _index(self, frame, count: int) -> int:
        if self.by_pts is None:
            return count
        return self.by_pts.get(frame.pts, -1)

    def _start_for(self, index: int) -> int:
        """Decode position of the last key frame at or before ``index``."""
        start = 0
        for key in self.keys:
            if self.by_pts[self.packets[key].pts] <= index:
                start = key
        return start

    def _decode(self, wanted: Sequence[int], start: int,
                found: Dict[int, np.ndarray]) -> None:
        """Decode from packet ``start`` until every ``wanted`` frame is in
        ``found`` or the stream ends."""
        pending = sorted(set(wanted) - set(found))
        pending_set = set(pending)
        keys = set(self.keys) if self.by_pts is not None else set()
        self.codec.flush_buffers()
        count, position = 0, start
        while pending and position <= len(self.packets):
            if position in keys and position > start:
                # Skip ahead when nothing wanted lies before this key frame.
                key_index = self.by_pts[self.packets[position].pts]
                if pending[0] >= key_index:
                    jump = self._start_for(pending[0])
                    if jump > position:
                        self.codec.flush_buffers()
                        position = jump
            packet = (self.packets[position]
                      if position < len(self.packets) else None)
            position += 1
            if (self.skip_unwanted and self.by_pts is not None
                    and packet is not None):
                # A frame nobody wants and no other frame refers to (a
                # non-reference B-frame) is not decoded at all.
                wanted_here = self.by_pts[packet.pts] in pending_set
                self.codec.skip_frame = 'DEFAULT' if wanted_here else 'NONREF'
            for frame in self.codec.decode(packet):
                index = self._index(frame, count)
                count += 1
                if index in pending_set:
                    found[index] = self._to_rgb(frame)
                    pending.remove(index)
                    pending_set.discard(index)
        self.codec.skip_frame = 'DEFAULT'

    def read(self, indices: Sequence[int]) -> np.ndarray:
        """(len(indices), H, W, 3) uint8 RGB frames ``indices`` (sorted,
        unique) in one pass over the packets."""
        indices = [int(i) for i in indices]
        found: Dict[int, np.ndarray] = {}
        try:
            start = (0 if self.by_pts is None else
                     self._start_for(indices[0]))
            self._decode(indices, start, found)
            if len(found) < len(indices) and start > 0:
                self._decode(indices, 0, found)  # e.g. an open GOP
            if len(found) < len(indices) and self.by_pts is not None:
                # Frames whose timestamps are not their packets' (packed
                # B-frames in AVI): count the decoder's output instead.
                by_pts, self.by_pts = self.by_pts, None
                found.clear()
                try:
                    self._decode(indices, 0, found)
                finally:
                    self.by_pts = by_pts
        except Exception as error:  # av.error.FFmpegError and friends
            raise VideoReadError(
                self.path, f'decoding frames {indices[0]}..{indices[-1]} '
                f'failed ({first_line(error)})') from error
        if len(found) < len(indices):
            missing = [i for i in indices if i not in found]
            raise VideoReadError(
                self.path, f'decoding frames {indices[0]}..{indices[-1]} '
                f'failed (frames {missing[0]}..{missing[-1]} of '
                f'{len(self)} did not decode)')
        return check_frames(self.path, np.stack([found[i] for i in indices]),
                            indices, self.name)

    def __del__(self) -> None:
        container = getattr(self, 'container', None)
        if container is not None:
            container.close()


#: Backend name -> reader class ``(path, num_threads, decode_short_side)``.
BACKENDS: Dict[str, Callable] = {'pyav': PyAVReader, 'decord': DecordReader}


def installed_backends() -> List[str]:
    """Names in :data:`BACKENDS` whose library imports here."""
    names = []
    for name in BACKENDS:
        module = {'pyav': 'av'}.get(name, name)
        try:
            __import__(module)
        except ImportError:
            continue
        names.append(name)
    return names


def check_backend(backend: str) -> str:
    """``backend`` if it is in :data:`BACKENDS`, else a ValueError."""
    if backend not in BACKENDS:
        raise ValueError(f'backend={backend!r}: use one of '
                         f'{sorted(BACKENDS)}')
    return backend


def open_video(path: str, backend: str = DEFAULT_BACKEND,
               num_threads: int = 1,
               decode_short_side: Optional[int] = None):
    """Open ``path`` with ``backend``; a reader with at least one frame."""
    return BACKENDS[check_backend(backend)](path, num_threads,
                                            decode_short_side)


def read_with_fallback(path: str, backends: Sequence[str],
                       attempt: Callable[[str], object]
                       ) -> Tuple[object, str, List[str]]:
    """``attempt(backend)`` for each backend in turn until one reads.

    Args:
        path (str): The file (for the error).
        backends (Sequence[str]): Backends in the order to try.
        attempt (Callable[[str], object]): Reads with one backend; raises
            :class:`VideoReadError` when it cannot.

    Returns:
        tuple: ``(what attempt returned, the backend that read it, the
        'backend: reason' failures of the backends tried before it)``.

    Raises:
        VideoReadError: No backend read it: the one reason, or every
        backend's reason after ``no backend reads it``.
    """
    failures: List[str] = []
    for backend in backends:
        try:
            return attempt(backend), backend, failures
        except VideoReadError as error:
            failures.append(f'{backend}: {error.reason}')
    if len(failures) == 1:
        raise VideoReadError(path, failures[0].split(': ', 1)[1])
    raise VideoReadError(path, 'no backend reads it (' +
                         '; '.join(failures) + ')')


class RawframeReader:
    """Frames of an MMAction2 frame folder (``img_00001.jpg``, ...).

    Args:
        frame_dir (str): The folder.
        total_frames (int): Frames listed in the annotation file.
        filename_tmpl (str): File name of frame ``start_index + i``.
            Defaults to ``'img_{:05}.jpg'``.
        start_index (int): Number in the name of frame 0. Defaults to 1.
        decode_short_side (int | None): Resize frames whose short side is
            larger to this short side (aspect kept, area interpolation).

    Raises:
        VideoReadError: The folder is missing or ``total_frames`` < 1.
    """

    name = 'rawframes'

    def __init__(self, frame_dir: str, total_frames: int,
                 filename_tmpl: str = 'img_{:05}.jpg', start_index: int = 1,
                 decode_short_side: Optional[int] = None) -> None:
        self.path = str(frame_dir)
        if not os.path.isdir(self.path):
            raise VideoReadError(
                self.path, 'frame folder not found; check the annotation '
                'file and data_prefix.img, or remove the entry')
        if int(total_frames) < 1:
            raise VideoReadError(
                self.path, f'total_frames={total_frames} in the annotation '
                'file: a frame folder needs at least one frame')
        self.total_frames = int(total_frames)
        self.filename_tmpl = filename_tmpl
        self.start_index = int(start_index)
        self.short_side = decode_short_side

    def __len__(self) -> int:
        return self.total_frames

    def read(self, indices: Sequence[int]) -> np.ndarray:
        """(len(indices), H, W, 3) uint8 RGB frames, read one file each."""
        frames = []
        for index in indices:
            name = self.filename_tmpl.format(int(index) + self.start_index)
            image = cv2.imread(os.path.join(self.path, name),
                               cv2.IMREAD_COLOR)
            if image is None:
                raise VideoReadError(
                    self.path, f'frame {name} is missing or not an image '
                    f'(the annotation file says {self.total_frames} '
                    'frames); extract the frames again or fix '
                    'total_frames')
            size = reduced_size(*image.shape[:2], self.short_side)
            if size is not None:
                image = cv2.resize(image, size[::-1],
                                   interpolation=cv2.INTER_AREA)
            frames.append(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
        if len({f.shape for f in frames}) > 1:
            raise VideoReadError(
                self.path, 'its frames differ in size; extract them again')
        return check_frames(self.path, np.stack(frames), indices,
                            self.name)


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
