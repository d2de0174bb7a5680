"""Seconds per RSPNet training iteration: mmengine's Runner vs a plain loop.

Both loops train the same ``RSPNet`` recognizer (same config, same initial
weights) on the same in-memory batches of packed samples (``inputs`` uint8
(3, 3, T, H, W) = views [q, k+, k-], ``speeds`` on the data sample, batches
drawn by an ``InfiniteSampler`` with seed 0) with the same SGD optimizer:

- ``runner``: ``Runner.train()`` with an ``IterBasedTrainLoop`` and the
  project's default hooks (runtime info, timer, logger every 10
  iterations, param scheduler, sampler seed, buffer sync; no checkpoint),
  ``LogProcessor`` and a ``LocalVisBackend``, as in the configs;
- ``plain``: data preprocessor -> ``model(mode='loss')`` -> sum of the
  ``loss*`` entries -> ``zero_grad``, ``backward``, ``step``.

The two alternate iteration by iteration (a hook runs one plain step after
each runner iteration), so a busy shared machine slows both alike; torch
uses ``--threads`` CPU threads (default 1: on a busy machine, OpenMP
threads waiting for a free core make iteration times vary several-fold). Each
iteration is timed with its data fetching; the first ``warmup``
iterations of each loop (the first backward passes are several times
slower) are left out. The table gives the means, the mean paired
difference (runner - plain) with two standard errors, and that difference
relative to the plain loop. Cases: ``litec3d`` (LiteC3D with 32-256
channels, 16x32, batch 16; the demo's model uses 16-128), ``r21d``
(VCOPR2Plus1D, 16x112, batch 4), and ``tiny`` (a model so small that the
difference is the runner's fixed per-iteration cost: hooks, logging,
message hub, optimizer wrapper).

The GPU measurements (S3D-G and R(2+1)D in fp32 / bf16 / channels_last_3d)
are ``tools/benchmark/gpu_pretrain.py``.

Usage: ``python tools/benchmark/train_step.py [--quick] [--cases ...]``
(about 12 minutes on a busy 2-core CPU with one thread, 10 of them for
``r21d`` at 40 s an iteration; ``--quick`` about 5).
"""
import argparse
import copy
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.dataset import InfiniteSampler, pseudo_collate
from mmengine.hooks import Hook
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from torch.utils.data import DataLoader, Dataset

import rspnet_mm  # noqa: F401  (upstream fixes; registers the models)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine_info import describe_machine  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
MEAN = [123.675, 116.28, 103.53]
STD = [58.395, 57.12, 57.375]

#: name -> model and data of a case; ``iters``/``quick`` are
#: (warm-up, timed) iterations of each loop.
CASES = {
    'tiny': dict(
        title='runner fixed cost: 2-layer LiteC3D 4x16, batch 4',
        backbone=dict(type='LiteC3D', channels=(8, 16),
                      strides=((1, 2, 2), (2, 2, 2))),
        head=dict(in_channels=16, proj_type='mlp', hidden_channels=16),
        queue_len=64, clip_len=4, size=16, batch=4,
        iters=(20, 200), quick=(10, 50)),
    'litec3d': dict(
        title='LiteC3D 32-256 channels, 16x32, batch 16',
        backbone=dict(type='LiteC3D', channels=(32, 64, 128, 128, 256),
                      clip_norm=False),
        head=dict(in_channels=256, proj_type='mlp', hidden_channels=256),
        queue_len=2048, clip_len=16, size=32, batch=16,
        iters=(5, 40), quick=(3, 10)),
    'r21d': dict(
        title='VCOPR2Plus1D 16x112, batch 4',
        backbone=dict(type='VCOPR2Plus1D'),
        head=dict(in_channels=512, proj_type='linear'),
        queue_len=16384, clip_len=16, size=112, batch=4,
        iters=(2, 6), quick=(1, 2)),
}

