"""The resumable train loops continue a run stopped inside an epoch with the
next unseen batch, load nothing for the batches already used, and end with
the weights of an uninterrupted run."""
import os
import signal

import pytest
import torch
from mmaction.datasets import VideoDataset

from rspnet_mm.compat import load_checkpoint_file
from rspnet_mm.testing.recipes import (
    TINY_RECOGNIZER_CONFIG,
    load_tool,
    tiny_recognizer_args,
)

# 4 videos, batch 1: 4 iterations per epoch, 2 epochs
ITERS = 8
RESUMABLE = ['train_cfg.type=ResumableEpochBasedTrainLoop',
             'train_dataloader.sampler.type=ResumableSampler',
             'train_dataloader.batch_size=1', 'train_cfg.max_epochs=2']


@pytest.fixture
def loads(monkeypatch):
    """The dataset indices loaded in this process, in order; set
    ``loads.sigterm_at = n`` to send SIGTERM to the process while the n-th
    sample loads."""
    record = type('Loads', (list, ), {'sigterm_at': None})()
    real_getitem = VideoDataset.__getitem__

    def getitem(self, idx):
        record.append(idx)
        if len(record) == record.sigterm_at:
            os.kill(os.getpid(), signal.SIGTERM)
        return real_getitem(self, idx)

    monkeypatch.setattr(VideoDataset, '__getitem__', getitem)
    return record


def train(video_set, work, *extra):
    load_tool('train').main([TINY_RECOGNIZER_CONFIG,
                             *tiny_recognizer_args(video_set, work),
                             *RESUMABLE, *extra])


@pytest.fixture
def uninterrupted(tiny_video_set, tmp_path, loads):
    train(tiny_video_set, tmp_path / 'full')
    order = list(loads)
    loads.clear()
    return order, load_checkpoint_file(str(tmp_path / 'full' /
                                           'epoch_2.pth'))


@pytest.mark.parametrize('stop_at', [3, 6])  # epoch 1, batch 3; epoch 2, 2
def test_resume_inside_an_epoch_sees_the_same_batches_and_weights(
        tiny_video_set, tmp_path, loads, uninterrupted, stop_at):
    order, expected = uninterrupted
    assert len(order) == ITERS and sorted(order[:4]) == [0, 1, 2, 3]
    work = tmp_path / 'cut'
    loads.sigterm_at = stop_at
    train(tiny_video_set, work)  # SIGTERM: latest.pth, then a clean stop
    assert list(loads) == order[:stop_at]
    latest = load_checkpoint_file(str(work / 'latest.pth'))
    assert latest['meta'] == {**latest['meta'], 'iter': stop_at,
                              'epoch': (stop_at - 1) // 4}
    assert not (work / 'epoch_2.pth').exists()

    loads.clear()
    loads.sigterm_at = None
    train(tiny_video_set, work, '--resume')
    # the rest of the uninterrupted run's batches, and nothing else loaded:
    # the resume costs no decoding, wherever it starts
    assert list(loads) == order[stop_at:]
    resumed = load_checkpoint_file(str(work / 'epoch_2.pth'))
    assert resumed['meta']['iter'] == ITERS
    assert resumed['state_dict'].keys() == expected['state_dict'].keys()
    for key, value in expected['state_dict'].items():
        torch.testing.assert_close(resumed['state_dict'][key], value,
                                   rtol=1e-5, atol=1e-6, msg=key)


def test_a_sampler_that_cannot_skip_replays_with_a_warning(
        tiny_video_set, tmp_path, loads, uninterrupted, capsys):
    order, expected = uninterrupted
    work = tmp_path / 'cut'
    stock = ['train_dataloader.sampler.type=DefaultSampler']
    loads.sigterm_at = 3
    train(tiny_video_set, work, *stock)
    loads.clear()
    loads.sigterm_at = None
    train(tiny_video_set, work, *stock, '--resume')
    assert list(loads) == order  # the 3 used samples loaded and dropped
    log = capsys.readouterr().out
    assert ('Resuming at batch 3 of epoch 1: DefaultSampler cannot start '
            'part-way, so the 3 batches already trained on are loaded and '
            'dropped first') in log
    resumed = load_checkpoint_file(str(work / 'epoch_2.pth'))
    assert resumed['meta']['iter'] == ITERS
