"""A runner whose ``--resume`` says exactly what it resumes, or that it
cannot, and whose distributed runs pick gloo where there is no CUDA.

mmengine's ``Runner.load_or_resume`` prints "Auto resumed from the latest
checkpoint None." and trains from scratch when the work dir holds no
checkpoint, trusts ``last_checkpoint`` even when it names a truncated
file, and restores the learning-rate schedule of the checkpoint without a
word when the config's run length changed. Its ``setup_env`` initialises
NCCL (the config default) on a machine without CUDA, which fails with
torch's "Distributed package doesn't have NCCL built in".
"""
import json
import logging
import os
import os.path as osp
import re
from typing import List, Optional

import torch
from mmaction.registry import RUNNERS
from mmengine.logging import print_log
from mmengine.runner import EpochBasedTrainLoop, Runner

from .checkpoint_files import LATEST_NAME, find_latest_complete_checkpoint
from .stop_signals import protect_workers

_RUN_DIR = re.compile(r'^\d{8}_\d{6}$')


def last_logged_iter(run_dir: str) -> Optional[int]:
    """The last training iteration a run logged to its ``scalars.json``.

    Args:
        run_dir (str): A run's ``work_dir/<timestamp>`` folder.

    Returns:
        int | None: None when it logged none.
    """
    path = osp.join(run_dir, 'vis_data', 'scalars.json')
    if not osp.isfile(path):
        return None
    last = None
    with open(path) as f:
        for line in f:
            try:
                last = json.loads(line).get('iter', last)
            except ValueError:
                pass  # a line cut by the interruption
    return last


def nothing_to_resume_message(work_dir: str, this_run: str) -> str:
    """Why ``--resume`` starts from scratch in ``work_dir``.

    Args:
        work_dir (str): The work dir without a checkpoint.
        this_run (str): The current run's timestamp (its folder is not an
            earlier run).

    Returns:
        str: The message, naming earlier runs that stopped before their
        first checkpoint.
    """
    earlier: List[str] = []
    names = sorted(os.listdir(work_dir)) if osp.isdir(work_dir) else []
    for name in names:
        run_dir = osp.join(work_dir, name)
        if (_RUN_DIR.match(name) and name != this_run
                and osp.isfile(osp.join(run_dir, f'{name}.log'))):
            it = last_logged_iter(run_dir)
            earlier.append(f'{name} (logged up to iteration {it})'
                           if it else f'{name} (logged no iteration)')
    message = (f'--resume: nothing to resume from in {work_dir}: there is '
               f'no checkpoint (no last_checkpoint, epoch_N.pth, iter_N.pth '
               f'or {LATEST_NAME}). ')
    if earlier:
        message += ('The earlier run(s) ' + ', '.join(earlier) + ' stopped '
                    'before writing their first checkpoint; that progress '
                    'is lost. ')
    return message + 'Training starts from iteration 0.'


def describe_schedulers(schedulers) -> str:
    """``'CosineAnnealingLR ends at epoch 200, ...'`` for a runner's
    ``param_schedulers`` (a list, or a dict of lists)."""
    if isinstance(schedulers, dict):
        schedulers = [s for group in schedulers.values() for s in group]
    return ', '.join(
        f'{type(s).__name__} ends at '
        f'{"epoch" if s.by_epoch else "iteration"} {s.end}'
        for s in schedulers or []) or 'no schedulers'


@RUNNERS.register_module()
class CheckedRunner(Runner):
    """``Runner`` with an honest ``--resume`` and a CPU-aware distributed
    backend (selected by ``runner_type`` in
    ``configs/_base_/default_runtime.py``; MMAction2's ``tools/train.py``
    builds it too).

    * DataLoader workers live through SIGTERM / SIGUSR1 (Slurm signals
      every process of a step) until the main process has saved and exits;
    * a distributed run (``--launcher`` other than ``none``) whose
      ``env_cfg.dist_cfg.backend`` is ``nccl`` (or unset) uses ``gloo``
      when CUDA is not available, and logs that it does;

    * ``--resume`` without a path resumes from the newest *complete*
      checkpoint (``find_latest_complete_checkpoint``: ``last_checkpoint``
      if it is whole, else the newest whole ``latest.pth`` /
      ``epoch_N.pth`` / ``iter_N.pth``) and logs which;
    * with none, it warns that there is nothing to resume from (naming
      earlier runs of the work dir that stopped before their first
      checkpoint, and the last iteration they logged) and starts from
      iteration 0;
    * after resuming, when the config's ``max_epochs`` (epoch loop) or
      ``max_iters`` (iteration loop) differs from the checkpoint's, it
      warns that the learning-rate schedule keeps the checkpoint's length
      (it is not rescaled).
    """

    def build_dataloader(self, dataloader, seed=None, diff_rank_seed=False):
        """mmengine's, with workers that survive a "save and stop" signal
        (:func:`~rspnet_mm.engine.stop_signals.protect_workers`)."""
        loader = Runner.build_dataloader(dataloader, seed=seed,
                                         diff_rank_seed=diff_rank_seed)
        if loader.num_workers > 0:
            loader.worker_init_fn = protect_workers(loader.worker_init_fn)
        return loader

    def setup_env(self, env_cfg: dict) -> None:
        dist_cfg = dict(env_cfg.get('dist_cfg') or {})
        if (self.launcher != 'none' and not torch.cuda.is_available()
                and dist_cfg.get('backend', 'nccl') == 'nccl'):
            print_log('No CUDA on this machine: the distributed backend is '
                      'gloo instead of nccl (set env_cfg.dist_cfg.backend to '
                      'choose)', logger='current', level=logging.WARNING)
            env_cfg = dict(env_cfg, dist_cfg=dict(dist_cfg, backend='gloo'))
        super().setup_env(env_cfg)

    def load_or_resume(self) -> None:
        if self._has_loaded:
            return
        if self._resume and self._load_from is None:
            path = find_latest_complete_checkpoint(self.work_dir)
            if path is None:
                self.logger.warning(
                    nothing_to_resume_message(self.work_dir, self.timestamp))
                return
            self.logger.info(f'--resume: resuming from {path}, the latest '
                             f'checkpoint in {self.work_dir}')
            self._load_from = path
        super().load_or_resume()
        if self._resume and self._has_loaded:
            self._warn_if_length_changed()

    def _warn_if_length_changed(self) -> None:
        loop = self.train_loop
        key, new = (('max_epochs', loop.max_epochs)
                    if isinstance(loop, EpochBasedTrainLoop) else
                    ('max_iters', loop.max_iters))
        old = self.message_hub.get_info(key)
        if old is None or old == new:
            return
        after = ('from then on the lr stays at its final value'
                 if new > old else 'training stops before it ends')
        self.logger.warning(
            f'--resume: the checkpoint {self._load_from} was trained with '
            f'{key}={old}, the config says {key}={new}. The learning-rate '
            'schedule restored from the checkpoint keeps its old length '
            f'({describe_schedulers(self.param_schedulers)}); it is not '
            f'rescaled: {after}. For a schedule of the new length, start a '
            'new run from the weights (load_from=CHECKPOINT, without '
            '--resume).')
