import os
import pickle

import pytest
import torch

from rspnet_mm.compat import (
    TRUST_ENV,
    UnsafeCheckpointError,
    load_checkpoint_file,
    trusted_checkpoints,
)
from rspnet_mm.compat.checkpoint_loading import _history_buffer_getattr


class _RunsCode:
    """Unpickling this calls a function: what a malicious file would do."""

    def __reduce__(self):
        return (os.getenv, ('RSPNET_MM_PWNED_SENTINEL', 'code ran'))


def _runner_like_checkpoint():
    import numpy as np
    from mmengine.logging import HistoryBuffer, MessageHub
    hub = MessageHub.get_instance('ckpt-test')
    hub.update_scalar('train/loss', 1.5)
    hub.update_scalar('train/loss', np.float64(0.5))
    return dict(meta=dict(epoch=1, seed=np.int64(3), arr=np.arange(3)),
                state_dict={'w': torch.ones(2)},
                message_hub=hub.state_dict(),
                buffer=HistoryBuffer([1, 2], [1, 1]))


def test_runner_style_checkpoint_loads_without_any_opt_in(tmp_path,
                                                          monkeypatch):
    monkeypatch.delenv(TRUST_ENV, raising=False)
    path = tmp_path / 'ok.pth'
    torch.save(_runner_like_checkpoint(), path)
    loaded = load_checkpoint_file(str(path))
    assert torch.equal(loaded['state_dict']['w'], torch.ones(2))
    assert loaded['meta']['seed'] == 3
    buffer = loaded['message_hub']['log_scalars']['train/loss']
    assert buffer.mean() == pytest.approx(1.0)
    assert loaded['buffer'].max() == 2


def test_code_running_pickle_is_refused_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv(TRUST_ENV, raising=False)
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'payload': _RunsCode()}, path)
    with pytest.raises(UnsafeCheckpointError) as info:
        load_checkpoint_file(str(path))
    message = str(info.value)
    assert str(path) in message
    assert 'getenv' in message
    assert TRUST_ENV in message


def test_opt_in_by_environment_and_context(tmp_path, monkeypatch):
    path = tmp_path / 'evil.pth'
    torch.save({'payload': _RunsCode()}, path)
    monkeypatch.setenv(TRUST_ENV, '1')
    assert load_checkpoint_file(str(path))['payload'] == 'code ran'
    monkeypatch.delenv(TRUST_ENV)
    with trusted_checkpoints():
        assert load_checkpoint_file(str(path))['payload'] == 'code ran'
    with pytest.raises(UnsafeCheckpointError):
        load_checkpoint_file(str(path))


def test_restricted_getattr_only_reaches_history_buffer_statistics():
    from mmengine.logging import HistoryBuffer
    assert _history_buffer_getattr(HistoryBuffer, 'mean') is \
        HistoryBuffer.mean
    with pytest.raises(UnsafeCheckpointError):
        _history_buffer_getattr(HistoryBuffer, '__init__')
    with pytest.raises(UnsafeCheckpointError):
        _history_buffer_getattr(os, 'system')


def test_missing_and_truncated_files_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='nowhere.pth'):
        load_checkpoint_file(str(tmp_path / 'nowhere.pth'))
    path = tmp_path / 'cut.pth'
    torch.save({'w': torch.ones(1000)}, path)
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(RuntimeError, match='cut.pth'):
        load_checkpoint_file(str(path))


def test_mmengine_local_loader_is_the_safe_one(tmp_path, monkeypatch):
    from mmengine.runner.checkpoint import CheckpointLoader
    monkeypatch.delenv(TRUST_ENV, raising=False)
    path = tmp_path / 'evil.pth'
    with open(path, 'wb') as f:
        torch.save({'payload': _RunsCode()}, f, pickle_protocol=2)
    with pytest.raises(UnsafeCheckpointError):
        CheckpointLoader.load_checkpoint(str(path), map_location='cpu')
    assert isinstance(UnsafeCheckpointError('x'), pickle.UnpicklingError)
