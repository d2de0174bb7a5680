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
import argparse
import os.path as osp

from mmengine.config import Config

from rspnet_mm.cli import apply_tool_options, build_runner, parse_tool_args


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test an MMAction2 model')
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='where logs and metrics go')
    parser.add_argument('--dump', help='dump predictions to this .pkl file')
    return parse_tool_args(parser, argv, ('test', ))


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply the command-line switches to the config."""
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
    return apply_tool_options(cfg, args, ['test_dataloader'])


def main(argv=None) -> dict:
    args = parse_args(argv)
    cfg = merge_args(Config.fromfile(args.config), args)
    return build_runner(cfg).test()


if __name__ == '__main__':
    main()
