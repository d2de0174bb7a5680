"""Stop training once a wall-clock budget is spent."""
import time
from typing import Optional

from mmengine.dist import broadcast_object_list
from mmengine.hooks import Hook

from mmaction.registry import HOOKS


@HOOKS.register_module()
class TimeBudgetHook(Hook):
    """End the train loop after ``seconds`` of training.

    The budget starts before the first training iteration. After each
    iteration rank 0 decides and the decision is broadcast, so every
    process stops at the same iteration. The loop ends the way mmengine's
    ``EarlyStoppingHook`` ends it (``train_loop.stop_training``), so the
    usual after-train hooks (last checkpoint, logs) still run.

    Args:
        seconds (float): Training time allowed, > 0.
        check_interval (int): Check every this many iterations. Defaults
            to 1.
    """
    priority = 'LOWEST'

    def __init__(self, seconds: float, check_interval: int = 1) -> None:
        if seconds <= 0:
            raise ValueError(f'seconds must be > 0, got {seconds}')
        if check_interval < 1:
            raise ValueError(
                f'check_interval must be >= 1, got {check_interval}')
        self.seconds = float(seconds)
        self.check_interval = check_interval
        self._start: Optional[float] = None
        self.stopped_at_iter: Optional[int] = None

    def before_train(self, runner) -> None:
        self._start = time.monotonic()

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        if (runner.iter + 1) % self.check_interval:
            return
        decision = [time.monotonic() - self._start >= self.seconds]
        broadcast_object_list(decision, src=0)
        if decision[0]:
            self.stopped_at_iter = runner.iter + 1
            runner.train_loop.stop_training = True
            runner.logger.info(
                f'TimeBudgetHook: {self.seconds:.0f} s spent, training '
                f'stops after iteration {self.stopped_at_iter}')
