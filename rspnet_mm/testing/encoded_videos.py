"""Small videos in every encoding real collections hold, written by PyAV.

:data:`ENCODINGS` lists them (h264 8 and 10 bit, hevc, vp9, av1, mpeg4 in
AVI as UCF101 and HMDB51 ship, mjpeg, mpeg2, ffv1, prores, frame sizes that
are odd or not a multiple of 16, portrait, variable frame rate). The frames
show their index (:func:`rspnet_mm.testing.videos.index_frame`), so a test
can check which frame a decoder returned. Writing all of them at 64x48 and
40 frames takes well under a second.
"""
import fractions
import os
from pathlib import Path
from typing import Dict, NamedTuple, Optional, Sequence

from .videos import index_frame


class Encoding(NamedTuple):
    """How one test file is written."""

    file: str  #: file name (its extension picks the container)
    codec: str  #: FFmpeg encoder
    pix_fmt: str  #: pixel format of the stream
    size: Sequence[int] = (48, 64)  #: (height, width)
    options: Optional[Dict[str, str]] = None  #: encoder options
    frame_ms: Optional[Sequence[int]] = None  #: gaps between frames (VFR)
    codec_tag: Optional[str] = None  #: FourCC to store (e.g. XVID)


#: name -> encoding of the test set.
ENCODINGS: Dict[str, Encoding] = {
    'h264': Encoding('h264.mp4', 'libx264', 'yuv420p'),
    'h264_10bit': Encoding('h264_10bit.mp4', 'libx264', 'yuv420p10le'),
    'hevc': Encoding('hevc.mp4', 'libx265', 'yuv420p',
                     options={'x265-params': 'log-level=error'}),
    'vp9': Encoding('vp9.webm', 'libvpx-vp9', 'yuv420p'),
    'av1': Encoding('av1.mp4', 'libsvtav1', 'yuv420p'),
    'mpeg4_avi': Encoding('xvid.avi', 'mpeg4', 'yuv420p',
                          options={'qscale': '2'}, codec_tag='XVID'),
    'mjpeg': Encoding('mjpeg.avi', 'mjpeg', 'yuvj420p'),
    'mpeg2': Encoding('mpeg2.mpg', 'mpeg2video', 'yuv420p',
                      options={'qscale': '2'}),
    'ffv1': Encoding('ffv1.mkv', 'ffv1', 'yuv420p'),
    'prores': Encoding('prores.mov', 'prores_ks', 'yuv422p10le'),
    'odd_size': Encoding('odd_size.mkv', 'ffv1', 'yuv420p', size=(49, 63)),
    'not_mod16': Encoding('not_mod16.mp4', 'libx264', 'yuv420p',
                          size=(46, 66)),
    'portrait': Encoding('portrait.mp4', 'libx264', 'yuv420p',
                         size=(64, 48)),
    'vfr': Encoding('vfr.mkv', 'libx264', 'yuv420p',
                    frame_ms=(40, 40, 100, 20, 60)),
}


def write_encoded_video(path, encoding: Encoding, num_frames: int = 40,
                        fps: int = 25) -> Path:
    """Write frames ``0 .. num_frames - 1`` (each showing its index).

    Args:
        path: Output file (parent folders are created).
        encoding (Encoding): Codec, pixel format, size, options.
        num_frames (int): Frames to write. Defaults to 40.
        fps (int): Frame rate (the nominal one for VFR). Defaults to 25.

    Returns:
        Path: ``path``.
    """
    import av
    os.environ.setdefault('SVT_LOG', '1')  # SVT-AV1: errors only
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    height, width = encoding.size
    with av.open(str(path), 'w') as container:
        stream = container.add_stream(encoding.codec, rate=fps,
                                      options=encoding.options or {})
        stream.width, stream.height = width, height
        stream.pix_fmt = encoding.pix_fmt
        if encoding.codec_tag:
            stream.codec_tag = encoding.codec_tag
        millis = fractions.Fraction(1, 1000)
        if encoding.frame_ms:
            stream.codec_context.time_base = millis
        time_ms = 0
        for index in range(num_frames):
            frame = av.VideoFrame.from_ndarray(
                index_frame(index, height, width), format='rgb24')
            if encoding.frame_ms:
                frame.pts, frame.time_base = time_ms, millis
                time_ms += encoding.frame_ms[index % len(encoding.frame_ms)]
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path


def write_encoding_set(root, num_frames: int = 40,
                       names: Optional[Sequence[str]] = None
                       ) -> Dict[str, Path]:
    """Write one file per encoding of :data:`ENCODINGS` into ``root``.

    Returns:
        dict[str, Path]: Encoding name -> file.
    """
    root = Path(root)
    return {name: write_encoded_video(root / ENCODINGS[name].file,
                                      ENCODINGS[name], num_frames)
            for name in (names or ENCODINGS)}

