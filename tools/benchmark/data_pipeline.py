"""Samples per second of RSPNet data pipelines, measured in one run.

Each sample is two 32-frame windows of one video, augmented into 112 px
clips (``--size``). Compared:

- ``ours`` (``ours_decord``): RelativeSpeedSampler with the PyAV (decord)
  backend -> PerWindowAugment (crop, resize, gray, colour jitter with hue,
  flip) -> FormatSpeedViews -> PackActionInputs.
- ``decode`` (``decode_decord``): the floor: RelativeSpeedSampler alone
  (opens the video and decodes the same frames as ``ours``).
- ``stock``: MMAction2's own transforms for the same two windows:
  DecordInit -> SampleFrames(32, num_clips=2) -> DecordDecode ->
  RandomResizedCrop -> Resize -> Flip -> ColorJitter -> FormatShape('NCTHW')
  -> PackActionInputs.
- ``official`` (only with ``--pipelines``): the official RSPNet loader's
  pattern re-created with torch ops: workers decode both windows at full
  size in one *unsorted* call and crop; the main process converts the crops
  to float, resizes them bilinearly, applies gray / HSV colour jitter / flip
  on float tensors and sub-samples the speeds (its GPU collate, run on CPU).

Video sets: 128 px synthetic clips (mp4v), 640x480 mp4v (OpenCV, a key frame
every 12 frames), 640x480 H.264 (x264 defaults: B-frames, one key frame in
the 250), that H.264 set after ``tools/data/transcode_videos.py`` (256 px
short side, a key frame every 16), and frame folders extracted from it at
256 px (only ``ours`` and ``decode`` read those).

Normalisation is not timed: MMAction2 runs it in the model's data
preprocessor (on the accelerator when there is one), not in the loader.
Samples come from a torch DataLoader (batch 2) over a list
of video paths, with 0 and 2 workers. The routes take turns in slices of
``--seconds`` (2), ``--rounds`` (2) times, so that a change in the load of
a shared machine hits them alike; each slice includes the workers'
start-up; a rate is all samples over all time of a route. OpenCV runs
single-threaded (``cv2.setNumThreads(0)``, mmengine's default) and torch
with one thread in the main process too (DataLoader workers always do): on
a 2-core machine shared with other work, two OpenMP threads made the float
ops of the official pattern up to 4 times slower.

Usage: ``python tools/benchmark/data_pipeline.py`` (about 5 minutes with
``--seconds 3``, plus about a minute to write the videos the first time;
``--seconds`` scales it, ``--sets`` picks sets).
"""
import argparse
import functools
import random
import resource
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Sequence, Tuple

import av
import cv2
import decord
import numpy as np
import torch
import torch.nn.functional as F
from mmengine.dataset import Compose, pseudo_collate, worker_init_fn
from mmengine.registry import init_default_scope
from torch.utils.data import DataLoader, Dataset
from torch.utils.dlpack import from_dlpack

import rspnet_mm  # noqa: F401  (upstream fixes first; registers transforms)
from rspnet_mm.datasets.transforms.frame_ops import random_resized_crop_box

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark_videos import large_videos, small_clips  # noqa: E402
from machine_info import describe_machine  # noqa: E402

CLIP_LEN, WINDOW = 16, 32


class PathDataset(Dataset):
    """``num_samples`` items cycling over ``paths``, each run through
    ``load`` (the worker-side part of a pipeline)."""

    def __init__(self, paths: Sequence[str], num_samples: int,
                 load: Callable[[str], object]) -> None:
        self.paths, self.num_samples, self.load = paths, num_samples, load

    def __len__(self) -> int:
        return self.num_samples

    def __getitem__(self, index: int):
        return self.load(self.paths[index % len(self.paths)])


# --------------------------------------------------------------- ours


def _sample_info(item) -> Dict:
    """A video path, or a frame folder's ``dict(frame_dir, total_frames)``,
    as the dataset would give it."""
    return dict(filename=item) if isinstance(item, str) else dict(item)


def _sampler(backend: str) -> Dict:
    return dict(type='RelativeSpeedSampler', clip_len=CLIP_LEN,
                speeds=(1, 2), backend=backend, fallback_backends=[])


def ours_pipeline(size: int, backend: str = 'pyav'
                  ) -> Tuple[Callable, Callable, Callable]:
    pipeline = Compose([
        _sampler(backend),
        dict(type='PerWindowAugment', size=size),
        dict(type='FormatSpeedViews'),
        dict(type='PackActionInputs', algorithm_keys=('speeds', )),
    ])
    return (lambda item: pipeline(_sample_info(item)), pseudo_collate,
            lambda batch: batch)


