"""The resumable train loops continue a run stopped inside an epoch with the
next unseen batch, load nothing for the batches already used, and end with
the weights of an uninterrupted run."""
import os
import signal

import numpy as np
import pytest
import torch
from mmaction.datasets import VideoDataset

from rspnet_mm.compat import load_checkpoint_file
from rspnet_mm.testing.recipes import (
    TINY_RECOGNIZER_CONFIG,
    load_tool,
    tiny_recognizer_args,
)
from rspnet_mm.testing.videos import write_video

# 4 videos, batch 1: 4 iterations per epoch, 2 epochs
ITERS = 8
RESUMABLE = ['train_cfg.type=ResumableEpochBasedTrainLoop',
             'train_dataloader.sampler.type=ResumableSampler',
             'train_dataloader.batch_size=1', 'train_cfg.max_epochs=2']


class Loads(list):
    """The dataset indices loaded in this process, in order; with
    ``sigterm_at = n`` SIGTERM is sent to the process while the n-th
    sample loads."""
    sigterm_at = None


@pytest.fixture(scope='module')
def patched_loads():
    record = Loads()
    real_getitem = VideoDataset.__getitem__

    def getitem(self, idx):
        record.append(idx)
        if len(record) == record.sigterm_at:
            os.kill(os.getpid(), signal.SIGTERM)
        return real_getitem(self, idx)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(VideoDataset, '__getitem__', getitem)
        yield record


@pytest.fixture
def loads(patched_loads):
    patched_loads.clear()
    patched_loads.sigterm_at = None
    return patched_loads


@pytest.fixture(scope='module')
def video_set(tmp_path_factory):
    """Four 12-frame 40x40 clips of two classes (a colour cast each)."""
    root = tmp_path_factory.mktemp('clips')
    frames = np.random.default_rng(1).integers(0, 255, (4, 12, 40, 40, 3),
                                               dtype=np.uint8)
    for i, clip in enumerate(frames):
        clip[..., i % 2] = 255
        write_video(root / f'c{i}.mp4', clip)
    (root / 'list.txt').write_text(''.join(f'c{i}.mp4 {i % 2}\n'
                                           for i in range(4)))
    return dict(root=str(root), ann_file=str(root / 'list.txt'))


def train(video_set, work, *extra):
    load_tool('train').main([TINY_RECOGNIZER_CONFIG,
                             *tiny_recognizer_args(video_set, work),
                             *RESUMABLE, *extra])


@pytest.fixture(scope='module')
def uninterrupted(video_set, patched_loads, tmp_path_factory):
    """The loading order and last checkpoint of an uninterrupted run."""
    patched_loads.clear()
    work = tmp_path_factory.mktemp('full')
    train(video_set, work)
    order = list(patched_loads)
    return order, load_checkpoint_file(str(work / 'epoch_2.pth'))


@pytest.mark.parametrize('stop_at', [3, 6])  # epoch 1, batch 3; epoch 2, 2
def test_resume_inside_an_epoch_sees_the_same_batches_and_weights(
        video_set, tmp_path, loads, uninterrupted, stop_at):
    order, expected = uninterrupted
    assert len(order) == ITERS and sorted(order[:4]) == [0, 1, 2, 3]
    work = tmp_path / 'cut'
    loads.sigterm_at = stop_at
    train(video_set, work)  # SIGTERM: latest.pth, then a clean stop
    assert list(loads) == order[:stop_at]
    latest = load_checkpoint_file(str(work / 'latest.pth'))
    assert latest['meta'] == {**latest['meta'], 'iter': stop_at,
                              'epoch': (stop_at - 1) // 4}
    assert not (work / 'epoch_2.pth').exists()

    loads.clear()
    loads.sigterm_at = None
    train(video_set, work, '--resume')
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
        video_set, tmp_path, loads, uninterrupted, capsys):
    order, expected = uninterrupted
    work = tmp_path / 'cut'
    stock = ['train_dataloader.sampler.type=DefaultSampler']
    loads.sigterm_at = 3
    train(video_set, work, *stock)
    loads.clear()
    loads.sigterm_at = None
    train(video_set, work, *stock, '--resume')
    assert list(loads) == order  # the 3 used samples loaded and dropped
    log = capsys.readouterr().out
    assert ('Resuming at batch 3 of epoch 1: DefaultSampler cannot start '
            'part-way, so the 3 batches already trained on are loaded and '
            'dropped first') in log
    resumed = load_checkpoint_file(str(work / 'epoch_2.pth'))
    assert resumed['meta']['iter'] == ITERS
