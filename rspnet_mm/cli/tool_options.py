"""The command-line options every tool shares, and their order of use."""
import argparse
import os
from typing import List, Optional, Sequence

from mmengine.config import Config, DictAction

from .data_options import (
    add_data_arguments,
    apply_data_arguments,
    finish_data_config,
)


def parse_tool_args(parser: argparse.ArgumentParser,
                    argv: Optional[List[str]],
                    splits: Sequence[str]) -> argparse.Namespace:
    """Add the data flags of ``splits``, ``--cfg-options``, ``--launcher``
    and ``--local-rank``, parse ``argv`` and export ``LOCAL_RANK``.

    Args:
        parser (argparse.ArgumentParser): The tool's own arguments.
        argv (list[str], optional): None: ``sys.argv[1:]``.
        splits (Sequence[str]): The splits the tool reads (``train``,
            ``val``, ``test``).

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    add_data_arguments(parser, splits)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys, e.g. '
                        'train_cfg.max_epochs=10 (applied after the data '
                        'flags)')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'])
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def apply_tool_options(cfg: Config, args: argparse.Namespace,
                       used: Sequence[str]) -> Config:
    """The data flags, then ``--cfg-options``, then
    :func:`finish_data_config` for the loaders the tool runs.

    Args:
        cfg (Config): The config; changed in place.
        args (argparse.Namespace): From :func:`parse_tool_args`.
        used (Sequence[str]): The loaders the tool runs.

    Returns:
        Config: ``cfg``.
    """
    cfg.launcher = args.launcher
    apply_data_arguments(cfg, args)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    return finish_data_config(cfg, used)
