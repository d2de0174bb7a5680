"""Stop training once a wall-clock budget is spent."""
import time
from typing import Optional

from mmaction.registry import HOOKS
from mmengine.dist import broadcast_object_list, is_main_process
from mmengine.hooks import Hook
from tqdm import tqdm


@HOOKS.register_module()
class TimeBudgetHook(Hook):
    """End the train loop after ``seconds`` of training.

    The budget starts before the first training iteration. After each
    iteration rank 0 decides and the decision is broadcast, so every
    process stops at the same iteration. An iteration-based loop is
    shortened so that the current iteration is its last one (the
    ``CheckpointHook``, which runs after this hook, then writes the last
    checkpoint as usual); an epoch-based loop stops after the current
    epoch (``train_loop.stop_training``, as ``EarlyStoppingHook`` does).

    Args:
        seconds (float): Training time allowed, > 0.
        check_interval (int): Check every this many iterations. Defaults
            to 1.
        progress (bool): Show a progress bar over the budget on rank 0,
            with the latest losses and accuracies. Defaults to False.
    """
    priority = 'LOW'  # before CheckpointHook (VERY_LOW)

    def __init__(self, seconds: float, check_interval: int = 1,
                 progress: bool = False) -> None:
        if seconds <= 0:
            raise ValueError(f'seconds must be > 0, got {seconds}')
        if check_interval < 1:
            raise ValueError(
                f'check_interval must be >= 1, got {check_interval}')
        self.seconds = float(seconds)
        self.check_interval = check_interval
        self.progress = progress
        self._bar = None
        self._start: Optional[float] = None
        self.stopped_at_iter: Optional[int] = None

    def before_train(self, runner) -> None:
        self._start = time.monotonic()
        if self.progress and is_main_process():
            self._bar = tqdm(total=int(self.seconds), unit='s',
                             desc='pretraining', dynamic_ncols=True)

    def _show(self, runner, outputs) -> None:
        if self._bar is None:
            return
        elapsed = min(int(time.monotonic() - self._start), self._bar.total)
        self._bar.update(elapsed - self._bar.n)
        if outputs:
            shown = {k: f'{_scalar(v):.3f}' for k, v in outputs.items()
                     if k in ('loss_rsp', 'loss_avid', 'rsp_acc')}
            self._bar.set_postfix(it=runner.iter + 1, **shown)

    def after_train(self, runner) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        self._show(runner, outputs)
        if (runner.iter + 1) % self.check_interval:
            return
        decision = [time.monotonic() - self._start >= self.seconds]
        broadcast_object_list(decision, src=0)
        if decision[0]:
            self.stopped_at_iter = runner.iter + 1
            loop = runner.train_loop
            if hasattr(loop, '_max_iters'):  # IterBasedTrainLoop
                loop._max_iters = self.stopped_at_iter
            loop.stop_training = True
            runner.logger.info(
                f'TimeBudgetHook: {self.seconds:.0f} s spent, training '
                f'stops after iteration {self.stopped_at_iter}')


def _scalar(value) -> float:
    """A logged output as a float (a loss tensor detached first)."""
    return float(value.detach() if hasattr(value, 'detach') else value)