def decode_pipeline(size: int, backend: str = 'pyav'
                    ) -> Tuple[Callable, Callable, Callable]:
    pipeline = Compose([_sampler(backend)])
    # Only the frame count leaves the worker: no full-size frames to ship.
    return (lambda item: len(pipeline(_sample_info(item))['imgs']), list,
            lambda batch: batch)


# -------------------------------------------------------------- stock


def stock_pipeline(size: int) -> Tuple[Callable, Callable, Callable]:
    pipeline = Compose([
        dict(type='DecordInit'),
        dict(type='SampleFrames', clip_len=WINDOW, frame_interval=1,
             num_clips=2),
        dict(type='DecordDecode'),
        dict(type='RandomResizedCrop', area_range=(0.4, 1.0)),
        dict(type='Resize', scale=(size, size), keep_ratio=False),
        dict(type='Flip', flip_ratio=0.5),
        dict(type='HueSafeColorJitter', brightness=0.4, contrast=0.4,
             saturation=0.4, hue=0.4),
        dict(type='FormatShape', input_format='NCTHW'),
        dict(type='PackActionInputs'),
    ])
    return (lambda path: pipeline(dict(filename=path, start_index=0,
                                       modality='RGB')), pseudo_collate,
            lambda batch: batch)


# ---------------------------------------------------- official pattern


def official_worker(path: str) -> List[torch.Tensor]:
    """Decode two random 32-frame windows in one unsorted call; crop."""
    reader = decord.VideoReader(path, num_threads=1)
    num_frames = len(reader)
    windows = []
    for _ in range(2):
        if num_frames <= WINDOW:
            windows.append(np.arange(WINDOW) % num_frames)
        else:
            start = random.randint(0, num_frames - WINDOW)
            windows.append(np.arange(start, start + WINDOW))
    # The official code uses decord's torch bridge (zero-copy DLPack).
    frames = from_dlpack(
        reader.get_batch(np.concatenate(windows).tolist()).to_dlpack())
    clips = []
    for clip in frames.chunk(2):
        top, left, h, w = random_resized_crop_box(
            clip.shape[1], clip.shape[2], (0.4, 1.0), (3 / 4, 4 / 3))
        clips.append(clip[:, top:top + h, left:left + w].contiguous())
    return clips


def _gray(x: torch.Tensor) -> torch.Tensor:
    """(3, T, H, W) float -> its luma, expanded to 3 channels."""
    return (0.2989 * x[0] + 0.587 * x[1] + 0.114 * x[2]).expand_as(x)


def _rgb_to_hsv(x: torch.Tensor) -> torch.Tensor:
    """(3, ...) float RGB in [0, 1] -> HSV, hue in [0, 1)."""
    r, g, b = x
    value = x.amax(0)
    delta = value - x.amin(0)
    flat = delta == 0
    sat = delta / torch.where(value > 0, value, torch.ones_like(value))
    delta = torch.where(flat, torch.ones_like(delta), delta)
    red, green = value == r, value == g
    hue = torch.where(red, (g - b) / delta,
                      torch.where(green, (b - r) / delta + 2,
                                  (r - g) / delta + 4))
    hue = torch.where(flat, torch.zeros_like(hue), hue)
    return torch.stack([(hue / 6) % 1.0, sat, value])


def _hsv_to_rgb(x: torch.Tensor) -> torch.Tensor:
    """(3, ...) float HSV -> RGB."""
    hue, sat, value = x
    sector = torch.floor(hue * 6)
    frac = hue * 6 - sector
    sector = sector.to(torch.uint8) % 6
    p = value * (1 - sat)
    q = value * (1 - frac * sat)
    t = value * (1 - (1 - frac) * sat)
    # Per sector, which of (v, q, p, t) each channel takes.
    picks = ((value, q, p, p, t, value), (t, value, value, q, p, p),
             (p, p, t, value, value, q))
    out = torch.empty_like(x)
    for channel, choice in enumerate(picks):
        result = choice[5].clone()
        for index in range(5):
            result = torch.where(sector == index, choice[index], result)
        out[channel] = result
    return out


def _jitter(x: torch.Tensor) -> torch.Tensor:
    """torchvision-style ColorJitter(0.4, 0.4, 0.4, 0.4), random order."""
    ops = []
    b, c, s = (random.uniform(0.6, 1.4) for _ in range(3))
    h = random.uniform(-0.4, 0.4)
    ops.append(lambda y: (y * b).clamp(0, 1))
    ops.append(lambda y: (c * y + (1 - c) * _gray(y)[0].mean()).clamp(0, 1))
    ops.append(lambda y: (s * y + (1 - s) * _gray(y)).clamp(0, 1))

    def hue(y):
        hsv = _rgb_to_hsv(y)
        hsv[0] = (hsv[0] + h) % 1.0
        return _hsv_to_rgb(hsv)

    ops.append(hue)
    random.shuffle(ops)
    for op in ops:
        x = op(x)
    return x


