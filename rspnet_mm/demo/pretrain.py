"""Run the demo's RSPNet pretraining and read back its training curves."""
import glob
import json
import os.path as osp
import time
from typing import Dict, List, Optional

from mmengine.config import Config
from mmengine.runner import Runner

PRETRAIN_CONFIG = 'configs/rspnet_litec3d_synthetic.py'
#: rsp_acc_last / avid_acc_last average the logged values of this many
#: final iterations (one logged value per 10-iteration window).
LAST_ITERS = 50


def pretrain(repo_root: str, data_dir: str, work_dir: str, seconds: float,
             options: Optional[dict] = None) -> Dict[str, object]:
    """Pretrain RSPNet on the synthetic set for a wall-clock budget.

    Args:
        repo_root (str): Repository root (for the config path).
        data_dir (str): Output folder of the synthetic generator.
        work_dir (str): Work dir of the run (checkpoint, logs).
        seconds (float): Training budget (TimeBudgetHook).
        options (dict | None): Config overrides merged last, as
            ``--cfg-options`` does (e.g. ``{'model.bn_splits': 1}``).

    Returns:
        dict: ``config``, ``checkpoint`` (last), ``seconds``, ``iters`` and
        ``curves`` (the logged scalars).
    """
    config = osp.join(repo_root, PRETRAIN_CONFIG)
    cfg = Config.fromfile(config)
    cfg.work_dir = work_dir
    cfg.train_dataloader.dataset.ann_file = osp.join(data_dir,
                                                     'train_list.txt')
    cfg.train_dataloader.dataset.data_prefix = dict(
        video=osp.join(data_dir, 'videos'))
    # the representation monitor scores the backbone on the val split
    cfg.val_dataloader.dataset.ann_file = osp.join(data_dir, 'val_list.txt')
    cfg.val_dataloader.dataset.data_prefix = dict(
        video=osp.join(data_dir, 'videos'))
    cfg.custom_hooks = [
        dict(type='TimeBudgetHook', seconds=seconds, progress=True),
        dict(type='RNGStateHook')
    ]
    cfg.log_level = 'WARNING'  # the progress bar shows the losses
    cfg.merge_from_dict(options or {})
    runner = Runner.from_cfg(cfg)
    start = time.monotonic()
    runner.train()
    elapsed = time.monotonic() - start
    curves = read_scalars(work_dir)
    return dict(config=PRETRAIN_CONFIG,
                checkpoint=osp.join(work_dir, f'iter_{runner.iter}.pth'),
                seconds=elapsed, iters=runner.iter, curves=curves)


def read_scalars(work_dir: str) -> List[dict]:
    """The training records mmengine's LocalVisBackend wrote (newest run).

    Args:
        work_dir (str): Work dir of the run.

    Returns:
        list[dict]: One dict per logged iteration (``step``, ``loss``,
        ``loss_rsp``, ``rsp_acc``, ...).
    """
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                      'scalars.json')))
    if not files:
        raise FileNotFoundError(f'no vis_data/scalars.json under {work_dir}')
    with open(files[-1]) as f:
        return [json.loads(line) for line in f if line.strip()]


def monitor_records(curves: List[dict]) -> List[dict]:
    """The representation monitor's records (``knn_top1``, ...) by step."""
    return [c for c in curves if 'knn_top1' in c]


def summarise(curves: List[dict], iters: int, seconds: float) -> dict:
    """The ``pretrain`` block of summary.json.

    Args:
        curves (list[dict]): Logged training and monitor records.
        iters (int): Iterations run.
        seconds (float): Training wall time.

    Returns:
        dict: loss_first, loss_last, rsp_acc_last, avid_acc_last (means
        over the last ``LAST_ITERS`` iterations), iters, seconds, and
        ``monitor``: the monitor's ``steps``, ``knn_top1``,
        ``retrieval_r1``, ``retrieval_r5`` (fractions), ``seconds_each``
        (mean time of one evaluation) and ``share`` (of the training time).
    """
    train = [c for c in curves if 'loss' in c]
    if not train:
        raise ValueError('no training records were logged')
    last = [c for c in train if c['step'] > train[-1]['step'] - LAST_ITERS]

    def mean(key):
        return sum(c[key] for c in last) / len(last)

    monitored = monitor_records(curves)
    monitor = {key: [c[key] for c in monitored]
               for key in ('knn_top1', 'retrieval_r1', 'retrieval_r5')}
    spent = sum(c['monitor_seconds'] for c in monitored)
    monitor.update(steps=[c['step'] for c in monitored],
                   seconds_each=spent / max(len(monitored), 1),
                   share=spent / seconds if seconds > 0 else 0.0)
    return dict(loss_first=train[0]['loss'], loss_last=train[-1]['loss'],
                rsp_acc_last=mean('rsp_acc'), avid_acc_last=mean('avid_acc'),
                iters=iters, seconds=seconds, monitor=monitor)
