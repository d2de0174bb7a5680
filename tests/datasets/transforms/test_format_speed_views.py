import numpy as np
import pytest
import torch
from mmaction.models import ActionDataPreprocessor
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import init_default_scope

from rspnet_mm.datasets.transforms import FormatSpeedViews

MEAN, STD = [123.675, 116.28, 103.53], [58.395, 57.12, 57.375]


def pipeline(size=32, speeds=(1, 2)):
    init_default_scope('mmaction')
    return Compose([
        dict(type='RelativeSpeedSampler', speeds=speeds),
        dict(type='PerWindowAugment', size=size),
        dict(type='FormatSpeedViews'),
        dict(type='PackActionInputs', algorithm_keys=('speeds', )),
    ])


def test_gathers_views_from_their_windows():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 256, (4, 6, 5, 3), dtype=np.uint8)
    b = rng.integers(0, 256, (6, 6, 5, 3), dtype=np.uint8)
    rows = np.array([[0, 1, 2, 3], [0, 1, 2, 3], [0, 2, 4, 5]])
    out = FormatSpeedViews()(dict(windows=[a, b], window_view_rows=rows,
                                  speeds=np.array([1, 1, 2])))
    imgs = out['imgs']
    assert imgs.shape == (3, 3, 4, 6, 5) and imgs.dtype == np.uint8
    assert out['input_shape'] == (3, 3, 4, 6, 5)
    for view, window in enumerate((a, b, b)):
        for t in range(4):
            np.testing.assert_array_equal(imgs[view][:, t],
                                          window[rows[view][t]].transpose(
                                              2, 0, 1))
    assert out['speeds'].dtype == torch.int64
    assert out['speeds'].tolist() == [1, 1, 2]
    assert 'windows' not in out and 'window_view_rows' not in out


def test_missing_key_error():
    with pytest.raises(KeyError, match="needs results\\['windows'\\]"):
        FormatSpeedViews()(dict(speeds=[1, 1, 2]))


def test_packed_sample(video_dir):
    np.random.seed(0)
    packed = pipeline(size=32, speeds=(1, 2, 4))(
        dict(filename=str(video_dir / 'v80.mp4')))
    inputs, sample = packed['inputs'], packed['data_samples']
    assert inputs.shape == (3, 3, 16, 32, 32) and inputs.dtype == torch.uint8
    assert isinstance(sample.speeds, torch.Tensor)
    assert sample.speeds.dtype == torch.int64
    s_q, s_kpos, s_neg = sample.speeds.tolist()
    assert s_q == s_kpos != s_neg and {s_q, s_neg} <= {1, 2, 4}


def test_batch_goes_through_action_data_preprocessor(video_dir):
    np.random.seed(1)
    pipe = pipeline(size=24)
    batch = pseudo_collate([
        pipe(dict(filename=str(video_dir / name)))
        for name in ('v80.mp4', 'v20.mp4')
    ])
    preprocessor = ActionDataPreprocessor(mean=MEAN, std=STD,
                                          format_shape='NCTHW')
    out = preprocessor(batch, training=True)
    inputs = out['inputs']
    assert inputs.shape == (2, 3, 3, 16, 24, 24)
    assert inputs.dtype == torch.float32
    raw = torch.stack(batch['inputs']).float()
    mean = torch.tensor(MEAN).view(3, 1, 1, 1)
    std = torch.tensor(STD).view(3, 1, 1, 1)
    torch.testing.assert_close(inputs, (raw - mean) / std)
    speeds = torch.stack([s.speeds for s in out['data_samples']])
    assert speeds.shape == (2, 3) and speeds.dtype == torch.int64
