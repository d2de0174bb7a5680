"""Write the synthetic motion video set (mp4 clips, lists, metadata).

Example::

    python tools/data/generate_synthetic_motion.py \
        --out data/synthetic_motion \
        --clips 200 --size 112 --min-frames 64 --max-frames 96

See ``rspnet_mm/synthetic/__init__.py`` for the layout of the output
folder and the meaning of every option.
"""
from __future__ import annotations

import argparse
import time
from typing import Sequence

from rspnet_mm.synthetic import (
    LABEL_OPTIONS,
    MOTION_KINDS,
    SyntheticMotionConfig,
    generate_dataset,
)

_DEFAULTS = SyntheticMotionConfig()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line (``argv`` defaults to ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(
        description='Generate labelled synthetic motion clips for '
        'MMAction2 VideoDataset (classes depend on motion kind and speed; '
        'appearance is random per clip).')
    add = parser.add_argument
    add('--out', default='data/synthetic_motion',
        help='output folder (default: %(default)s)')
    add('--clips', type=int, default=_DEFAULTS.n_clips,
        help='number of clips, train + val (default: %(default)s)')
    add('--val-fraction', type=float, default=_DEFAULTS.val_fraction,
        help='share of clips in val, in [0, 1) (default: %(default)s)')
    add('--size', type=int, default=_DEFAULTS.size,
        help='frame height and width in px, even (default: %(default)s)')
    add('--min-frames', type=int, default=_DEFAULTS.min_frames,
        help='shortest clip in frames (default: %(default)s)')
    add('--max-frames', type=int, default=_DEFAULTS.max_frames,
        help='longest clip in frames (default: %(default)s)')
    add('--fps', type=float, default=_DEFAULTS.fps,
        help='frame rate (default: %(default)s)')
    add('--seed', type=int, default=_DEFAULTS.seed,
        help='random seed (default: %(default)s)')
    add('--speed-bands', type=int, default=_DEFAULTS.speed_bands,
        help='speed bands per motion kind (default: %(default)s)')
    add('--speed-ratio', type=float, default=_DEFAULTS.speed_ratio,
        help='speed ratio of neighbouring bands (default: %(default)s)')
    add('--speed-scale', type=float, default=_DEFAULTS.speed_scale,
        help='factor on every base speed (e.g. 3 for 32 px clips)')
    add('--speed-jitter', type=float, default=_DEFAULTS.speed_jitter,
        help='largest per-clip speed factor around the band centre '
        '(default: %(default)s)')
    add('--kinds', nargs='+', default=list(_DEFAULTS.kinds),
        metavar='KIND', help=f'motion kinds, from {", ".join(MOTION_KINDS)} '
        '(default: all)')
    add('--label', default=_DEFAULTS.label_by, choices=LABEL_OPTIONS,
        help='label written to train_list.txt/val_list.txt '
        '(default: %(default)s)')
    add('--rspnet-window', type=int, default=_DEFAULTS.rspnet_window,
        help='every clip must hold two RSPNet windows of this many frames; '
        '0 turns the check off (default: %(default)s)')
    add('--max-subsample', type=int, default=_DEFAULTS.max_subsample,
        help='largest temporal sub-sampling the speed bands must survive '
        '(default: %(default)s)')
    add('--camera-pan', type=float, default=_DEFAULTS.camera_pan,
        help='largest camera speed in px per frame, 0 = still camera '
        '(default: %(default)s)')
    add('--lighting', type=float, default=_DEFAULTS.lighting,
        help='brightness swing over a clip, in [0, 1) (default: '
        '%(default)s)')
    add('--occluders', type=int, default=_DEFAULTS.occluders,
        help='static bars in front of the scene (default: %(default)s)')
    add('--workers', type=int, default=0,
        help='worker processes, 0 = render in this process '
        '(default: %(default)s)')
    add('--no-progress', action='store_true', help='hide the progress bar')
    args = parser.parse_args(argv)
    try:
        args.config = SyntheticMotionConfig(
            n_clips=args.clips, val_fraction=args.val_fraction,
            size=args.size, min_frames=args.min_frames,
            max_frames=args.max_frames, fps=args.fps, seed=args.seed,
            speed_bands=args.speed_bands, speed_ratio=args.speed_ratio,
            speed_scale=args.speed_scale,
            speed_jitter=args.speed_jitter, kinds=tuple(args.kinds),
            label_by=args.label, rspnet_window=args.rspnet_window,
            max_subsample=args.max_subsample, camera_pan=args.camera_pan,
            lighting=args.lighting, occluders=args.occluders)
    except ValueError as err:
        parser.error(str(err))
    if args.workers < 0:
        parser.error(f'--workers {args.workers}: must be >= 0 '
                     '(0 renders in this process)')
    return args


def main(argv: Sequence[str] | None = None) -> None:
    """Generate the data set and print where it went and how fast."""
    args = parse_args(argv)
    start = time.perf_counter()
    records = generate_dataset(args.config, args.out, workers=args.workers,
                               progress=not args.no_progress)
    seconds = time.perf_counter() - start
    n_val = sum(record['split'] == 'val' for record in records)
    n_classes = len(args.config.class_names())
    print(f'wrote {len(records)} clips ({len(records) - n_val} train, '
          f'{n_val} val; {n_classes} classes by {args.label}) to '
          f'{args.out} in {seconds:.1f} s '
          f'({len(records) / seconds:.1f} clips/s)')


if __name__ == '__main__':
    main()
