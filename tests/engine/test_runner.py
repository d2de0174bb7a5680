"""CheckedRunner: ``--resume`` never pretends, and says when the resumed
schedule keeps the checkpoint's length."""
import signal
import time

import pytest
from mmaction.datasets import VideoDataset

from rspnet_mm.compat import load_checkpoint_file
from rspnet_mm.engine.runner import describe_schedulers
from rspnet_mm.testing.recipes import (
    TINY_RECOGNIZER_CONFIG,
    load_tool,
    tiny_recognizer_args,
)


class Crash(BaseException):
    """Stands for the process dying."""


def train(video_set, work, *extra, config=TINY_RECOGNIZER_CONFIG):
    if work.exists():  # mmengine names a run's folder after its start
        time.sleep(1.02 - time.time() % 1)  # second: give each its own
    load_tool('train').main([config, *tiny_recognizer_args(video_set, work),
                             'train_cfg.max_epochs=1', *extra])


def test_resume_in_an_empty_work_dir_says_there_is_nothing(
        tiny_video_set, tmp_path, capsys):
    work = tmp_path / 'work'
    train(tiny_video_set, work, '--resume')
    out = capsys.readouterr().out
    assert (f'--resume: nothing to resume from in {work}: there is no '
            'checkpoint (no last_checkpoint, epoch_N.pth, iter_N.pth or '
            'latest.pth). Training starts from iteration 0.') in out
    assert 'Auto resumed' not in out
    assert load_checkpoint_file(str(work / 'epoch_1.pth'))['meta'][
        'iter'] == 2


def test_resume_after_a_run_that_died_before_its_first_save(
        tiny_video_set, tmp_path, capsys, monkeypatch):
    work = tmp_path / 'work'
    real_getitem = VideoDataset.__getitem__
    loaded = []

    def dies_at_the_third_sample(self, idx):
        loaded.append(idx)
        if len(loaded) == 3:  # iteration 2 of the 2-iteration epoch
            raise Crash()
        return real_getitem(self, idx)

    handler = signal.getsignal(signal.SIGTERM)
    monkeypatch.setattr(VideoDataset, '__getitem__', dies_at_the_third_sample)
    with pytest.raises(Crash):
        train(tiny_video_set, work)
    signal.signal(signal.SIGTERM, handler)  # the crash skipped after_train
    assert not list(work.glob('*.pth'))
    (earlier, ) = [p.name for p in work.iterdir() if p.is_dir()]
    monkeypatch.setattr(VideoDataset, '__getitem__', real_getitem)
    capsys.readouterr()

    train(tiny_video_set, work, '--resume')
    out = capsys.readouterr().out
    assert (f'--resume: nothing to resume from in {work}: there is no '
            'checkpoint') in out
    assert (f'The earlier run(s) {earlier} (logged up to iteration 1) '
            'stopped before writing their first checkpoint; that progress '
            'is lost. Training starts from iteration 0.') in out


def test_resume_with_a_longer_schedule_warns_that_it_keeps_the_old_one(
        tiny_video_set, tmp_path, capsys):
    config = tmp_path / 'cosine.py'
    config.write_text(
        f"_base_ = ['{TINY_RECOGNIZER_CONFIG}']\n"
        "param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=True, "
        'begin=0, eta_min=0.001)]\n')
    work = tmp_path / 'work'
    train(tiny_video_set, work, config=str(config))
    capsys.readouterr()
    train(tiny_video_set, work, 'train_cfg.max_epochs=3', '--resume',
          config=str(config))
    out = capsys.readouterr().out
    assert (f'--resume: resuming from {work / "epoch_1.pth"}, the latest '
            f'checkpoint in {work}') in out
    assert (f'--resume: the checkpoint {work / "epoch_1.pth"} was trained '
            'with max_epochs=1, the config says max_epochs=3. The '
            'learning-rate schedule restored from the checkpoint keeps its '
            'old length (CosineAnnealingLR ends at epoch 1); it is not '
            'rescaled: from then on the lr stays at its final value.') in out
    first = load_checkpoint_file(str(work / 'epoch_1.pth'))
    last = load_checkpoint_file(str(work / 'epoch_3.pth'))
    assert last['param_schedulers'][0]['end'] == 1
    # the schedule no longer steps: epochs 2-3 ran at epoch 1's last lr
    assert last['optimizer']['param_groups'][0]['lr'] == (
        first['optimizer']['param_groups'][0]['lr'])


def test_no_warning_when_the_length_is_unchanged(tiny_video_set, tmp_path,
                                                 capsys):
    work = tmp_path / 'work'
    train(tiny_video_set, work)
    train(tiny_video_set, work, '--resume')
    out = capsys.readouterr().out
    assert 'was trained with' not in out
    assert describe_schedulers([]) == 'no schedulers'
