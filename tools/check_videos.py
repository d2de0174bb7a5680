"""Decode every video of a list and report the broken ones.

    python tools/check_videos.py CONFIG|LIST [--data-prefix DIR]
        [--split train|val|test] [--out broken.txt] [--workers N]
        [--tail N]

LIST is a ``path [label]`` video list (MMAction2's VideoDataset format);
with a CONFIG (``.py``) the list and data prefix of its
``<split>_dataloader`` are used (``--data-prefix`` overrides the prefix).
Each video is read as training reads it: with the pipeline's backend
(``--backend``, default PyAV), then with every other installed backend, as
the pipeline falls back; its first frame and its last ``--tail`` frames are
decoded, and a file whose last frames fail is bisected to the frames that
do decode. A video counts as broken only when no backend reads it. Every
broken video is printed with the reason; with
``--out`` the broken ones are written as ``list path<TAB>reason`` lines, so

    cut -f1 broken.txt | grep -v -x -F -f - <(cut -d' ' -f1 LIST)

lists the good paths. Exit status: 0 all videos decode, 1 some are broken,
2 the list or config cannot be read or lists no videos (the message names
the file and line).
"""
import argparse
import multiprocessing
import os.path as osp
import statistics
import sys
from typing import Dict, List, Optional, Tuple

from tqdm import tqdm

from rspnet_mm.datasets.transforms.frame_sources import (
    BACKENDS,
    DEFAULT_BACKEND,
)
from rspnet_mm.datasets.video_check import backend_order, check_video
from rspnet_mm.datasets.video_list import VideoListError, parse_video_list


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        description='Decode every video of a list; report broken ones.')
    parser.add_argument('source', help='video list (.txt) or config (.py)')
    parser.add_argument('--data-prefix',
                        help='folder the list paths are relative to')
    parser.add_argument('--split', default='train',
                        choices=['train', 'val', 'test'],
                        help='with a config: which dataloader (default '
                        'train)')
    parser.add_argument('--out', help='write the broken videos here')
    parser.add_argument('--workers', type=int, default=1,
                        help='decoding processes (default 1)')
    parser.add_argument('--tail', type=int, default=3,
                        help='frames at the end to decode (default 3)')
    parser.add_argument('--backend', default=DEFAULT_BACKEND,
                        choices=sorted(BACKENDS),
                        help='decoder tried first, as in the pipeline '
                        f'(default {DEFAULT_BACKEND}); the other installed '
                        'ones are tried next')
    return parser.parse_args(argv)


def list_from_config(path: str, split: str) -> Dict:
    """The list options of a config's ``<split>_dataloader.dataset``.

    Args:
        path (str): Config file.
        split (str): ``train``, ``val`` or ``test``.

    Returns:
        dict: ``ann_file``, ``data_prefix``, ``delimiter``, ``multi_class``,
        ``num_classes`` (the dataset's, else the classifier head's) and
        ``require_label`` (a classification dataset).
    """
    from mmengine.config import Config

    from rspnet_mm.cli.data_options import UNLABELLED_TYPES, link_num_classes
    cfg = Config.fromfile(path)
    link_num_classes(cfg)
    key = f'{split}_dataloader'
    loader = cfg.get(key)
    if not loader or 'dataset' not in loader:
        raise ValueError(f'{path} has no {key}.dataset; pick another '
                         '--split or pass the list file')
    dataset = loader['dataset']
    while 'ann_file' not in dataset and 'dataset' in dataset:
        dataset = dataset['dataset']  # RepeatDataset and other wrappers
    if 'ann_file' not in dataset:
        raise ValueError(f'{path}: {key}.dataset has no ann_file')
    root = dataset.get('data_root') or ''
    prefix = (dataset.get('data_prefix') or {}).get('video')

    def rooted(p):
        return p if not p or osp.isabs(p) else osp.join(root, p)

    return dict(ann_file=rooted(dataset['ann_file']),
                data_prefix=rooted(prefix),
                delimiter=dataset.get('delimiter', ' '),
                multi_class=dataset.get('multi_class', False),
                num_classes=dataset.get('num_classes'),
                require_label=dataset.get('type') not in UNLABELLED_TYPES)


def _check(job: Tuple[str, str, int, List[str]]) -> Tuple[str, Dict]:
    entry, path, tail, backends = job
    return entry, check_video(path, tail, backends)


def check_list(entries: List[Tuple[str, str]], workers: int = 1,
               tail: int = 3,
               backend: str = DEFAULT_BACKEND) -> List[Tuple[str, Dict]]:
    """Check each ``(list path, file path)``, with a progress bar.

    Returns:
        list[tuple[str, dict]]: ``(list path, check_video record)`` in list
        order.
    """
    backends = backend_order(backend)
    jobs = [(entry, path, tail, backends) for entry, path in entries]
    bar = dict(total=len(jobs), unit='video', desc='check_videos',
               file=sys.stderr, mininterval=1.0)
    if workers > 1:
        with multiprocessing.Pool(workers) as pool:
            return list(tqdm(pool.imap(_check, jobs, chunksize=4), **bar))
    return [_check(job) for job in tqdm(jobs, **bar)]


def summary(results: List[Tuple[str, Dict]]) -> str:
    """A few lines about the checked videos."""
    records = [r for _, r in results]
    broken = [r for r in records if not r['ok']]
    total = sum(r['bytes'] or 0 for r in records)
    lines = [f'checked {len(records)} videos ({total / 2**20:.1f} MiB): '
             f'{len(records) - len(broken)} decode, {len(broken)} broken']
    good = [r for r in records if r['ok']]
    by_backend = {}
    for r in good:
        by_backend[r['backend']] = by_backend.get(r['backend'], 0) + 1
    if by_backend:
        lines.append('read by: ' + ', '.join(
            f'{backend} {count}' for backend, count in by_backend.items()))
    if good:
        frames = sorted(r['frames'] for r in good)
        sizes = sorted({(r['height'], r['width']) for r in good})
        shown = ', '.join(f'{h}x{w}' for h, w in sizes[:5])
        more = f' and {len(sizes) - 5} more' if len(sizes) > 5 else ''
        lines.append(f'frames per video: min {frames[0]}, median '
                     f'{statistics.median(frames):g}, max {frames[-1]}; '
                     f'frame sizes (HxW): {shown}{more}')
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    """Run the check; returns the exit status."""
    args = parse_args(argv)
    try:
        if args.source.endswith('.py'):
            options = list_from_config(args.source, args.split)
        else:
            options = dict(ann_file=args.source, data_prefix=None)
        if args.data_prefix is not None:
            options['data_prefix'] = args.data_prefix
        prefix = options.pop('data_prefix') or ''
        hint = ('pass an existing list file, or a config whose '
                f'{args.split}_dataloader reads one (--split picks the '
                'loader)')
        items = parse_video_list(**options, hint=hint)
    except (VideoListError, FileNotFoundError, ValueError) as error:
        print(f'check_videos: error: {error}', file=sys.stderr)
        return 2
    entries = [(item['filename'], osp.join(prefix, item['filename']))
               for item in items]
    results = check_list(entries, max(args.workers, 1), args.tail,
                         args.backend)
    broken = [(entry, r) for entry, r in results if not r['ok']]
    for _, record in broken:
        print(f'BROKEN {record["path"]}: {record["reason"]}')
    print(summary(results))
    if args.out:
        with open(args.out, 'w') as f:
            for entry, record in broken:
                f.write(f'{entry}\t{record["reason"]}\n')
        print(f'wrote {len(broken)} broken videos to {args.out}')
    return 1 if broken else 0


if __name__ == '__main__':
    sys.exit(main())
