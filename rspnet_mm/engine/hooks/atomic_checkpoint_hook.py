"""Checkpoints that survive crashes and pre-emption."""
import logging
import os.path as osp
from collections import deque
from typing import List, Optional, Sequence

from mmaction.registry import HOOKS
from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook
from mmengine.logging import print_log
from mmengine.runner import EpochBasedTrainLoop

from .. import checkpoint_files
from ..checkpoint_files import LATEST_NAME
from ..stop_signals import StopSignalListener


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """``CheckpointHook`` that never leaves a broken checkpoint behind, keeps
    a rolling ``latest.pth`` and saves before a SIGTERM / SIGUSR1 stop.

    Against mmengine's ``CheckpointHook`` (all of whose arguments it takes):

    * files go through the ``atomic_local`` backend (temporary file, fsync,
      rename) for a local ``out_dir`` when ``backend_args`` is not given,
      and ``last_checkpoint`` is rewritten atomically;
    * a checkpoint that falls out of ``max_keep_ckpts`` is deleted only
      after the new one and ``last_checkpoint`` are written (mmengine
      deletes it first, so a crash while saving can leave none);
    * every ``latest_interval`` iterations, whatever ``by_epoch`` is,
      ``latest.pth`` is rewritten (never deleted) and ``last_checkpoint``
      names it, so ``--resume`` loses at most that many iterations, also
      inside the long epochs between milestones;
    * on one of ``stop_signals`` the run writes ``latest.pth`` after the
      current iteration and stops: the train loops of
      :mod:`rspnet_mm.engine.loops` end there, mid-epoch too; a stock
      ``IterBasedTrainLoop`` stops through ``stop_training``; a stock
      ``EpochBasedTrainLoop`` cannot stop mid-epoch, so the hook raises
      ``SystemExit`` after saving.

    Args:
        latest_interval (int, optional): Iterations between rewrites of
            ``latest.pth``; None for none. Defaults to None.
        stop_signals (Sequence[str]): Signals meaning "save and stop".
            Defaults to ``('SIGTERM', 'SIGUSR1')``; ``()`` leaves the
            handlers alone.
        max_keep_ckpts (int): Numbered checkpoints to keep (-1: all).
            Defaults to -1.
        **kwargs: The other ``CheckpointHook`` arguments.
    """

    def __init__(self, *args, latest_interval: Optional[int] = None,
                 stop_signals: Sequence[str] = ('SIGTERM', 'SIGUSR1'),
                 max_keep_ckpts: int = -1, **kwargs) -> None:
        if latest_interval is not None and latest_interval < 1:
            raise ValueError(
                f'latest_interval must be >= 1 or None, got {latest_interval}')
        # the parent never deletes: this class does, after saving
        super().__init__(*args, max_keep_ckpts=-1, **kwargs)
        self.max_keep = max_keep_ckpts
        self.latest_interval = latest_interval
        self.listener = StopSignalListener(stop_signals)
        self._kept: deque = deque()
        self._saved_iter: Optional[int] = None

    def before_train(self, runner) -> None:
        out_dir = str(self.out_dir or runner.work_dir)
        if (self.backend_args is None and self.file_client_args is None
                and '://' not in out_dir):
            self.backend_args = dict(backend='atomic_local')
        super().before_train(runner)
        self._kept = deque(runner.message_hub.get_info('keep_ckpt_ids', []))
        for step in self._steps_to_delete():
            self._delete(step)
        self.listener.install()

    def after_train(self, runner) -> None:
        self.listener.uninstall()
        super().after_train(runner)

    def _steps_to_delete(self) -> List[int]:
        if self.max_keep <= 0:
            return []
        return [self._kept.popleft()
                for _ in range(len(self._kept) - self.max_keep)]

    def _delete(self, step: int) -> None:
        if not is_main_process():
            return
        path = self.file_backend.join_path(self.out_dir,
                                           self.filename_tmpl.format(step))
        if self.file_backend.isfile(path):
            self.file_backend.remove(path)
        elif self.file_backend.isdir(path):
            self.file_backend.rmtree(path)  # deepspeed checkpoints

    def _point_last_checkpoint(self, runner, path: str) -> None:
        runner.message_hub.update_info('last_ckpt', path)
        if is_main_process():
            checkpoint_files.atomic_write_bytes(
                osp.join(runner.work_dir, 'last_checkpoint'),
                str(path).encode())

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        outdated = []
        if self.max_keep > 0 and not (self._kept and self._kept[-1] == step):
            self._kept.append(step)
            outdated = self._steps_to_delete()
            runner.message_hub.update_info('keep_ckpt_ids', list(self._kept))
        super()._save_checkpoint_with_step(runner, step, meta)
        self._saved_iter = meta['iter']
        self._point_last_checkpoint(runner, self.last_ckpt)
        for old in outdated:
            self._delete(old)

    def save_latest(self, runner) -> str:
        """Write ``latest.pth`` for the iteration that just ended.

        Returns:
            str: Its path.
        """
        meta = dict(epoch=runner.epoch, iter=runner.iter + 1)
        runner.save_checkpoint(
            self.out_dir, LATEST_NAME, self.file_client_args,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler, meta=meta,
            by_epoch=False, backend_args=self.backend_args, **self.args)
        path = self.file_backend.join_path(self.out_dir, LATEST_NAME)
        self._saved_iter = meta['iter']
        self._point_last_checkpoint(runner, path)
        return path

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        super().after_train_iter(runner, batch_idx, data_batch, outputs)
        stop = self.listener.received()
        due = self.latest_interval is not None and self.every_n_train_iters(
            runner, self.latest_interval)
        path = self.last_ckpt
        if (stop or due) and self._saved_iter != runner.iter + 1:
            path = self.save_latest(runner)
        if stop:
            self._stop(runner, path)

    def _stop(self, runner, path: str) -> None:
        message = (f'{self.listener.name}: saved {path} after iteration '
                   f'{runner.iter + 1}; training stops (continue with '
                   '--resume)')
        print_log(message, logger='current', level=logging.WARNING)
        loop = runner.train_loop
        if hasattr(loop, 'interrupted'):
            loop.interrupted = True
        elif isinstance(loop, EpochBasedTrainLoop):  # cannot stop mid-epoch
            self.listener.uninstall()
            raise SystemExit(message)
        else:
            loop.stop_training = True  # a stock IterBasedTrainLoop
