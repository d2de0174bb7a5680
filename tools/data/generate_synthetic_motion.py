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
#: Number options: flag, SyntheticMotionConfig field, help.
_NUMBERS = [
    ('--clips', 'n_clips', 'number of clips, train + val'),
    ('--val-fraction', 'val_fraction', 'share of clips in val, in [0, 1)'),
    ('--size', 'size', 'frame height and width in px, even'),
    ('--min-frames', 'min_frames', 'shortest clip in frames'),
    ('--max-frames', 'max_frames', 'longest clip in frames'),
    ('--fps', 'fps', 'frame rate'),
    ('--seed', 'seed', 'random seed'),
    ('--speed-bands', 'speed_bands', 'speed bands per motion kind'),
    ('--speed-ratio', 'speed_ratio', 'speed ratio of neighbouring bands'),
    ('--speed-scale', 'speed_scale',
     'factor on every base speed (e.g. 3 for 32 px clips)'),
    ('--speed-jitter', 'speed_jitter',
     'largest per-clip speed factor around the band centre'),
    ('--rspnet-window', 'rspnet_window', 'every clip must hold two RSPNet '
     'windows of this many frames; 0 turns the check off'),
    ('--max-subsample', 'max_subsample',
     'largest temporal sub-sampling the speed bands must survive'),
    ('--camera-pan', 'camera_pan',
     'largest camera speed in px per frame, 0 = still camera; nearer '
     'layers move more (parallax)'),
    ('--lighting', 'lighting', 'brightness swing over a clip, in [0, 1)'),
    ('--occluders', 'occluders', 'bars in front of the scene'),
    ('--texture', 'texture',
     'strength in [0, 1) of a noise texture on the background'),
    ('--distractors', 'distractors',
     'other objects drifting behind and in front of the labelled one'),
    ('--motion-blur', 'motion_blur',
     'shutter in [0, 1) of the frame interval, 0 = sharp frames'),
]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line (``argv`` defaults to ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(
        description='Generate labelled synthetic motion clips for '
        'MMAction2 VideoDataset (classes depend on motion kind and speed; '
        'appearance is random per clip).')
    add = parser.add_argument
    add('--out', default='data/synthetic_motion',
        help='output folder (default: %(default)s)')
    for flag, field, text in _NUMBERS:
        default = getattr(_DEFAULTS, field)
        add(flag, dest=field, type=type(default), default=default,
            help=f'{text} (default: %(default)s)')
    add('--kinds', nargs='+', default=list(_DEFAULTS.kinds),
        metavar='KIND', help=f'motion kinds, from {", ".join(MOTION_KINDS)} '
        '(default: all)')
    add('--label', default=_DEFAULTS.label_by, choices=LABEL_OPTIONS,
        help='label written to train_list.txt/val_list.txt '
        '(default: %(default)s)')
    add('--workers', type=int, default=0,
        help='worker processes, 0 = render in this process '
        '(default: %(default)s)')
    add('--no-progress', action='store_true', help='hide the progress bar')
    args = parser.parse_args(argv)
    try:
        args.config = SyntheticMotionConfig(
            kinds=tuple(args.kinds), label_by=args.label,
            **{field: getattr(args, field) for _, field, _ in _NUMBERS})
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
