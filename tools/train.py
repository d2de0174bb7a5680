"""Train with an MMAction2 config, with the rspnet_mm plugin registered.

Same command line as MMAction2's ``tools/train.py``, plus flags that point
any config at your own videos (``rspnet_mm/cli/data_options.py``)::

    python tools/train.py configs/rspnet_s3dg_k400.py [--work-dir DIR]
        [--data-root DIR] [--train-list LIST] [--val-list LIST]
        [--num-classes N] [--batch-size N] [--num-workers N]
        [--resume [CKPT]] [--amp] [--auto-scale-lr] [--seed N]
        [--cfg-options key=value ...] [--launcher none|pytorch|slurm|mpi]

The terminal shows the losses; the config, the environment and the hook
order are in the work dir's log file.
"""
import argparse
import os.path as osp

from mmengine.config import Config

from rspnet_mm.cli import apply_tool_options, build_runner, parse_tool_args


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train an MMAction2 model')
    parser.add_argument('config', help='config file path')
    parser.add_argument('--work-dir', help='where logs and checkpoints go')
    parser.add_argument(
        '--resume', nargs='?', const='auto', default=None,
        help='resume from CKPT, or from the latest checkpoint of the work '
        'dir when no path is given')
    parser.add_argument('--amp', action='store_true',
                        help='automatic mixed precision (AmpOptimWrapper)')
    parser.add_argument('--no-validate', action='store_true',
                        help='skip validation during training')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale lr by total batch / base_batch_size')
    parser.add_argument('--seed', type=int, default=None)
    parser.add_argument('--diff-rank-seed', action='store_true')
    parser.add_argument('--deterministic', action='store_true')
    return parse_tool_args(parser, argv, ('train', 'val'))


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply the command-line switches to the config."""
    if args.no_validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        name = osp.splitext(osp.basename(args.config))[0]
        cfg.work_dir = osp.join('work_dirs', name)
    if args.amp:
        wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        if wrapper not in ('OptimWrapper', 'AmpOptimWrapper'):
            raise ValueError(f'--amp cannot replace optim_wrapper type '
                             f'{wrapper!r}; use OptimWrapper or '
                             f'AmpOptimWrapper in the config')
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    if args.auto_scale_lr:
        cfg.auto_scale_lr.enable = True
    if cfg.get('randomness') is None or args.seed is not None:
        cfg.randomness = dict(seed=args.seed,
                              diff_rank_seed=args.diff_rank_seed,
                              deterministic=args.deterministic)
    used = ['train_dataloader']
    if cfg.get('val_cfg') and cfg.get('val_dataloader'):
        used.append('val_dataloader')
    return apply_tool_options(cfg, args, used)


def main(argv=None) -> None:
    args = parse_args(argv)
    cfg = merge_args(Config.fromfile(args.config), args)
    build_runner(cfg).train()


if __name__ == '__main__':
    main()