def official_main(batch: List[List[torch.Tensor]], size: int) -> torch.Tensor:
    """Float transforms of both clips, then q / k+ / k- sub-sampling."""
    per_clip = [[], []]
    for clips in batch:
        for i, clip in enumerate(clips):
            x = clip.float().div(255).permute(3, 0, 1, 2)  # (C, T, H, W)
            x = F.interpolate(x, size=(size, size), mode='bilinear',
                              align_corners=False)
            if random.random() < 0.2:
                x = _gray(x).contiguous()
            x = _jitter(x)
            if random.random() < 0.5:
                x = x.flip(-1)
            per_clip[i].append(x)
    clip_q, clip_k = (torch.stack(c) for c in per_clip)  # (B, C, 32, S, S)
    slow = torch.arange(CLIP_LEN)
    fast = torch.arange(0, WINDOW, 2)[:CLIP_LEN]
    views = []
    for n in range(clip_q.shape[0]):
        first, other = (slow, fast) if n % 2 else (fast, slow)
        views.append(torch.stack([clip_q[n][:, first], clip_k[n][:, first],
                                  clip_k[n][:, other]]))
    return torch.stack(views)  # (B, 3, C, 16, S, S)


def official_pipeline(size: int) -> Tuple[Callable, Callable, Callable]:
    return (official_worker, list,
            functools.partial(official_main, size=size))


PIPELINES = {
    'ours': ours_pipeline,
    'decode': decode_pipeline,
    'ours_decord': functools.partial(ours_pipeline, backend='decord'),
    'decode_decord': functools.partial(decode_pipeline, backend='decord'),
    'stock': stock_pipeline,
    'official': official_pipeline,
}
#: Routes that read frame folders (the others need video files).
FOLDER_ROUTES = ('ours', 'decode')
NAMES = dict(ours='ours (pyav)', decode='decode only (pyav)',
             ours_decord='ours (decord)',
             decode_decord='decode only (decord)', stock='stock MMAction2',
             official='official pattern')
#: The ratios shown: (route, reference).
RATIOS = (('ours', 'stock'), ('ours', 'decode'), ('ours', 'ours_decord'),
          ('decode', 'decode_decord'), ('ours', 'official'))


# --------------------------------------------------------- measuring


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (own.ru_utime + own.ru_stime + children.ru_utime
            + children.ru_stime)


def measure(pipeline: Tuple[Callable, Callable, Callable],
            paths: Sequence[str], batch_size: int, workers: int,
            seconds: float, min_batches: int = 1,
            seed: int = 0) -> Tuple[int, float, float]:
    """Load for at least ``seconds``.

    The clock starts before the loader's workers do and stops after the
    first batch that ends the time budget, so start-up is included and
    batches prefetched by workers are not counted before they are used.

    Returns:
        tuple[int, float, float]: Samples, wall seconds, CPU seconds (with
        workers, this includes the batches they prefetched but that were
        not used).
    """
    load, collate, finish = pipeline
    loader = DataLoader(
        PathDataset(paths, 10**6, load), batch_size=batch_size,
        num_workers=workers, collate_fn=collate, shuffle=False,
        worker_init_fn=functools.partial(worker_init_fn,
                                         num_workers=max(workers, 1), rank=0,
                                         seed=seed),
        multiprocessing_context='fork' if workers else None)
    worker_init_fn(0, 1, 0, seed)
    cpu = cpu_seconds()
    start = time.perf_counter()
    batches = iter(loader)
    samples = 0
    for index, batch in enumerate(batches):
        finish(batch)
        samples += len(batch['inputs'] if isinstance(batch, dict) else batch)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and index + 1 >= min_batches:
            break
    del batches  # stops and joins the workers
    return samples, elapsed, cpu_seconds() - cpu


