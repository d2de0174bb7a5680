"""Seconds per iteration of the demo's pretraining, by DataLoader workers.

Trains ``configs/rspnet_litec3d_synthetic.py`` through the demo's own
``rspnet_mm.demo.pretrain.pretrain`` (real decoding, time budget, monitor)
on the demo's data set (``tools/demo.py``'s generator settings, ``--scene``),
once per worker count and repeat, taking turns (0, 2, 0, 2, ...), so a busy
machine slows each alike. Per run: the mean of mmengine's logged ``time``
(one iteration, with its data fetching) and ``data_time`` (waiting for the
batch) after the first 30 iterations, and the iterations in the budget.

Usage: ``python tools/benchmark/demo_workers.py [--seconds 60]
[--repeats 2] [--workers 0 2] [--data-dir DIR]`` (about
``seconds x repeats x len(workers)`` plus 30 s to generate the data).
"""
import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine_info import describe_machine  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SKIP_ITERS = 30  # the first backward passes are several times slower


def logged_times(work_dir: Path) -> Dict[str, float]:
    """Mean ``time`` and ``data_time`` of a run after ``SKIP_ITERS``."""
    scalars = sorted(work_dir.glob('*/vis_data/scalars.json'))[-1]
    records = [json.loads(line) for line in scalars.read_text().splitlines()
               if '"data_time"' in line]
    steady = [r for r in records if r['step'] > SKIP_ITERS]
    if not steady:
        raise RuntimeError(f'{scalars}: no iteration after {SKIP_ITERS} was '
                           'logged; give the runs more --seconds')
    return {key: statistics.mean(r[key] for r in steady)
            for key in ('time', 'data_time')}


def run_once(data_dir: str, workers: int, seconds: float,
             work_dir: Path) -> Dict:
    from rspnet_mm.demo import pretrain
    run = pretrain.pretrain(str(REPO), data_dir, str(work_dir), seconds, {
        'train_dataloader.num_workers': workers,
        'train_dataloader.persistent_workers': workers > 0})
    return dict(workers=workers, iters=run['iters'],
                **logged_times(work_dir))


def table(runs: List[Dict], seconds: float, machine: str) -> str:
    workers = sorted({r['workers'] for r in runs})
    base = statistics.mean(r['time'] for r in runs
                           if r['workers'] == workers[0])
    lines = [f'Machine: {machine}', '',
             f'| workers | runs | s / iteration | waiting for data, s | '
             f'iterations in {seconds:.0f} s | time vs {workers[0]} '
             'workers |', '|---|---|---|---|---|---|']
    for w in workers:
        mine = [r for r in runs if r['workers'] == w]
        step = statistics.mean(r['time'] for r in mine)
        lines.append(
            f'| {w} | {len(mine)} | {step:.3f} | '
            f"{statistics.mean(r['data_time'] for r in mine):.3f} | "
            f"{', '.join(str(r['iters']) for r in mine)} | "
            f'{step / base:.2f}x |')
    return '\n'.join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('--seconds', type=float, default=60.0,
                        help='training budget of each run')
    parser.add_argument('--repeats', type=int, default=2)
    parser.add_argument('--workers', type=int, nargs='+', default=[0, 2])
    parser.add_argument('--scene', choices=('plain', 'footage'),
                        default='footage')
    parser.add_argument('--data-dir', default=None,
                        help='a demo data set, reused when it was made '
                        'for --scene and generated there otherwise (as '
                        'tools/demo.py does; default: a temporary folder)')
    args = parser.parse_args(argv)
    from rspnet_mm.testing.recipes import load_tool
    demo = load_tool('demo')
    machine = describe_machine()
    print(f'machine: {machine}', flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or str(Path(tmp) / 'data')
        demo.make_data(demo.parse_args(
            ['--data-dir', data_dir, '--scene', args.scene]))
        runs = []
        for repeat in range(args.repeats):
            for w in args.workers:
                runs.append(run_once(data_dir, w, args.seconds,
                                     Path(tmp) / f'run_{repeat}_{w}'))
                print(f'[bench] {runs[-1]}', flush=True)
    print('\n' + table(runs, args.seconds, machine))
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
