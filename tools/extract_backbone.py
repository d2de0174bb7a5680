"""Extract the backbone of one of this project's checkpoints.

    python tools/extract_backbone.py SRC DST [--config CONFIG]

SRC is an mmengine checkpoint of rspnet-mm pretraining (``state_dict`` with
``backbone.*``, ``meta['cfg']`` with the config text). DST gets the format
of tools/convert_official_checkpoint.py: ``{'state_dict':
{'backbone.<key>': tensor}, 'meta': {'backbone': <config>, ...}}``, which
``pretrained=DST`` or ``init_cfg=dict(type='Pretrained', checkpoint=DST,
prefix='backbone.')`` loads. The backbone config comes from ``--config``
when given, else from ``meta['cfg']``.
"""
import argparse
import os
import pickle
import sys
from typing import List, Optional

from mmengine.config import Config

import rspnet_mm  # noqa: F401  (upstream fixes, registers the backbones)
from rspnet_mm.compat import load_checkpoint_file
from rspnet_mm.models.backbones.backbone_checkpoint import (
    backbone_config_from_config,
    extract_backbone,
    save_plain_checkpoint,
)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        description='Write the backbone of an rspnet-mm checkpoint as a '
        'backbone-only checkpoint.')
    parser.add_argument('src', help='mmengine checkpoint (.pth)')
    parser.add_argument('dst', help='output file (.pth)')
    parser.add_argument(
        '--config',
        help="pretraining config to take model.backbone from (default: the "
        "config stored in the checkpoint's meta['cfg'])")
    return parser.parse_args(argv)


def extract(src: str, dst: str, config: Optional[str] = None) -> dict:
    """Extract SRC's backbone into DST.

    Args:
        src (str): mmengine checkpoint.
        dst (str): Output file.
        config (str, optional): Config file with ``model.backbone``.
            Defaults to None (use ``meta['cfg']``).

    Returns:
        dict: What was written.
    """
    backbone_cfg = None
    if config is not None:
        backbone_cfg = backbone_config_from_config(
            Config.fromfile(config), config)
    checkpoint = load_checkpoint_file(src, map_location='cpu')
    out = extract_backbone(checkpoint, src, backbone_cfg)
    os.makedirs(os.path.dirname(os.path.abspath(dst)), exist_ok=True)
    save_plain_checkpoint(dst, out)
    return out


def main(argv: Optional[List[str]] = None) -> int:
    """Run the tool; returns the exit status (1 on a bad SRC)."""
    args = parse_args(argv)
    try:
        out = extract(args.src, args.dst, args.config)
    except (ValueError, RuntimeError, FileNotFoundError,
            pickle.UnpicklingError) as err:
        print(f'extract_backbone: error: {err}', file=sys.stderr)
        return 1
    print(f"wrote {args.dst}: {out['meta']['backbone']} "
          f"({len(out['state_dict'])} tensors) from {args.src}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
