"""Stop, or skip the step, when the training loss is NaN, infinite or
exploding."""
import logging
import math
import os.path as osp
from typing import Optional

import torch
from mmaction.registry import HOOKS
from mmengine.dist import all_reduce, get_world_size
from mmengine.hooks import Hook
from mmengine.logging import print_log

SKIPPED_KEY = 'non_finite_loss_skips'


class NonFiniteLossError(RuntimeError):
    """The training loss was NaN, infinite or above ``max_loss``."""


@HOOKS.register_module()
class NonFiniteLossHook(Hook):
    """Check the loss of every training step before it changes the weights.

    The check sits in front of the optimizer wrapper's ``update_params``
    (installed on this run's wrapper in ``before_train``, removed in
    ``after_train``; ``OptimWrapper`` and ``AmpOptimWrapper`` alike), so a
    bad loss never reaches backward or the optimizer. In ``'stop'`` mode
    it raises :class:`NonFiniteLossError` naming the iteration, the loss
    and the last checkpoint, which stays the last good one (nothing is
    saved after the bad step). In ``'skip'`` mode the step is skipped (no
    backward, no optimizer step) with a warning, and the skips are
    counted (``message_hub`` info ``non_finite_loss_skips``, kept in
    checkpoints). A skipped step's forward pass has still run, so what the
    model changes there (RSPNet's queue and momentum encoder, BatchNorm
    running statistics) may hold the bad values; when
    ``max_consecutive_skips`` steps in a row are bad the run stops as in
    ``'stop'`` mode. Under DDP the ranks agree (one all-reduce per step), so
    all stop or skip together.

    Args:
        mode (str): ``'stop'`` or ``'skip'``. Defaults to ``'stop'``.
        max_loss (float, optional): A finite loss above this also counts
            as bad (an exploding loss). Defaults to None (only NaN / inf).
        max_consecutive_skips (int): In ``'skip'`` mode, stop when this
            many steps in a row are bad. Defaults to 10.
    """
    priority = 'VERY_HIGH'

    def __init__(self, mode: str = 'stop',
                 max_loss: Optional[float] = None,
                 max_consecutive_skips: int = 10) -> None:
        if mode not in ('stop', 'skip'):
            raise ValueError(f"mode must be 'stop' or 'skip', got {mode!r}")
        self.mode = mode
        self.max_loss = max_loss
        self.max_consecutive_skips = max_consecutive_skips
        self.skipped = 0
        self._streak = 0
        self._wrapper = None

    def _is_bad(self, value: float) -> bool:
        return not math.isfinite(value) or (self.max_loss is not None
                                            and value > self.max_loss)

    def _bad_anywhere(self, loss: torch.Tensor) -> bool:
        value = float(loss.detach())
        bad = self._is_bad(value)
        if get_world_size() > 1:
            votes = torch.tensor([int(bad)], device=loss.device)
            all_reduce(votes)
            bad = bool(votes.item())
        return bad

    def before_train(self, runner) -> None:
        self.skipped = runner.message_hub.get_info(SKIPPED_KEY, 0)
        wrapper = runner.optim_wrapper
        update_params = wrapper.update_params

        def checked_update_params(loss, *args, **kwargs):
            if not self._bad_anywhere(loss):
                self._streak = 0
                return update_params(loss, *args, **kwargs)
            self._on_bad_loss(runner, float(loss.detach()))

        wrapper.update_params = checked_update_params
        self._wrapper = wrapper

    def after_train(self, runner) -> None:
        if self._wrapper is not None:
            del self._wrapper.update_params  # back to the class's method
            self._wrapper = None
        if self.skipped:
            print_log(f'NonFiniteLossHook: {self.skipped} training step(s) '
                      'were skipped for a bad loss', logger='current',
                      level=logging.WARNING)

    def _describe(self, runner, value: float) -> str:
        kind = ('not finite' if not math.isfinite(value) else
                f'above max_loss={self.max_loss}')
        return (f'loss = {value} ({kind}) at iteration {runner.iter + 1} '
                f'(epoch {runner.epoch + 1})')

    def _on_bad_loss(self, runner, value: float) -> None:
        self._streak += 1
        if self.mode == 'skip' and self._streak < self.max_consecutive_skips:
            self.skipped += 1
            runner.message_hub.update_info(SKIPPED_KEY, self.skipped)
            runner.optim_wrapper.zero_grad()
            print_log(f'{self._describe(runner, value)}: step skipped '
                      f'({self.skipped} so far)', logger='current',
                      level=logging.WARNING)
            return
        last = osp.join(runner.work_dir, 'last_checkpoint')
        good = (open(last).read().strip() if osp.isfile(last) else
                'none yet')
        streak = (f' (the {self._streak}th bad step in a row)'
                  if self.mode == 'skip' else '')
        raise NonFiniteLossError(
            f'{self._describe(runner, value)}{streak}: training stopped '
            'before this step changed the weights. Last good checkpoint: '
            f'{good} (continue from it with --resume, e.g. with a lower '
            "lr), or set default_hooks.non_finite_loss.mode='skip' to skip "
            'such steps')
