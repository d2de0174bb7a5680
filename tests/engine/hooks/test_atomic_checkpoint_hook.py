"""AtomicCheckpointHook: a crash while saving leaves the previous checkpoint
usable, old checkpoints go only after the new one is written, a rolling
latest.pth, and "save and stop" on SIGTERM."""
import os
import signal

import pytest
import torch
from mmaction.datasets import VideoDataset

from rspnet_mm.compat import load_checkpoint_file
from rspnet_mm.engine import checkpoint_files
from rspnet_mm.testing.recipes import (
    TINY_RECOGNIZER_CONFIG,
    load_tool,
    tiny_recognizer_args,
)


class Crash(BaseException):
    """Stands for the process dying (not an Exception: nothing catches
    it)."""


def test_crash_while_saving_resumes_from_the_previous_checkpoint(
        tiny_video_set, tmp_path, monkeypatch):
    train = load_tool('train')
    work = tmp_path / 'work'
    args = tiny_recognizer_args(tiny_video_set, work)
    args += ['train_cfg.max_epochs=3', 'default_hooks.checkpoint.'
             'max_keep_ckpts=1']

    real_write = checkpoint_files.atomic_write_bytes

    def dies_writing_epoch_2(path, data):
        if path.endswith('epoch_2.pth'):  # half the bytes, then death
            with open(f'{path}.partial', 'wb') as f:
                f.write(data[:len(data) // 2])
            raise Crash()
        real_write(path, data)

    monkeypatch.setattr(checkpoint_files, 'atomic_write_bytes',
                        dies_writing_epoch_2)
    with pytest.raises(Crash):
        train.main([TINY_RECOGNIZER_CONFIG, *args])
    # max_keep_ckpts=1 did not delete epoch_1 before epoch_2 was written
    assert sorted(p.name for p in work.glob('epoch_*')) == [
        'epoch_1.pth', 'epoch_2.pth.partial']
    assert (work / 'last_checkpoint').read_text() == str(
        work / 'epoch_1.pth')

    monkeypatch.setattr(checkpoint_files, 'atomic_write_bytes', real_write)
    train.main([TINY_RECOGNIZER_CONFIG, *args, '--resume'])
    last = load_checkpoint_file(str(work / 'epoch_3.pth'))
    assert (last['meta']['epoch'], last['meta']['iter']) == (3, 6)
    assert not (work / 'epoch_1.pth').exists()  # pruned after the save
    assert not (work / 'epoch_2.pth').exists()
    assert last['message_hub']['runtime_info']['keep_ckpt_ids'] == [3]


def test_latest_is_rewritten_every_interval_and_never_pruned(
        tiny_video_set, tmp_path):
    work = tmp_path / 'work'
    load_tool('train').main([
        TINY_RECOGNIZER_CONFIG, *tiny_recognizer_args(tiny_video_set, work),
        'train_cfg.max_epochs=2', 'default_hooks.checkpoint.interval=2',
        'default_hooks.checkpoint.max_keep_ckpts=1',
        'default_hooks.checkpoint.latest_interval=3'])
    # 2 iterations per epoch: latest at iteration 3, epoch_2 at iteration 4
    latest = load_checkpoint_file(str(work / 'latest.pth'))
    assert (latest['meta']['epoch'], latest['meta']['iter']) == (1, 3)
    assert sorted(p.name for p in work.glob('*.pth')) == [
        'epoch_2.pth', 'latest.pth']
    assert (work / 'last_checkpoint').read_text() == str(
        work / 'epoch_2.pth')
    assert 'optimizer' in latest and 'rng_state' in latest


def test_sigterm_in_a_stock_epoch_loop_saves_then_exits(
        tiny_video_set, tmp_path, monkeypatch):
    """mmengine's EpochBasedTrainLoop cannot stop mid-epoch: the hook
    saves latest.pth and raises SystemExit with the reason."""
    work = tmp_path / 'work'
    loads = []
    real_getitem = VideoDataset.__getitem__

    def getitem(self, idx):
        loads.append(idx)
        if len(loads) == 3:
            os.kill(os.getpid(), signal.SIGTERM)
        return real_getitem(self, idx)

    monkeypatch.setattr(VideoDataset, '__getitem__', getitem)
    previous = signal.getsignal(signal.SIGTERM)
    with pytest.raises(SystemExit) as info:
        load_tool('train').main([
            TINY_RECOGNIZER_CONFIG,
            *tiny_recognizer_args(tiny_video_set, work),
            'train_cfg.max_epochs=2', 'train_dataloader.batch_size=1'])
    assert str(info.value) == (
        f'SIGTERM: saved {work / "latest.pth"} after iteration 3; training '
        'stops (continue with --resume)')
    assert signal.getsignal(signal.SIGTERM) == previous  # handler removed
    latest = load_checkpoint_file(str(work / 'latest.pth'))
    assert (latest['meta']['epoch'], latest['meta']['iter']) == (0, 3)
    assert (work / 'last_checkpoint').read_text() == str(work / 'latest.pth')
    assert torch.isfinite(latest['state_dict']['cls_head.fc_cls.weight']).all()
