"""A tqdm progress bar over the iterations of train, val and test loops."""
from typing import Optional

from mmaction.registry import HOOKS
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from tqdm import tqdm


@HOOKS.register_module()
class LoopProgressBarHook(Hook):
    """Show a progress bar (rank 0 only) while a loop runs.

    The train bar counts iterations of an iteration-based loop (or of the
    whole run for an epoch-based one); val and test bars count batches.

    Args:
        desc (str, optional): Text in front of the bar. Defaults to the
            loop's name ('train' / 'val' / 'test').
    """
    priority = 'VERY_LOW'

    def __init__(self, desc: Optional[str] = None) -> None:
        self.desc = desc
        self._bar = None

    def _open(self, runner, loop_name: str, total: int) -> None:
        if not is_main_process():
            return
        self._bar = tqdm(total=total, desc=self.desc or loop_name,
                         unit='it' if loop_name == 'train' else 'batch',
                         dynamic_ncols=True)

    def _step(self) -> None:
        if self._bar is not None:
            self._bar.update(1)

    def _close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def before_train(self, runner) -> None:
        self._open(runner, 'train', runner.max_iters - runner.iter)

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        self._step()

    def after_train(self, runner) -> None:
        self._close()

    def before_test_epoch(self, runner) -> None:
        self._open(runner, 'test', len(runner.test_dataloader))

    def after_test_iter(self, runner, batch_idx, data_batch=None,
                        outputs=None) -> None:
        self._step()

    def after_test_epoch(self, runner, metrics=None) -> None:
        self._close()

    def before_val_epoch(self, runner) -> None:
        self._open(runner, 'val', len(runner.val_dataloader))

    def after_val_iter(self, runner, batch_idx, data_batch=None,
                       outputs=None) -> None:
        self._step()

    def after_val_epoch(self, runner, metrics=None) -> None:
        self._close()
