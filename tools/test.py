"""Test a checkpoint with an MMAction2 config, with rspnet_mm registered.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--dump FILE.pkl]
        [--data-root DIR] [--test-list LIST] [--num-classes N]
        [--batch-size N] [--num-workers N]
        [--cfg-options key=value ...] [--launcher none|pytorch|slurm|mpi]

Checkpoints are read through ``rspnet_mm.compat.load_checkpoint_file``: a
file that would run code on unpickling is refused unless
``RSPNET_MM_TRUST_CHECKPOINTS=1`` is set.

The data flags point any config at your own videos
(``rspnet_mm/cli/data_options.py``); the terminal shows progress and
metrics, the config and the environment are in the work dir's log file.
"""
# ruff: noqa: E402  (the warning filter comes before every import)
import warnings

# mmcv-lite lacks an op this project never uses; mmcv warns on import
warnings.filterwarnings('ignore', 'Fail to import ``MultiScaleDeformable')

# isort: split
import rspnet_mm  # noqa: F401  (upstream fixes + registration, first)

# isort: split
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction

from rspnet_mm.cli import (
    add_data_arguments,
    apply_data_arguments,
    build_runner,
    finish_data_config,
)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test an MMAction2 model')
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='where logs and metrics go')
    parser.add_argument('--dump', help='dump predictions to this .pkl file')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'])
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    add_data_arguments(parser, ('test', ))
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply the command-line switches to the config."""
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        name = osp.splitext(osp.basename(args.config))[0]
        cfg.work_dir = osp.join('work_dirs', name)
    cfg.load_from = args.checkpoint
    if args.dump is not None:
        if not args.dump.endswith(('.pkl', '.pickle')):
            raise ValueError(f'--dump must end with .pkl, got {args.dump}')
        evaluators = cfg.test_evaluator
        if isinstance(evaluators, dict):
            evaluators = [evaluators]
        cfg.test_evaluator = [
            *evaluators, dict(type='DumpResults', out_file_path=args.dump)]
    apply_data_arguments(cfg, args)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    return finish_data_config(cfg, ['test_dataloader'])


def main(argv=None) -> dict:
    args = parse_args(argv)
    cfg = merge_args(Config.fromfile(args.config), args)
    return build_runner(cfg).test()


if __name__ == '__main__':
    main()