def prepared_sets(video_dir: Path) -> Dict[str, List]:
    """The video sets, written (or reused) under ``video_dir``: name ->
    items (video paths, or frame-folder dicts)."""
    from rspnet_mm.datasets.video_collection import extract_one, transcode_one
    h264 = large_videos(video_dir, codec='h264')
    sets = {'128 px synthetic (mp4v)': small_clips(video_dir),
            '640x480 mp4v': large_videos(video_dir),
            '640x480 h264': h264}
    transcoded, folders = [], []
    for path in h264:
        name = Path(path).name
        job = dict(src=path, relative=name, short_side=256, keyint=16,
                   crf=23, preset='veryfast',
                   out_root=str(video_dir / 'h264_256_k16'))
        target = video_dir / 'h264_256_k16' / name
        if not target.is_file():
            transcode_one(job)
        transcoded.append(str(target))
        job = dict(src=path, relative=name, short_side=256, quality=95,
                   filename_tmpl='img_{:05}.jpg',
                   out_root=str(video_dir / 'frames_256'))
        folder = video_dir / 'frames_256' / Path(name).stem
        if not (folder / 'img_00250.jpg').is_file():
            extract_one(job)
        folders.append(dict(frame_dir=str(folder), total_frames=250,
                            filename_tmpl='img_{:05}.jpg'))
    sets['h264 transcoded (256 px, key frame / 16)'] = transcoded
    sets['frame folders (256 px jpg)'] = folders
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('--video-dir', default='work_dirs/bench_videos',
                        help='where the test videos are written / reused')
    parser.add_argument('--seconds', type=float, default=2.0,
                        help='length of one timed slice')
    parser.add_argument('--rounds', type=int, default=2,
                        help='slices per route and setting, taken in turns')
    parser.add_argument('--batch-size', type=int, default=2)
    parser.add_argument('--workers', type=int, nargs='+', default=[0, 2])
    parser.add_argument('--size', type=int, default=112)
    parser.add_argument('--pipelines', nargs='+',
                        default=[k for k in PIPELINES if k != 'official'],
                        choices=list(PIPELINES))
    parser.add_argument('--sets', nargs='+', type=int, default=None,
                        help='numbers (0-4) of the video sets to run')
    args = parser.parse_args()

    cv2.setNumThreads(0)
    torch.set_num_threads(1)
    init_default_scope('mmaction')
    sets = list(prepared_sets(Path(args.video_dir)).items())
    if args.sets is not None:
        sets = [sets[i] for i in args.sets]
    print('machine: ' + describe_machine(
        f', decord {decord.__version__}, PyAV {av.__version__} (FFmpeg '
        f'{av.library_versions["libavcodec"]} libavcodec), opencv '
        f'{cv2.__version__}'), flush=True)
    rows: List[Dict] = []
    begin = time.perf_counter()
    for name, items in sets:
        routes = [k for k in args.pipelines
                  if isinstance(items[0], str) or k in FOLDER_ROUTES]
        for workers in args.workers:
            totals = {key: np.zeros(3) for key in routes}
            for round_index in range(args.rounds):
                shift = round_index % len(routes)
                for key in routes[shift:] + routes[:shift]:
                    totals[key] += measure(
                        PIPELINES[key](args.size), items, args.batch_size,
                        workers, args.seconds, seed=round_index)
            row = dict(videos=name, workers=workers)
            for key, (samples, wall, cpu) in totals.items():
                row[key] = samples / wall
                row[f'{key}_cpu_ms'] = 1e3 * cpu / samples
            print(f'  {name}, {workers} workers: ' + ', '.join(
                f'{key} {row[key]:.1f}' for key in routes) + ' samples/s',
                flush=True)
            rows.append(row)
    print(f'\ntotal {time.perf_counter() - begin:.0f} s\n')
    print('Samples per second (higher is better):\n')
    print(table(rows, args.pipelines, '{:.1f}', lambda row, key: row[key]))
    single = [row for row in rows if row['workers'] == 0]
    if single:
        print('\nCPU ms per sample with 0 workers (lower is better; less '
              'sensitive to other load on the machine):\n')
        print(table(single, args.pipelines, '{:.0f}',
                    lambda row, key: 1.0 / row[f'{key}_cpu_ms'],
                    lambda row, key: row[f'{key}_cpu_ms']))


def table(rows: List[Dict], keys: Sequence[str], fmt: str,
          speed: Callable[[Dict, str], float],
          shown: Callable[[Dict, str], float] = None) -> str:
    """A markdown table: one value per route, then the ratios of
    :data:`RATIOS` (routes a row lacks show as -).

    Args:
        rows (list[dict]): One per video set and worker count.
        keys (Sequence[str]): Routes.
        fmt (str): Format of the shown values.
        speed (Callable): Higher-is-better figure of a route in a row.
        shown (Callable, optional): The value to show; ``speed`` if None.
    """
    shown = shown or speed
    ratios = [(a, b) for a, b in RATIOS if a in keys and b in keys]
    head = (['videos', 'workers'] + [NAMES[k] for k in keys]
            + [f'{NAMES[a]} / {NAMES[b]}' for a, b in ratios])
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for row in rows:
        cells = [row['videos'], str(row['workers'])]
        cells += [fmt.format(shown(row, k)) if k in row else '-'
                  for k in keys]
        cells += [f'{speed(row, a) / speed(row, b):.2f}x'
                  if a in row and b in row else '-' for a, b in ratios]
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


if __name__ == '__main__':
    main()
