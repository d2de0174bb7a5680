"""Videos for the data-pipeline benchmark.

- ``large``: 640 x 480 (or any size), 10 s at 25 fps: a smooth random
  texture panning behind moving discs, with a little sensor-like noise, so
  the bitrate is closer to camera footage than flat synthetic frames;
  OpenCV's mp4v or PyAV's H.264.
- ``small``: 128 px clips of the plugin's synthetic motion data set
  (:mod:`rspnet_mm.synthetic`).

Run as a script to write both sets:
``python tools/benchmark/benchmark_videos.py --out work_dirs/bench_videos``.
"""
import argparse
from pathlib import Path
from typing import Iterator, List

import cv2
import numpy as np


def _texture(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """(height, 2 * width, 3) uint8 smooth colour noise (for panning)."""
    coarse = rng.random((height // 16 + 1, width // 8 + 1, 3))
    smooth = cv2.resize(coarse.astype(np.float32), (2 * width, height),
                        interpolation=cv2.INTER_CUBIC)
    fine = rng.random((height, 2 * width, 3)).astype(np.float32)
    mixed = 0.8 * smooth + 0.2 * cv2.GaussianBlur(fine, (5, 5), 1.5)
    return np.clip(mixed * 255, 0, 255).astype(np.uint8)


def large_frames(seed: int, width: int = 640, height: int = 480,
                 num_frames: int = 250) -> Iterator[np.ndarray]:
    """(height, width, 3) uint8 BGR frames of one textured, moving video."""
    rng = np.random.default_rng(seed)
    background = _texture(rng, height, width)
    discs = [(rng.uniform(0.1, 0.9, 2), rng.uniform(-0.01, 0.01, 2),
              int(rng.integers(height // 16, height // 6)),
              tuple(int(c) for c in rng.integers(0, 256, 3)))
             for _ in range(4)]
    for t in range(num_frames):
        shift = (2 * t) % width
        frame = background[:, shift:shift + width].copy()
        for start, velocity, radius, colour in discs:
            centre = np.abs(((start + velocity * t) % 2.0) - 1.0)
            cv2.circle(frame, (int(centre[0] * width),
                               int(centre[1] * height)), radius, colour,
                       -1, lineType=cv2.LINE_AA)
        noise = rng.integers(-4, 5, frame.shape, dtype=np.int16)
        yield np.clip(frame + noise, 0, 255).astype(np.uint8)


def write_large_video(path: Path, seed: int, width: int = 640,
                      height: int = 480, num_frames: int = 250,
                      fps: float = 25.0, codec: str = 'mp4v') -> Path:
    """Write one textured, moving test video.

    Args:
        path (Path): Output ``.mp4`` file.
        seed (int): Seed of its content.
        width (int): Frame width. Defaults to 640.
        height (int): Frame height. Defaults to 480.
        num_frames (int): Frames (250 = 10 s at 25 fps).
        fps (float): Frame rate. Defaults to 25.
        codec (str): ``'mp4v'`` (OpenCV's MPEG-4 part 2, a key frame every
            12 frames) or ``'h264'`` (PyAV's libx264 with its defaults, as
            downloaded clips come: B-frames, a key frame every 250 frames).

    Returns:
        Path: ``path``.
    """
    frames = large_frames(seed, width, height, num_frames)
    if codec == 'h264':
        import av
        with av.open(str(path), 'w') as container:
            stream = container.add_stream('libx264', rate=int(fps))
            stream.width, stream.height = width, height
            stream.pix_fmt = 'yuv420p'
            for frame in frames:
                container.mux(stream.encode(
                    av.VideoFrame.from_ndarray(frame, format='bgr24')))
            container.mux(stream.encode())
        return path
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'mp4v'), fps,
                             (width, height))
    if not writer.isOpened():
        raise OSError(f'OpenCV cannot write {path}')
    try:
        for frame in frames:
            writer.write(frame)
    finally:
        writer.release()
    return path


def large_videos(out_dir: Path, count: int = 4, width: int = 640,
                 height: int = 480, num_frames: int = 250,
                 codec: str = 'mp4v') -> List[str]:
    """Write (or reuse) ``count`` large videos in ``out_dir``.

    Returns:
        list[str]: Their paths.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = '' if codec == 'mp4v' else f'_{codec}'
    paths = []
    for i in range(count):
        name = f'large_{width}x{height}_{num_frames}f_{i}{suffix}.mp4'
        path = out_dir / name
        if not path.is_file():
            write_large_video(path, seed=i, width=width, height=height,
                              num_frames=num_frames, codec=codec)
        paths.append(str(path))
    return paths


def small_clips(out_dir: Path, count: int = 8, size: int = 128) -> List[str]:
    """Write (or reuse) ``count`` synthetic motion clips of ``size`` px.

    Returns:
        list[str]: Their paths.
    """
    from rspnet_mm.synthetic import (
        SyntheticMotionConfig,
        generate_dataset,
    )
    root = out_dir / f'synthetic_{size}px_{count}'
    paths = sorted(str(p) for p in (root / 'videos').rglob('*.mp4'))
    if len(paths) != count:
        generate_dataset(
            SyntheticMotionConfig(n_clips=count, val_fraction=0.0,
                                  size=size, min_frames=64, max_frames=96,
                                  seed=0), root)
        paths = sorted(str(p) for p in (root / 'videos').rglob('*.mp4'))
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default='work_dirs/bench_videos')
    args = parser.parse_args()
    for path in small_clips(Path(args.out)) + large_videos(Path(args.out)):
        print(path)


if __name__ == '__main__':
    main()
