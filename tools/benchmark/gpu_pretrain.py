"""RSPNet pretraining on one GPU: iterations/s and peak memory per precision.

Measures, in one run:

- **S3D-G 16x224** and **R(2+1)D 16x112** (``VCOPR2Plus1D``) RSPNet training
  steps (``model.train_step``: query and key encoders, both heads, queue)
  on fixed in-memory batches of packed samples, in four modes: fp32, bf16
  autocast (``AmpOptimWrapper(dtype='bfloat16')``), and each of them with
  ``channels_last_3d`` Conv3d weights; iterations/s (after ``--warmup``
  iterations, synchronised), clips/s (3 views per sample) and peak
  allocated memory (``torch.cuda.max_memory_allocated``);
- **the demo config** (``configs/rspnet_litec3d_synthetic.py``) trained for
  ``--demo-iters`` iterations on the GPU through ``Runner.train()`` with
  real decoding of a freshly generated synthetic set (``--demo-workers``
  DataLoader workers), without its time budget and monitor: iterations/s
  and the last ``loss_rsp`` / ``rsp_acc``.

It prints a markdown table (and writes it to ``--out``) for
``docs/benchmarks.md``. Without CUDA it says so and exits with status 0,
measuring nothing.

Usage: ``python tools/benchmark/gpu_pretrain.py [--batch 8 16]
[--demo-iters 300] [--out work_dirs/benchmarks/gpu_pretrain.md]``.
"""
import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine_info import describe_machine  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
#: name -> model and input of a case (see train_step.build_model)
GPU_CASES = {
    'S3D-G 16x224': dict(
        backbone=dict(type='S3DG'),
        head=dict(in_channels=1024, proj_type='linear'),
        queue_len=16384, clip_len=16, size=224),
    'R(2+1)D 16x112': dict(
        backbone=dict(type='VCOPR2Plus1D'),
        head=dict(in_channels=512, proj_type='linear'),
        queue_len=16384, clip_len=16, size=112),
}
MODES = [(bf16, channels_last) for bf16 in (False, True)
         for channels_last in (False, True)]


def mode_name(bf16: bool, channels_last: bool) -> str:
    return ('bf16 autocast' if bf16 else 'fp32') + (
        ' + channels_last_3d' if channels_last else '')


def time_steps(name: str, batch: int, bf16: bool, channels_last: bool,
               warmup: int, iters: int) -> Dict:
    """Train one case on CUDA in one mode; returns its row."""
    from mmengine.dataset import pseudo_collate
    from mmengine.optim import AmpOptimWrapper, OptimWrapper
    from train_step import SpeedViewBatches, build_model, to_channels_last_3d
    case = GPU_CASES[name]
    dataset = SpeedViewBatches(case['clip_len'], case['size'], length=batch)
    data = pseudo_collate([dataset[i] for i in range(batch)])
    model = build_model(case).cuda()
    if channels_last:
        to_channels_last_3d(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9,
                                weight_decay=1e-4)
    wrapper = (AmpOptimWrapper(optimizer=optimizer, dtype='bfloat16')
               if bf16 else OptimWrapper(optimizer=optimizer))
    model.train()
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    for step in range(warmup + iters):
        if step == warmup:
            torch.cuda.synchronize()
            start = time.perf_counter()
        losses = model.train_step(data, wrapper)
    torch.cuda.synchronize()
    seconds = (time.perf_counter() - start) / iters
    row = dict(case=name, batch=batch, mode=mode_name(bf16, channels_last),
               it_s=1.0 / seconds, clips_s=3 * batch / seconds,
               peak_gib=torch.cuda.max_memory_allocated() / 2**30,
               loss=float(losses['loss']))
    del model, optimizer, wrapper
    torch.cuda.empty_cache()
    return row


def step_rows(batches: List[int], warmup: int, iters: int) -> List[Dict]:
    rows = []
    for name in GPU_CASES:
        for batch in batches:
            for bf16, channels_last in MODES:
                try:
                    row = time_steps(name, batch, bf16, channels_last,
                                     warmup, iters)
                except torch.cuda.OutOfMemoryError:
                    torch.cuda.empty_cache()
                    row = dict(case=name, batch=batch,
                               mode=mode_name(bf16, channels_last), oom=True)
                rows.append(row)
                print(f'  {name} batch {batch} {row["mode"]}: '
                      + ('out of memory' if row.get('oom') else
                         f'{row["it_s"]:.2f} it/s, peak '
                         f'{row["peak_gib"]:.1f} GiB'), flush=True)
    return rows


