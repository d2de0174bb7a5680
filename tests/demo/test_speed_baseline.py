"""The frame-difference speed ranker and the val speed judgements."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from rspnet_mm.demo import speed_baseline
from rspnet_mm.inference import build_model
from rspnet_mm.testing.recipes import TINY_RSPNET_CONFIG


def _moving_bar(step, frames=6, size=16, width=4):
    """(3, T, H, W) clip of a bright bar moving ``step`` px a frame."""
    clip = torch.zeros(3, frames, size, size)
    for t in range(frames):
        clip[:, t, :, t * step:t * step + width] = 1.0
    return clip


def test_energy_is_the_mean_absolute_frame_difference():
    # each step, ``step`` columns go dark and ``step`` light up: 2 x step
    # columns of 16 px out of 256 change by 1, in every channel
    for step in (1, 2):
        assert speed_baseline.frame_diff_energy(_moving_bar(step)) == \
            pytest.approx(2 * step * 16 / 256)
    assert speed_baseline.frame_diff_energy(torch.ones(3, 4, 5, 5)) == 0


def test_ranker_picks_the_key_whose_motion_matches_q():
    still = torch.zeros(3, 6, 16, 16)
    slow, fast = _moving_bar(1), _moving_bar(2)
    views = torch.stack([torch.stack([slow, slow, fast]),  # right
                         torch.stack([slow, fast, slow]),  # k+ is wrong
                         torch.stack([still, still, fast])])  # right
    correct = speed_baseline.frame_diff_correct(views)
    assert correct.tolist() == [True, False, True]


def test_val_judgements_one_per_video_and_seeded(tiny_motion_set, tmp_path):
    torch.manual_seed(0)
    model = build_model(Config.fromfile(TINY_RSPNET_CONFIG), None)
    checkpoint = tmp_path / 'model.pth'
    torch.save(dict(state_dict=model.state_dict()), checkpoint)
    data_dir = osp.dirname(tiny_motion_set['root'])
    first = speed_baseline.speed_judgements(TINY_RSPNET_CONFIG,
                                            str(checkpoint), data_dir)
    again = speed_baseline.speed_judgements(TINY_RSPNET_CONFIG,
                                            str(checkpoint), data_dir)
    assert set(first) == {'rspnet', 'frame_diff'}
    for key in first:
        assert first[key].shape == (2, ) and first[key].dtype == bool
        np.testing.assert_array_equal(first[key], again[key])
    result = speed_baseline.speed_baseline_summary(
        dict(frame_diff=np.array([True, False, True, False]),
             rspnet=np.array([True, True, True, False])))
    assert result['frame_diff'] == 50.0 and result['rspnet'] == 75.0
    row = speed_baseline.format_speed_baseline(result, 4)
    assert '| rsp_acc | 50.0 | 75.0 | +25.0 [' in row
