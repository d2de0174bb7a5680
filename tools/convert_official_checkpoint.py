"""Convert an official RSPNet checkpoint for this plugin.

    python tools/convert_official_checkpoint.py SRC DST [--arch ARCH] [--full]
        [--trust]

SRC is a file of PeihaoChen/RSPNet's ``pretrain.py`` (e.g.
``model_best_s3dg_200epoch.pth.tar``). DST gets ``{'state_dict':
{'backbone.<key>': tensor}, 'meta': {'backbone': <config>, ...}}``; with
``--full`` it gets the whole RSPNet recognizer state instead (query and key
encoders, both heads, queue) for ``load_from``. DST holds only tensors and
plain values. See rspnet_mm/models/backbones/official_conversion.py and
docs/checkpoints.md.
"""
import argparse
import pickle
import sys
from typing import List, Optional

import rspnet_mm  # noqa: F401  (upstream fixes, registers the backbones)
from rspnet_mm.compat import UnsafeCheckpointError, load_checkpoint_file
from rspnet_mm.models.backbones.backbone_checkpoint import (
    save_plain_checkpoint,
)
from rspnet_mm.models.backbones.official_conversion import (
    OFFICIAL_ARCHS,
    convert_official_checkpoint,
)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        description='Convert an official RSPNet pre-training checkpoint '
        'into a backbone (or, with --full, recognizer) checkpoint of '
        'rspnet-mm.')
    parser.add_argument('src', help='official checkpoint (.pth.tar)')
    parser.add_argument('dst', help='output file (.pth)')
    parser.add_argument(
        '--arch',
        choices=sorted(OFFICIAL_ARCHS),
        help="official architecture; default: the file's 'arch' entry, "
        'else recognised from the keys')
    parser.add_argument(
        '--full',
        action='store_true',
        help='write the full pretraining state (backbone, heads, key '
        'encoder, queue) in the RSPNet recognizer layout')
    parser.add_argument(
        '--trust',
        action='store_true',
        help='unpickle SRC without the safe allow-list; only for files '
        'from a source you trust (unpickling can run code)')
    return parser.parse_args(argv)


def convert(src: str, dst: str, arch: Optional[str] = None,
            full: bool = False, trust: bool = False) -> dict:
    """Convert SRC and write DST.

    Args:
        src (str): Official checkpoint.
        dst (str): Output file.
        arch (str, optional): Official arch. Defaults to None.
        full (bool): Recognizer layout. Defaults to False.
        trust (bool): Load SRC without the allow-list. Defaults to False.

    Returns:
        dict: What was written.

    Raises:
        UnsafeCheckpointError: SRC needs ``--trust``.
        ValueError, RuntimeError, FileNotFoundError: Bad SRC (the message
            says what is wrong).
    """
    try:
        checkpoint = load_checkpoint_file(src, trust=trust)
    except UnsafeCheckpointError as err:
        raise UnsafeCheckpointError(
            f'{err} With this tool, pass --trust instead.') from err
    out = convert_official_checkpoint(
        checkpoint, arch=arch, full=full, source=src)
    save_plain_checkpoint(dst, out)
    return out


def main(argv: Optional[List[str]] = None) -> int:
    """Run the tool; returns the exit status (1 on a bad SRC)."""
    args = parse_args(argv)
    try:
        out = convert(args.src, args.dst, args.arch, args.full, args.trust)
    except (ValueError, RuntimeError, FileNotFoundError,
            pickle.UnpicklingError) as err:
        print(f'convert_official_checkpoint: error: {err}', file=sys.stderr)
        return 1
    meta = out['meta']
    n_params = sum(v.numel() for k, v in out['state_dict'].items()
                   if k.startswith('backbone.') and v.is_floating_point())
    what = 'RSPNet recognizer state' if args.full else 'backbone'
    print(f"wrote {args.dst}: {what} {meta['backbone']} from official "
          f"{meta['arch']!r} "
          f"checkpoint {args.src} ({len(out['state_dict'])} tensors, "
          f'backbone {n_params / 1e6:.2f} M values)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