class SpeedViewBatches(Dataset):
    """``num_distinct`` fixed random samples, repeated ``length`` times.

    Each item is what the pipeline packs: ``inputs`` uint8 (3, 3, T, H, W)
    and a data sample whose ``speeds`` is ``[1, 1, 2]`` or ``[2, 2, 1]``.
    """

    def __init__(self, clip_len: int, size: int, length: int = 10**6,
                 num_distinct: int = 8) -> None:
        generator = torch.Generator().manual_seed(0)
        self.inputs = [
            torch.randint(0, 256, (3, 3, clip_len, size, size),
                          dtype=torch.uint8, generator=generator)
            for _ in range(num_distinct)
        ]
        self.length = length

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int) -> dict:
        sample = ActionDataSample()
        s_q = 1 + index % 2
        sample.set_field(torch.tensor([s_q, s_q, 3 - s_q]), 'speeds')
        return dict(inputs=self.inputs[index % len(self.inputs)],
                    data_samples=sample)


def build_model(case: dict) -> torch.nn.Module:
    """The RSPNet recognizer of a case, weights initialised (seed 0)."""
    init_default_scope('mmaction')
    torch.manual_seed(0)
    head = dict(feat_dim=128, temperature=0.07, **case['head'])
    model = MODELS.build(dict(
        type='RSPNet', backbone=case['backbone'],
        rsp_head=dict(type='RSPHead', margin=2.0, **head),
        avid_head=dict(type='AVIDHead', **head),
        queue_len=case['queue_len'],
        data_preprocessor=dict(type='ActionDataPreprocessor', mean=MEAN,
                               std=STD, format_shape='NCTHW')))
    model.init_weights()
    return model


def optimizer_cfg() -> dict:
    return dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4)


class PlainLoop:
    """A plain PyTorch training loop, one step at a time.

    Data preprocessor -> ``model(mode='loss')`` -> sum of the ``loss*``
    entries -> ``zero_grad``, ``backward``, ``step``, on batches of its own
    DataLoader (same dataset, sampler and seed as the runner's).
    """

    def __init__(self, model, dataset, batch: int) -> None:
        loader = DataLoader(dataset, batch_size=batch, num_workers=0,
                            sampler=InfiniteSampler(dataset, shuffle=True,
                                                    seed=0),
                            collate_fn=pseudo_collate)
        cfg = optimizer_cfg()
        cfg.pop('type')
        self.model = model
        self.optimizer = torch.optim.SGD(model.parameters(), **cfg)
        self.batches = iter(loader)
        self.seconds: List[float] = []

    def step(self) -> None:
        """One timed training iteration (data fetching included)."""
        start = time.perf_counter()
        self.model.train()
        data = self.model.data_preprocessor(next(self.batches), True)
        losses = self.model(**data, mode='loss')
        loss = sum(v for k, v in losses.items() if 'loss' in k)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.seconds.append(time.perf_counter() - start)


class AlternateWithPlainLoop(Hook):
    """Times each runner iteration, then runs one plain-loop iteration.

    A runner iteration is timed from the end of the previous plain step to
    the end of the last ``after_train_iter`` hook (this hook runs last), so
    it includes the runner's data fetching, ``train_step`` and all hooks.
    Alternating the two loops iteration by iteration exposes both to the
    same load of a shared machine.
    """
    priority = 'LOWEST'

    def __init__(self, plain: PlainLoop) -> None:
        self.plain = plain
        self.seconds: List[float] = []
        self._mark = 0.0

    def before_train(self, runner) -> None:
        self._mark = time.perf_counter()

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        self.seconds.append(time.perf_counter() - self._mark)
        self.plain.step()
        self._mark = time.perf_counter()


def build_runner(model, dataset, case: dict, max_iters: int, hook: Hook,
                 work_dir: str, tag: str) -> Runner:
    """A Runner with the project's runtime defaults (no checkpoints)."""
    runtime = Config.fromfile(str(REPO / 'configs' / '_base_' /
                                  'default_runtime.py'))
    hooks = copy.deepcopy(runtime.default_hooks)
    hooks['checkpoint'] = None
    hooks['logger']['interval'] = 10
    return Runner(
        model=model,
        work_dir=os.path.join(work_dir, tag),
        experiment_name=f'train_step_{tag}',
        train_dataloader=dict(
            dataset=dataset, batch_size=case['batch'], num_workers=0,
            sampler=dict(type='InfiniteSampler', shuffle=True, seed=0),
            collate_fn=dict(type='pseudo_collate')),
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=max_iters),
        optim_wrapper=dict(type='OptimWrapper', optimizer=optimizer_cfg()),
        default_hooks=hooks,
        custom_hooks=[hook],
        default_scope='mmaction',
        log_processor=dict(type='LogProcessor', window_size=10,
                           by_epoch=False),
        visualizer=dict(type='ActionVisualizer',
                        name=f'visualizer_{tag}',
                        vis_backends=[dict(type='LocalVisBackend')]),
        randomness=dict(seed=0),
        log_level='WARNING')


