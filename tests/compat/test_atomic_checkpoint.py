"""Checkpoint writes are atomic; a crash while saving leaves the previous
checkpoint usable and ``--resume`` finds it."""
import os

import pytest
import torch

from rspnet_mm.compat import atomic_checkpoint, load_checkpoint_file
from rspnet_mm.compat.atomic_checkpoint import (
    atomic_write_bytes,
    find_latest_complete_checkpoint,
    is_complete_checkpoint,
)
from rspnet_mm.testing.recipes import (
    TINY_RECOGNIZER_CONFIG,
    load_tool,
    tiny_recognizer_args,
)


class _Crash(BaseException):
    """Stands for the process dying (not an Exception: nothing catches
    it)."""


def _save(path, value=1.0):
    torch.save({'w': torch.full((100, ), value)}, path)
    return str(path)


def _truncate(path):
    data = open(path, 'rb').read()
    with open(path, 'wb') as f:
        f.write(data[:len(data) // 2])
    return str(path)


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / 'ckpt.pth'
    atomic_write_bytes(str(path), b'old')
    monkeypatch.setattr(os, 'fsync', lambda fd: (_ for _ in ()).throw(
        _Crash()))
    with pytest.raises(_Crash):
        atomic_write_bytes(str(path), b'new content')
    assert path.read_bytes() == b'old'
    assert os.listdir(tmp_path) == ['ckpt.pth']  # no temporary file left


def test_mmengine_writes_through_the_atomic_writer(tmp_path):
    from mmengine.fileio.backends import LocalBackend
    from mmengine.runner.checkpoint import save_checkpoint
    assert LocalBackend.put is atomic_checkpoint._put
    save_checkpoint({'w': torch.ones(3)}, str(tmp_path / 'sub' / 'a.pth'))
    assert is_complete_checkpoint(str(tmp_path / 'sub' / 'a.pth'))
    assert (tmp_path / 'sub' / 'a.pth').stat().st_mode & 0o644 == 0o644


def test_complete_checks(tmp_path):
    good = _save(tmp_path / 'good.pth')
    assert is_complete_checkpoint(good)
    assert not is_complete_checkpoint(_truncate(_save(tmp_path / 'cut.pth')))
    assert not is_complete_checkpoint(str(tmp_path / 'missing.pth'))
    (tmp_path / 'empty.pth').write_bytes(b'')
    assert not is_complete_checkpoint(str(tmp_path / 'empty.pth'))


def test_resume_falls_back_to_the_newest_complete_checkpoint(tmp_path):
    _save(tmp_path / 'iter_2.pth')
    _save(tmp_path / 'iter_10.pth')
    cut = _truncate(_save(tmp_path / 'iter_12.pth'))
    (tmp_path / 'last_checkpoint').write_text(cut)
    assert find_latest_complete_checkpoint(str(tmp_path)) == str(
        tmp_path / 'iter_10.pth')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_99.pth'))
    assert find_latest_complete_checkpoint(str(tmp_path)) == str(
        tmp_path / 'iter_10.pth')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_2.pth'))
    assert find_latest_complete_checkpoint(str(tmp_path)) == str(
        tmp_path / 'iter_2.pth')


def test_resume_without_a_complete_checkpoint_is_a_clear_error(tmp_path):
    assert find_latest_complete_checkpoint(str(tmp_path)) is None  # afresh
    cut = _truncate(_save(tmp_path / 'epoch_3.pth'))
    (tmp_path / 'last_checkpoint').write_text(cut)
    with pytest.raises(RuntimeError) as info:
        find_latest_complete_checkpoint(str(tmp_path))
    message = str(info.value)
    assert f'names {cut}, which is incomplete' in message
    assert 'Start without --resume' in message


def test_crash_while_saving_resumes_from_the_previous_checkpoint(
        tiny_video_set, tmp_path, monkeypatch):
    train = load_tool('train')
    work = tmp_path / 'work'
    args = tiny_recognizer_args(tiny_video_set, work)
    args += ['train_cfg.max_epochs=3', 'default_hooks.checkpoint.'
             'max_keep_ckpts=1']

    real_write = atomic_checkpoint.atomic_write_bytes

    def dies_writing_epoch_2(path, data):
        if path.endswith('epoch_2.pth'):  # half the bytes, then death
            with open(f'{path}.partial', 'wb') as f:
                f.write(data[:len(data) // 2])
            raise _Crash()
        real_write(path, data)

    monkeypatch.setattr(atomic_checkpoint, 'atomic_write_bytes',
                        dies_writing_epoch_2)
    with pytest.raises(_Crash):
        train.main([TINY_RECOGNIZER_CONFIG, *args])
    # max_keep_ckpts=1 did not delete epoch_1 before epoch_2 was written
    assert sorted(p.name for p in work.glob('epoch_*')) == [
        'epoch_1.pth', 'epoch_2.pth.partial']
    assert (work / 'last_checkpoint').read_text() == str(
        work / 'epoch_1.pth')

    monkeypatch.setattr(atomic_checkpoint, 'atomic_write_bytes', real_write)
    train.main([TINY_RECOGNIZER_CONFIG, *args, '--resume'])
    last = load_checkpoint_file(str(work / 'epoch_3.pth'))
    assert (last['meta']['epoch'], last['meta']['iter']) == (3, 6)
    assert not (work / 'epoch_1.pth').exists()  # pruned after the save
