"""Engine paths with a checkpoint written by this project's runner:
train -> resume, load_from, tools/test.py; malicious file refused."""
import os

import pytest
import torch

from rspnet_mm.testing.recipes import (
    TINY_RECOGNIZER_CONFIG,
    load_tool,
    tiny_recognizer_args,
)


class _RunsCode:

    def __reduce__(self):
        return (os.getenv, ('HOME', ))


@pytest.fixture(scope='module')
def train_tool():
    return load_tool('train')


@pytest.fixture(scope='module')
def test_tool():
    return load_tool('test')


def test_train_resume_load_from_and_test(tiny_video_set, tmp_path,
                                         train_tool, test_tool, monkeypatch):
    monkeypatch.delenv('RSPNET_MM_TRUST_CHECKPOINTS', raising=False)
    work = tmp_path / 'work'
    args = tiny_recognizer_args(tiny_video_set, work)
    train_tool.main([TINY_RECOGNIZER_CONFIG, *args[:2],
                     '--cfg-options', 'train_cfg.max_epochs=1', *args[3:]])
    first = work / 'epoch_1.pth'
    assert first.is_file()

    # --resume continues at epoch 2 from the saved state
    train_tool.main([TINY_RECOGNIZER_CONFIG, *args, '--resume'])
    second = torch.load(work / 'epoch_2.pth', weights_only=False)
    assert second['meta']['epoch'] == 2
    assert second['meta']['iter'] == 4  # 2 iterations an epoch

    # load_from in a fresh run starts from those weights
    work2 = tmp_path / 'work2'
    args2 = tiny_recognizer_args(tiny_video_set, work2)
    train_tool.main([TINY_RECOGNIZER_CONFIG, *args2,
                     f'load_from={work / "epoch_2.pth"}',
                     'train_cfg.max_epochs=1'])
    assert (work2 / 'epoch_1.pth').is_file()

    # tools/test.py evaluates the checkpoint
    metrics = test_tool.main([TINY_RECOGNIZER_CONFIG,
                              str(work / 'epoch_2.pth'), *args])
    assert 0.0 <= metrics['acc/top1'] <= 1.0


def test_test_tool_refuses_code_running_checkpoint(tiny_video_set, tmp_path,
                                                   test_tool, monkeypatch):
    from rspnet_mm.compat import UnsafeCheckpointError
    monkeypatch.delenv('RSPNET_MM_TRUST_CHECKPOINTS', raising=False)
    evil = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'payload': _RunsCode()}, evil)
    args = tiny_recognizer_args(tiny_video_set, tmp_path / 'w')
    with pytest.raises(UnsafeCheckpointError, match='evil.pth'):
        test_tool.main([TINY_RECOGNIZER_CONFIG, str(evil), *args])