def cpu_case(name: str, quick: bool, work_dir: str) -> Dict:
    """Runner and plain-loop seconds per iteration of one case, measured
    alternately; the warm-up iterations of both are left out."""
    case = CASES[name]
    warmup, iters = case['quick'] if quick else case['iters']
    dataset = SpeedViewBatches(case['clip_len'], case['size'])
    initial = build_model(case)
    plain = PlainLoop(copy.deepcopy(initial), dataset, case['batch'])
    hook = AlternateWithPlainLoop(plain)
    runner = build_runner(initial, dataset, case, warmup + iters, hook,
                          work_dir, name)
    start = time.perf_counter()
    runner.train()
    runner_s = hook.seconds[warmup:]
    plain_s = plain.seconds[warmup:]
    n = len(runner_s)
    mean_runner, mean_plain = sum(runner_s) / n, sum(plain_s) / n
    diffs = [r - p for r, p in zip(runner_s, plain_s)]
    mean_diff = sum(diffs) / n
    spread = (sum((d - mean_diff)**2 for d in diffs) / max(n - 1, 1))**0.5
    print(f'  {name}: runner {mean_runner:.4f} s/it, plain '
          f'{mean_plain:.4f} s/it ({time.perf_counter() - start:.0f} s '
          'with warm-up)', flush=True)
    return dict(name=name, title=case['title'], warmup=warmup, iters=iters,
                runner=mean_runner, plain=mean_plain, diff_ms=1e3 * mean_diff,
                diff_ms_2se=2e3 * spread / n**0.5,
                overhead=100.0 * mean_diff / mean_plain,
                overhead_2se=200.0 * spread / n**0.5 / mean_plain)


def to_channels_last_3d(model: torch.nn.Module) -> None:
    """Store the 5D (Conv3d) weights channels-last; the convolutions then
    run channels-last. (``Module.to(memory_format=...)`` would also try
    the 4D tensors, which channels_last_3d refuses.)"""
    for param in model.parameters():
        if param.dim() == 5:
            param.data = param.data.contiguous(
                memory_format=torch.channels_last_3d)


def cpu_table(rows: List[Dict]) -> str:
    lines = ['| case | iterations (warm-up + timed) | runner s/it | plain '
             'loop s/it | runner - plain, ms/it (+-2 SE) | runner overhead '
             '(+-2 SE) |', '|---|---|---|---|---|---|']
    for r in rows:
        lines.append(
            f"| {r['title']} | {r['warmup']} + {r['iters']} | "
            f"{r['runner']:.4f} | {r['plain']:.4f} | {r['diff_ms']:+.1f} "
            f"(+-{r['diff_ms_2se']:.1f}) | {r['overhead']:+.1f}% "
            f"(+-{r['overhead_2se']:.1f}%) |")
    return '\n'.join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('--cases', nargs='+', default=list(CASES),
                        choices=list(CASES))
    parser.add_argument('--quick', action='store_true',
                        help='fewer iterations')
    parser.add_argument('--threads', type=int, default=1,
                        help='torch CPU threads (0: torch default); one '
                        'thread keeps a shared machine from stalling both '
                        'loops on OpenMP barriers')
    args = parser.parse_args(argv)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    print(f'machine: {describe_machine()}', flush=True)
    begin = time.perf_counter()
    rows = []
    with tempfile.TemporaryDirectory() as work_dir:
        for name in args.cases:
            rows.append(cpu_case(name, args.quick, work_dir))
    print(f'\ntotal {time.perf_counter() - begin:.0f} s\n')
    print('Seconds per training iteration (lower is better):\n')
    print(cpu_table(rows))
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
