"""TimeBudgetHook stops a real run once its (here simulated) clock has run
for the budget: an iteration-based loop at that iteration, with its last
checkpoint; an epoch-based loop after the current epoch."""
import pytest

from rspnet_mm.compat import load_checkpoint_file
from rspnet_mm.engine.hooks import TimeBudgetHook, time_budget_hook
from rspnet_mm.testing.recipes import (
    TINY_RECOGNIZER_CONFIG,
    load_tool,
    tiny_recognizer_args,
)


class Clock:
    """``time`` whose monotonic clock advances one second per reading."""

    def __init__(self):
        self.now = -1.0

    def monotonic(self):
        self.now += 1.0
        return self.now


def run(tmp_path, video_set, body, monkeypatch):
    monkeypatch.setattr(time_budget_hook, 'time', Clock())
    config = tmp_path / 'budget.py'
    config.write_text(f"_base_ = ['{TINY_RECOGNIZER_CONFIG}']\n" + body)
    work = tmp_path / 'work'
    load_tool('train').main([str(config),
                             *tiny_recognizer_args(video_set, work)])
    return work


def test_iteration_loop_stops_at_the_budget_and_saves(
        tiny_video_set, tmp_path, monkeypatch):
    # readings: 0 at the start, then 1, 2, 3 after iterations 1, 2, 3
    work = run(tmp_path, tiny_video_set, (
        "train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', "
        'max_iters=50)\n'
        "train_dataloader = dict(sampler=dict(type='InfiniteSampler'))\n"
        "custom_hooks = [dict(type='TimeBudgetHook', seconds=3)]\n"
        'default_hooks = dict(checkpoint=dict(by_epoch=False, '
        'interval=1000, save_last=True))\n'), monkeypatch)
    assert [p.name for p in work.glob('*.pth')] == ['iter_3.pth']
    assert load_checkpoint_file(str(work / 'iter_3.pth'))['meta'][
        'iter'] == 3


def test_epoch_loop_stops_after_the_current_epoch(tiny_video_set, tmp_path,
                                                  monkeypatch):
    # 2 iterations per epoch; the budget is spent after iteration 1
    work = run(tmp_path, tiny_video_set, (
        'train_cfg = dict(max_epochs=3)\n'
        "custom_hooks = [dict(type='TimeBudgetHook', seconds=1)]\n"),
        monkeypatch)
    assert [p.name for p in work.glob('*.pth')] == ['epoch_1.pth']
    assert load_checkpoint_file(str(work / 'epoch_1.pth'))['meta'][
        'iter'] == 2


@pytest.mark.parametrize('kwargs, message', [
    (dict(seconds=0), 'seconds must be > 0, got 0'),
    (dict(seconds=5, check_interval=0), 'check_interval must be >= 1'),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TimeBudgetHook(**kwargs)
