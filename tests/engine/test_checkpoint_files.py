"""Checkpoint writes are atomic; ``--resume`` finds the newest complete
checkpoint."""
import os

import pytest
import torch
from mmengine.fileio.backends import LocalBackend
from mmengine.runner.checkpoint import save_checkpoint

from rspnet_mm.engine import checkpoint_files
from rspnet_mm.engine.checkpoint_files import (
    atomic_write_bytes,
    find_latest_complete_checkpoint,
    is_complete_checkpoint,
)


class Crash(BaseException):
    """Stands for the process dying (not an Exception: nothing catches
    it)."""


def save(path, value=1.0):
    torch.save({'w': torch.full((100, ), value)}, path)
    return str(path)


def truncate(path):
    data = open(path, 'rb').read()
    with open(path, 'wb') as f:
        f.write(data[:len(data) // 2])
    return str(path)


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / 'ckpt.pth'
    atomic_write_bytes(str(path), b'old')
    monkeypatch.setattr(os, 'fsync', lambda fd: (_ for _ in ()).throw(
        Crash()))
    with pytest.raises(Crash):
        atomic_write_bytes(str(path), b'new content')
    assert path.read_bytes() == b'old'
    assert os.listdir(tmp_path) == ['ckpt.pth']  # no temporary file left


def test_atomic_local_backend_writes_through_the_atomic_writer(
        tmp_path, monkeypatch):
    written = []
    real = checkpoint_files.atomic_write_bytes

    def recording(path, data):
        written.append(path)
        real(path, data)

    monkeypatch.setattr(checkpoint_files, 'atomic_write_bytes', recording)
    target = tmp_path / 'sub' / 'a.pth'
    save_checkpoint({'w': torch.ones(3)}, str(target),
                    backend_args=dict(backend='atomic_local'))
    assert written == [str(target)]
    assert is_complete_checkpoint(str(target))
    assert target.stat().st_mode & 0o644 == 0o644
    # nothing global: mmengine's own backend still writes directly
    assert LocalBackend.put.__module__.startswith('mmengine.')
    save_checkpoint({'w': torch.ones(3)}, str(tmp_path / 'b.pth'))
    assert written == [str(target)]


def test_complete_checks(tmp_path):
    good = save(tmp_path / 'good.pth')
    assert is_complete_checkpoint(good)
    assert not is_complete_checkpoint(truncate(save(tmp_path / 'cut.pth')))
    assert not is_complete_checkpoint(str(tmp_path / 'missing.pth'))
    (tmp_path / 'empty.pth').write_bytes(b'')
    assert not is_complete_checkpoint(str(tmp_path / 'empty.pth'))


def test_resume_falls_back_to_the_newest_complete_checkpoint(tmp_path):
    save(tmp_path / 'iter_2.pth')
    save(tmp_path / 'iter_10.pth')
    cut = truncate(save(tmp_path / 'iter_12.pth'))
    (tmp_path / 'last_checkpoint').write_text(cut)
    assert find_latest_complete_checkpoint(str(tmp_path)) == str(
        tmp_path / 'iter_10.pth')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_99.pth'))
    assert find_latest_complete_checkpoint(str(tmp_path)) == str(
        tmp_path / 'iter_10.pth')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_2.pth'))
    assert find_latest_complete_checkpoint(str(tmp_path)) == str(
        tmp_path / 'iter_2.pth')


def test_latest_counts_when_it_is_newer_than_the_numbered_ones(tmp_path):
    save(tmp_path / 'epoch_50.pth')
    latest = save(tmp_path / 'latest.pth')
    os.utime(tmp_path / 'epoch_50.pth', (1000, 1000))
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'gone.pth'))
    assert find_latest_complete_checkpoint(str(tmp_path)) == latest
    os.utime(latest, (500, 500))  # older than the milestone
    assert find_latest_complete_checkpoint(str(tmp_path)) == str(
        tmp_path / 'epoch_50.pth')


def test_resume_without_a_complete_checkpoint_is_a_clear_error(tmp_path):
    assert find_latest_complete_checkpoint(str(tmp_path)) is None  # afresh
    cut = truncate(save(tmp_path / 'epoch_3.pth'))
    (tmp_path / 'last_checkpoint').write_text(cut)
    with pytest.raises(RuntimeError) as info:
        find_latest_complete_checkpoint(str(tmp_path))
    message = str(info.value)
    assert f'names {cut}, which is incomplete' in message
    assert 'Start without --resume' in message
