"""The validation loop of the representation monitor during pretraining."""
import time

from mmaction.registry import LOOPS
from mmengine.dist import is_main_process
from mmengine.logging import print_log
from mmengine.runner import ValLoop
from tqdm import tqdm

#: The metric holding the evaluation's wall time (seconds).
SECONDS_KEY = 'monitor_seconds'


@LOOPS.register_module()
class RepresentationMonitorLoop(ValLoop):
    """mmengine's ``ValLoop`` with a progress bar and a time per evaluation.

    Set as ``val_cfg = dict(type='RepresentationMonitorLoop')`` with a
    small labelled ``val_dataloader`` and ``val_evaluator =
    dict(type='RepresentationMonitorMetric')``; the train loop's
    ``val_interval`` (epochs or iterations) sets how often it runs. The
    model is put in eval mode and run without gradient, as in every
    mmengine val loop; ``RSPNet.predict`` embeds each video with the query
    backbone (pooled, averaged over the clips of the test pipeline), so
    the cost is one forward pass over the monitor set.

    The metrics (``knn_top1``, ``retrieval_r1``, ``retrieval_r5``) and the
    wall time of the evaluation (``monitor_seconds``) go to every vis
    backend through mmengine's ``LoggerHook`` and to ``CheckpointHook``'s
    ``save_best``; one log line gives them with the set size.
    """

    def run(self) -> dict:
        """Embed the monitor set, score it, log the time it took."""
        start = time.monotonic()
        self.runner.call_hook('before_val')
        self.runner.call_hook('before_val_epoch')
        self.runner.model.eval()
        self.val_loss.clear()
        for idx, data_batch in enumerate(tqdm(
                self.dataloader, desc='monitor', unit='batch', leave=False,
                disable=not is_main_process(), dynamic_ncols=True)):
            self.run_iter(idx, data_batch)
        size = len(self.dataloader.dataset)
        metrics = self.evaluator.evaluate(size)
        metrics[SECONDS_KEY] = time.monotonic() - start
        scores = ', '.join(f'{k} {v:.3f}' for k, v in metrics.items()
                           if k != SECONDS_KEY)
        print_log(f'representation monitor: {size} videos in '
                  f'{metrics[SECONDS_KEY]:.1f} s: {scores}',
                  logger='current')
        self.runner.call_hook('after_val_epoch', metrics=metrics)
        self.runner.call_hook('after_val')
        return metrics
