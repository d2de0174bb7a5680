"""Pooled backbone features of every video of an annotation list.

    python tools/extract_features.py CONFIG CHECKPOINT --out DIR
        [--data-root DIR --test-list LIST] [--batch-size N]
        [--num-workers N] [--shard-size 256] [--cfg-options ...]
    torchrun --nproc_per_node N tools/extract_features.py ...
        --launcher pytorch

CONFIG's ``test_dataloader.dataset`` gives the list and the clips of each
video (e.g. ``configs/demo/features_litec3d_synthetic.py``; another list:
``--data-root DIR --test-list LIST``).
CHECKPOINT is a full or ``backbone.*`` checkpoint, or ``none`` for the
initialisation. DIR gets ``.npy`` shards of per-clip features and their
video means plus ``index.npz`` (paths, labels, clip counts), all readable
with numpy alone (layout: ``rspnet_mm/features/shards.py``). Run it again
on the same DIR to finish an interrupted run; complete shards are kept.
"""
import argparse
import os

from mmengine.config import Config
from mmengine.dist import init_dist

import rspnet_mm  # noqa: F401
from rspnet_mm.cli import apply_tool_options, parse_tool_args
from rspnet_mm.features import extract


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Extract video features')
    parser.add_argument('config', help='config with a test_dataloader')
    parser.add_argument('checkpoint', help="checkpoint, or 'none'")
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--shard-size', type=int, default=256,
                        help='videos per shard (the unit of resuming)')
    parser.add_argument('--seed', type=int, default=0,
                        help="seed of the initialisation (with 'none')")
    parser.add_argument('--no-progress', action='store_true')
    # --test-list/--data-root pick the videos, --batch-size and
    # --num-workers the loader (the config's when not given)
    return parse_tool_args(parser, argv, ('test', ))


def main(argv=None):
    args = parse_args(argv)
    checkpoint = None if args.checkpoint == 'none' else args.checkpoint
    if checkpoint is not None and not os.path.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint {checkpoint} not found')
    cfg = Config.fromfile(args.config)
    if 'test_dataloader' not in cfg:
        raise KeyError(f'{args.config} has no test_dataloader: use e.g. '
                       'configs/demo/features_litec3d_synthetic.py')
    apply_tool_options(cfg, args, ['test_dataloader'])
    if args.launcher != 'none':
        backend = cfg.get('env_cfg', {}).get('dist_cfg', {}).get(
            'backend', 'gloo')
        init_dist(args.launcher, backend=backend)
    features = extract(cfg, checkpoint, args.out,
                       cfg.test_dataloader.batch_size, args.shard_size,
                       cfg.test_dataloader.get('num_workers', 0), args.seed,
                       progress=not args.no_progress)
    if features is not None:
        print(f'{len(features["paths"])} videos, '
              f'{len(features["clips"])} clips, '
              f'{features["videos"].shape[1]}-d features in {args.out}')
    return features


if __name__ == '__main__':
    main()