def demo_row(iters: int, workers: int, work_dir: Path) -> Dict:
    """The demo config for ``iters`` iterations on the GPU."""
    from rspnet_mm.testing.recipes import load_tool
    data = work_dir / 'data'
    load_tool('data/generate_synthetic_motion').main(
        ['--out', str(data), '--workers', str(workers), '--no-progress'])
    config = work_dir / 'demo_gpu.py'
    config.write_text('\n'.join([
        f"_base_ = ['{REPO / 'configs' / 'rspnet_litec3d_synthetic.py'}']",
        f'train_dataloader = dict(num_workers={workers}, dataset=dict(',
        f"    ann_file='{data / 'train_list.txt'}',",
        f"    data_prefix=dict(video='{data / 'videos'}')))",
        f'train_cfg = dict(max_iters={iters})',
        'val_cfg = None', 'val_dataloader = None', 'val_evaluator = None',
        'custom_hooks = []  # no time budget',
        f'default_hooks = dict(checkpoint=dict(interval={iters}, '
        'save_best=None), logger=dict(interval=50))', '']))
    start = time.perf_counter()
    load_tool('train').main([str(config), '--work-dir', str(work_dir / 'run')])
    seconds = time.perf_counter() - start
    scalars = sorted((work_dir / 'run').glob('*/vis_data/scalars.json'))[-1]
    last = [json.loads(line) for line in scalars.read_text().splitlines()
            if 'loss_rsp' in line][-1]
    return dict(iters=iters, seconds=seconds, it_s=iters / seconds,
                loss_rsp=last['loss_rsp'], rsp_acc=last['rsp_acc'],
                peak_gib=torch.cuda.max_memory_allocated() / 2**30)


def table(rows: List[Dict], demo: Dict, machine: str) -> str:
    lines = [f'Machine: {machine}', '',
             '| case | batch | mode | it/s | clips/s | peak memory GiB | '
             'loss |', '|---|---|---|---|---|---|---|']
    for r in rows:
        if r.get('oom'):
            lines.append(f"| {r['case']} | {r['batch']} | {r['mode']} | "
                         'out of memory | | | |')
            continue
        lines.append(
            f"| {r['case']} | {r['batch']} | {r['mode']} | {r['it_s']:.2f} "
            f"| {r['clips_s']:.1f} | {r['peak_gib']:.1f} | {r['loss']:.3f} |")
    if demo:
        lines += ['', '| demo config on the GPU | iterations | s | it/s | '
                  'last loss_rsp | last rsp_acc |',
                  '|---|---|---|---|---|---|',
                  f"| configs/rspnet_litec3d_synthetic.py | {demo['iters']} | "
                  f"{demo['seconds']:.0f} | {demo['it_s']:.2f} | "
                  f"{demo['loss_rsp']:.3f} | {demo['rsp_acc']:.3f} |"]
    return '\n'.join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('--batch', type=int, nargs='+', default=[8, 16],
                        help='per-step batch sizes of the step cases')
    parser.add_argument('--warmup', type=int, default=5)
    parser.add_argument('--iters', type=int, default=20)
    parser.add_argument('--demo-iters', type=int, default=300,
                        help='0 skips the demo run')
    parser.add_argument('--demo-workers', type=int, default=8)
    parser.add_argument('--out', default='work_dirs/benchmarks/'
                        'gpu_pretrain.md')
    args = parser.parse_args(argv)
    machine = describe_machine()
    print(f'machine: {machine}', flush=True)
    if not torch.cuda.is_available():
        print('CUDA is not available (torch.cuda.is_available() is False): '
              'this benchmark needs a GPU and measured nothing.')
        return 0
    torch.backends.cudnn.benchmark = True
    rows = step_rows(args.batch, args.warmup, args.iters)
    demo = {}
    if args.demo_iters:
        with tempfile.TemporaryDirectory() as tmp:
            demo = demo_row(args.demo_iters, args.demo_workers, Path(tmp))
    text = table(rows, demo, machine)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + '\n')
    print(f'\n{text}\n\n(written to {out})')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
