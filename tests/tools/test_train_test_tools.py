"""Engine paths with a checkpoint written by this project's runner:
train -> resume, load_from, tools/test.py; malicious file refused; the data
flags; lists checked before training; a quiet terminal."""
import os
import subprocess
import sys

import pytest
import torch

from rspnet_mm.datasets import VideoListError
from rspnet_mm.testing.recipes import (
    DEMO_FINETUNE_CONFIG,
    REPO_ROOT,
    TINY_RECOGNIZER_CONFIG,
    TINY_RSPNET_CONFIG,
    load_tool,
    motion_set_args,
    tiny_recognizer_args,
)

FINETUNE_R18 = str(REPO_ROOT / 'configs' / 'finetune' /
                   'finetune_r18_ucf101.py')


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


def test_finetune_and_test_with_data_flags_and_no_workers(
        tiny_motion_set, tmp_path, train_tool, test_tool):
    # the demo config has num_workers=2, persistent_workers=True: the one
    # flag --num-workers 0 is enough (16 iterations: its warm-up is 15)
    work = tmp_path / 'finetune'
    train_tool.main([
        DEMO_FINETUNE_CONFIG,
        *motion_set_args(tiny_motion_set, work, 'train', 'val'),
        '--num-classes', str(tiny_motion_set['num_classes']),
        '--num-workers', '0', '--batch-size', '4', '--cfg-options',
        'train_cfg.max_iters=16', 'default_hooks.checkpoint.interval=16'])
    checkpoint = work / 'iter_16.pth'
    assert checkpoint.is_file()
    metrics = test_tool.main([
        DEMO_FINETUNE_CONFIG, str(checkpoint),
        *motion_set_args(tiny_motion_set, tmp_path / 'test', 'test'),
        '--num-classes', str(tiny_motion_set['num_classes']),
        '--num-workers', '0'])
    assert 0.0 <= metrics['acc/top1'] <= 1.0


def test_bad_label_in_finetune_list_fails_before_training(
        tiny_motion_set, tmp_path, train_tool):
    bad = tmp_path / 'train_list.txt'
    bad.write_text('train/clip_000000.mp4 3\ntrain/clip_000001.mp4 101\n')
    with pytest.raises(VideoListError) as info:
        train_tool.main([
            FINETUNE_R18, '--work-dir', str(tmp_path / 'w'),
            '--data-root', tiny_motion_set['root'], '--train-list',
            str(bad), '--val-list', tiny_motion_set['val_list'],
            '--cfg-options', 'load_from=None'])
    message = str(info.value)
    assert message.startswith(f"{bad}, line 2 ('train/clip_000001.mp4 "
                              "101'): label 101 is outside [0, 101)")
    assert not list((tmp_path / 'w').glob('*.pth'))


def test_empty_list_fails_clearly_in_train_test_and_retrieval(
        tmp_path, train_tool, test_tool):
    empty = tmp_path / 'empty.txt'
    empty.write_text('\n')
    checkpoint = tmp_path / 'c.pth'
    checkpoint.write_bytes(b'')
    flags = ['--work-dir', str(tmp_path / 'w'), '--data-root', str(tmp_path)]
    runs = [
        (train_tool, [TINY_RECOGNIZER_CONFIG, '--train-list', str(empty)]),
        (test_tool, [TINY_RECOGNIZER_CONFIG, str(checkpoint),
                     '--test-list', str(empty)]),
        (load_tool('retrieval'),
         [str(REPO_ROOT / 'tests' / 'data' / 'configs' /
              'tiny_retrieval.py'), str(checkpoint),
          '--train-list', str(empty), '--test-list', str(empty)]),
    ]
    for tool, argv in runs:
        with pytest.raises(VideoListError,
                           match=f'{empty} lists no videos .* write one '
                           '`path \\[label\\]` line per video'):
            tool.main([*argv, *flags])


def test_few_terminal_lines_before_the_first_loss(tiny_motion_set, tmp_path):
    """A real tools/train.py process: the config dump, the environment and
    the hook table go to the log file; the first iteration's loss is shown
    although the logger interval is longer than the run."""
    work = tmp_path / 'w'
    run = subprocess.run(
        [sys.executable, str(REPO_ROOT / 'tools' / 'train.py'),
         TINY_RSPNET_CONFIG,
         *motion_set_args(tiny_motion_set, work, 'train'), '--cfg-options',
         'train_cfg.max_iters=2', 'default_hooks.logger.interval=50'],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    lines = (run.stderr + run.stdout).splitlines()
    first_loss = next(i for i, line in enumerate(lines) if ' loss: ' in line)
    assert first_loss < 60, '\n'.join(lines[:first_loss + 1])
    assert 'Iter(train) [1/2]' in lines[first_loss]
    assert '(first iterations; then every 50)' in lines[first_loss]
    text = '\n'.join(lines)
    for quiet in ('Config:', 'Hooks will be executed', 'System environment',
                  'MultiScaleDeformableAttention', '"FileClient" will be'):
        assert quiet not in text
    log_file = next(work.glob('*/*.log'))
    logged = log_file.read_text()
    assert 'Config:' in logged and 'Hooks will be executed' in logged
    assert f'config, environment and hooks: {log_file}' in text
