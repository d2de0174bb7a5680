"""Log the first training iterations, whatever the logger interval."""
from mmaction.registry import HOOKS
from mmengine.hooks import Hook, LoggerHook


@HOOKS.register_module()
class FirstItersLoggerHook(Hook):
    """Print the loss line of the first ``num_iters`` iterations of a run.

    ``LoggerHook`` prints every ``interval`` iterations (20 in the shared
    runtime), so a run shows nothing for a long time and a short run (or a
    slow CPU one) may end without a single loss line. This hook prints the
    same line as ``LoggerHook`` for the first iterations of each run
    (resumed ones too) that ``LoggerHook`` does not print itself. It adds
    no scalars: ``scalars.json`` stays ``LoggerHook``'s.

    Args:
        num_iters (int): Iterations to show from the start of the run.
            Defaults to 1.
    """
    priority = 'BELOW_NORMAL'  # after IterTimerHook, as LoggerHook

    def __init__(self, num_iters: int = 1) -> None:
        if isinstance(num_iters, bool) or not isinstance(
                num_iters, int) or num_iters < 0:
            raise ValueError(f'FirstItersLoggerHook: num_iters={num_iters!r}'
                             ' must be an int >= 0')
        self.num_iters = num_iters
        self._seen = 0

    def before_train(self, runner) -> None:
        self._seen = 0

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        if self._seen >= self.num_iters:
            return
        self._seen += 1
        logger_hook = next((h for h in runner.hooks
                            if isinstance(h, LoggerHook)), None)
        if logger_hook is not None and _logs_itself(logger_hook, runner,
                                                    batch_idx):
            return
        _, log_str = runner.log_processor.get_log_after_iter(
            runner, batch_idx, 'train')
        if logger_hook is not None:
            log_str += (f'  (first iterations; then every '
                        f'{logger_hook.interval})')
        runner.logger.info(log_str)


def _logs_itself(hook: LoggerHook, runner, batch_idx: int) -> bool:
    """Whether ``LoggerHook.after_train_iter`` prints this iteration."""
    if hook.every_n_inner_iters(batch_idx, hook.interval):
        return True
    return hook.end_of_epoch(runner.train_dataloader, batch_idx) and (
        not hook.ignore_last
        or len(runner.train_dataloader) <= hook.interval)
