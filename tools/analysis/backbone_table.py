"""Markdown table of the RSPNet backbones: size, FLOPs, output, CPU time.

    python tools/analysis/backbone_table.py [--backbones S3DG VCOPC3D ...]
        [--runs 3] [--threads N]

FLOPs are counted by mmengine's ``FlopAnalyzer`` (the counter behind
MMAction2's ``tools/analysis_tools/get_flops.py``): one multiply-add counts
as one FLOP, and only convolutions and linear layers are counted (BN,
pooling, ReLU and the S3D-G gates' element-wise products are not).
"""
import argparse
import statistics
import time
from typing import Dict, List, Optional, Sequence

import torch
from mmaction.registry import MODELS
from mmengine.analysis import FlopAnalyzer

import rspnet_mm  # noqa: F401  (registers the backbones)
from rspnet_mm.models.backbones.official_conversion import OFFICIAL_ARCHS

#: Backbone configs in the table, keyed by the official arch name.
BACKBONES = {arch: spec['backbone'] for arch, spec in OFFICIAL_ARCHS.items()}
FLOP_SHAPES = ((1, 3, 16, 112, 112), (1, 3, 16, 224, 224))
FEATURE_SHAPE = (1, 3, 16, 112, 112)
TIME_SHAPE = (2, 3, 16, 112, 112)


def complexity_row(cfg: dict,
                   flop_shapes: Sequence[Sequence[int]] = FLOP_SHAPES,
                   feature_shape: Sequence[int] = FEATURE_SHAPE,
                   time_shape: Sequence[int] = TIME_SHAPE,
                   runs: int = 3) -> Dict[str, object]:
    """Measure one backbone.

    Args:
        cfg (dict): Backbone config.
        flop_shapes (Sequence[Sequence[int]]): Inputs to count FLOPs at.
        feature_shape (Sequence[int]): Input whose output shape is shown.
        time_shape (Sequence[int]): Input of the timed forward passes.
        runs (int): Timed passes after one warm-up; the median is kept.

    Returns:
        dict: ``type``, ``params_m``, ``gflops`` (list, one per
        flop shape), ``feature_shape`` (C, T, H, W) and ``forward_ms``.
    """
    model = MODELS.build(dict(cfg)).eval()
    params = sum(p.numel() for p in model.parameters())
    gflops = []
    with torch.no_grad():
        for shape in flop_shapes:
            analyzer = FlopAnalyzer(model, (torch.randn(*shape), ))
            analyzer.unsupported_ops_warnings(False)
            analyzer.uncalled_modules_warnings(False)
            gflops.append(analyzer.total() / 1e9)
        meta_model = MODELS.build(dict(cfg)).to('meta').eval()
        feature = meta_model(torch.empty(*feature_shape, device='meta'))
        clips = torch.randn(*time_shape)
        model(clips)  # warm-up
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            model(clips)
            times.append(time.perf_counter() - start)
    return {
        'type': cfg['type'],
        'params_m': params / 1e6,
        'gflops': gflops,
        'feature_shape': tuple(feature.shape[1:]),
        'forward_ms': 1000 * statistics.median(times),
    }


def markdown_table(rows: Dict[str, Dict[str, object]],
                   flop_shapes: Sequence[Sequence[int]] = FLOP_SHAPES,
                   feature_shape: Sequence[int] = FEATURE_SHAPE,
                   time_shape: Sequence[int] = TIME_SHAPE) -> str:
    """Format :func:`complexity_row` results as a markdown table.

    Args:
        rows (dict[str, dict]): ``{official arch: row}``.
        flop_shapes, feature_shape, time_shape: The shapes measured, for
            the column titles.

    Returns:
        str: The table.
    """
    def dims(shape):
        return 'x'.join(str(s) for s in shape)

    head = (['official arch', 'backbone', 'params (M)'] +
            [f'GFLOPs {dims(s)}' for s in flop_shapes] +
            [f'feature at {dims(feature_shape)} (C,T,H,W)',
             f'CPU forward {dims(time_shape)} (ms)'])
    lines = ['| ' + ' | '.join(head) + ' |',
             '|' + '---|' * len(head)]
    for arch, row in rows.items():
        cells = ([arch, row['type'], f"{row['params_m']:.2f}"] +
                 [f'{g:.2f}' for g in row['gflops']] +
                 [str(row['feature_shape']), f"{row['forward_ms']:.0f}"])
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--backbones', nargs='+', choices=sorted(BACKBONES),
        default=list(BACKBONES), help='official arch names')
    parser.add_argument('--runs', type=int, default=3,
                        help='timed forward passes (median)')
    parser.add_argument('--threads', type=int,
                        help='torch CPU threads (default: torch default)')
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    rows = {
        arch: complexity_row(BACKBONES[arch], runs=args.runs)
        for arch in args.backbones
    }
    print(markdown_table(rows))
    print(f'\nFLOPs: multiply-adds of convs and linear layers '
          f'(mmengine FlopAnalyzer). CPU time: eval, no_grad, median of '
          f'{args.runs} after a warm-up, {torch.get_num_threads()} threads, '
          f'torch {torch.__version__}.')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
