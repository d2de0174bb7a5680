"""A tqdm progress bar over the iterations of test and validation loops."""
from typing import Optional

from mmaction.registry import HOOKS
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from tqdm import tqdm


@HOOKS.register_module()
class LoopProgressBarHook(Hook):
    """Show a progress bar (rank 0 only) while a test or val loop runs.

    Args:
        desc (str, optional): Text in front of the bar. Defaults to the
            loop's name ('test' / 'val').
    """
    priority = 'VERY_LOW'

    def __init__(self, desc: Optional[str] = None) -> None:
        self.desc = desc
        self._bar = None

    def _open(self, runner, loop_name: str) -> None:
        if not is_main_process():
            return
        loader = getattr(runner, f'{loop_name}_dataloader')
        self._bar = tqdm(total=len(loader), desc=self.desc or loop_name,
                         unit='batch', dynamic_ncols=True)

    def _step(self) -> None:
        if self._bar is not None:
            self._bar.update(1)

    def _close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def before_test_epoch(self, runner) -> None:
        self._open(runner, 'test')

    def after_test_iter(self, runner, batch_idx, data_batch=None,
                        outputs=None) -> None:
        self._step()

    def after_test_epoch(self, runner, metrics=None) -> None:
        self._close()

    def before_val_epoch(self, runner) -> None:
        self._open(runner, 'val')

    def after_val_iter(self, runner, batch_idx, data_batch=None,
                       outputs=None) -> None:
        self._step()

    def after_val_epoch(self, runner, metrics=None) -> None:
        self._close()
