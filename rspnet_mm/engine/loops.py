"""Train loops that resume inside an epoch with the next unseen batch.

On ``--resume`` mmengine's ``EpochBasedTrainLoop`` starts the interrupted
epoch again from its first batch, and ``IterBasedTrainLoop`` loads (decodes)
and drops every batch it had trained on before it continues. These loops
are the stock ones except that:

* on resume, the sampler is told to skip the samples already used
  (``ResumableSampler`` / ``ResumableInfiniteSampler``: nothing is loaded
  for them); a sampler without ``skip_next`` falls back to loading and
  dropping the seen batches, with a warning saying so;
* the batch layout (batch size, world size, batches per epoch, seed) is
  kept in the message hub, so checkpoints carry it and a resume with a
  different layout says that the data order changes;
* ``interrupted = True`` (set by ``AtomicCheckpointHook`` on SIGTERM or
  SIGUSR1) ends the loop after the current iteration, also mid-epoch,
  without the end-of-epoch hooks (no ``epoch_N.pth`` for a partial epoch)
  or validation.
"""
import itertools
import logging
from typing import Iterator, Optional

import torch
from mmaction.registry import LOOPS
from mmengine.dist import get_world_size
from mmengine.logging import print_log
from mmengine.runner import EpochBasedTrainLoop, IterBasedTrainLoop

LAYOUT_KEY = 'train_data_layout'


def data_layout(loop) -> dict:
    """What a position in the data stream means for ``loop``'s dataloader.

    Returns:
        dict: ``batch_size``, ``world_size``, ``batches_per_epoch`` and
        the sampler's ``seed``.
    """
    loader = loop.dataloader
    batch_size = loader.batch_size or getattr(loader.batch_sampler,
                                              'batch_size', None)
    return dict(batch_size=batch_size, world_size=get_world_size(),
                batches_per_epoch=len(loader),
                seed=getattr(loader.sampler, 'seed', None))


class _ResumesMidEpoch:
    """What both loops add: find the position, tell the sampler, stop on
    request."""
    interrupted = False
    #: True while a resumed loop loads and drops the batches it had used
    #: (the RNGStateHook then restores torch's generator only).
    replays_seen_batches = False

    def _saved_layout(self) -> Optional[dict]:
        """The checkpoint's layout (read before this run records its own)."""
        hub = self.runner.message_hub
        saved = hub.get_info(LAYOUT_KEY) if self._iter > 0 else None
        hub.update_info(LAYOUT_KEY, data_layout(self))
        return saved

    def _prepare_skip(self, batches: int, saved: Optional[dict]) -> bool:
        """Make the next pass over the dataloader start after ``batches``
        batches.

        Returns:
            bool: True when the seen batches must be loaded and dropped
            (the sampler cannot skip).
        """
        layout = data_layout(self)
        if saved is not None:
            changed = {k: (saved.get(k), v) for k, v in layout.items()
                       if saved.get(k) != v}
            if changed:
                print_log(
                    'Resuming with a different data layout '
                    + ', '.join(f'{k}: {a} -> {b}'
                                for k, (a, b) in changed.items())
                    + ': the batches after the resume point are not the '
                    'ones the interrupted run would have seen',
                    logger='current', level=logging.WARNING)
        if batches <= 0:
            return False
        sampler = self.dataloader.sampler
        where = (f'iteration {self._iter}' if isinstance(
            self, IterBasedTrainLoop) else
            f'batch {batches} of epoch {self._epoch + 1}')
        if hasattr(sampler, 'skip_next'):
            sampler.skip_next(batches * layout['batch_size'])
            print_log(f'Resuming at {where}: the sampler skips the '
                      f'{batches} batches already trained on (nothing is '
                      'loaded for them)', logger='current')
            return False
        print_log(
            f'Resuming at {where}: {type(sampler).__name__} cannot start '
            f'part-way, so the {batches} batches already trained on are '
            'loaded and dropped first; use ResumableSampler or '
            'ResumableInfiniteSampler (rspnet_mm.engine.samplers) to skip '
            'them', logger='current', level=logging.WARNING)
        return True

    @staticmethod
    def _drop(batches: Iterator, count: int) -> Iterator:
        return itertools.islice(batches, count, None)


@LOOPS.register_module()
class ResumableEpochBasedTrainLoop(_ResumesMidEpoch, EpochBasedTrainLoop):
    """``EpochBasedTrainLoop`` that resumes with the next unseen batch of
    the interrupted epoch (same arguments)."""

    def run(self):
        """Train up to ``max_epochs``, starting mid-epoch after a resume."""
        self.runner.call_hook('before_train')
        saved = self._saved_layout()
        per_epoch = (saved or {}).get('batches_per_epoch') or len(
            self.dataloader)
        done = min(max(self._iter - self._epoch * per_epoch, 0), per_epoch)
        self.replays_seen_batches = self._prepare_skip(done, saved)
        self._start_batch = done
        while (self._epoch < self._max_epochs and not self.stop_training
               and not self.interrupted):
            self.run_epoch()
            if self.interrupted:
                break
            self._decide_current_val_interval()
            if (self.runner.val_loop is not None
                    and self._epoch >= self.val_begin
                    and (self._epoch % self.val_interval == 0
                         or self._epoch == self._max_epochs)):
                self.runner.val_loop.run()
        self.runner.call_hook('after_train')
        return self.runner.model

    def run_epoch(self) -> None:
        """One epoch, or its rest after a resume."""
        self.runner.call_hook('before_train_epoch')
        self.runner.model.train()
        start, self._start_batch = getattr(self, '_start_batch', 0), 0
        if start:
            # making the iterator draws the loader's base seed from torch's
            # generator, which the uninterrupted run did at the epoch start,
            # before the state RNGStateHook restored
            rng = torch.get_rng_state()
            batches = iter(self.dataloader)
            torch.set_rng_state(rng)
        else:
            batches = iter(self.dataloader)
        if self.replays_seen_batches:
            batches = self._drop(batches, start)
            self.replays_seen_batches = False
        for idx, data_batch in enumerate(batches, start):
            self.run_iter(idx, data_batch)
            if self.interrupted:
                return
        self.runner.call_hook('after_train_epoch')
        self._epoch += 1


@LOOPS.register_module()
class ResumableIterBasedTrainLoop(_ResumesMidEpoch, IterBasedTrainLoop):
    """``IterBasedTrainLoop`` that resumes without loading the batches it
    had trained on (same arguments)."""

    def run(self):
        """Train up to ``max_iters``, continuing the data stream after a
        resume."""
        self.runner.call_hook('before_train')
        saved = self._saved_layout()
        self.replays_seen_batches = self._prepare_skip(self._iter, saved)
        if self._iter > 0 and not self.replays_seen_batches:
            # the iterator made at construction predates the skip
            self.dataloader_iterator = type(self.dataloader_iterator)(
                self.dataloader)
        self.runner.call_hook('before_train_epoch')
        if self.replays_seen_batches:
            for _ in range(self._iter):
                next(self.dataloader_iterator)
        while (self._iter < self._max_iters and not self.stop_training
               and not self.interrupted):
            self.runner.model.train()
            self.run_iter(next(self.dataloader_iterator))
            self._decide_current_val_interval()
            if (self.runner.val_loop is not None and not self.interrupted
                    and self._iter >= self.val_begin
                    and (self._iter % self.val_interval == 0
                         or self._iter == self._max_iters)):
                self.runner.val_loop.run()
        self.runner.call_hook('after_train_epoch')
        self.runner.call_hook('after_train')
        return self.runner.model
