"""The demo's CAM panel: rows per clip and initialisation, the figure it
is appended to."""
import os.path as osp

import numpy as np
import torch
from mmengine.config import Config
from PIL import Image

from rspnet_mm.demo import cam_panel
from rspnet_mm.inference import build_model
from rspnet_mm.testing.recipes import TINY_RSPNET_CONFIG


def test_panel_shows_each_clip_for_both_initialisations(tiny_motion_set,
                                                        tmp_path):
    torch.manual_seed(7)  # another initialisation than the random row's
    model = build_model(Config.fromfile(TINY_RSPNET_CONFIG), None)
    checkpoint = tmp_path / 'pretrained.pth'
    torch.save(dict(state_dict=model.state_dict()), checkpoint)
    data_dir = osp.dirname(tiny_motion_set['root'])
    videos = cam_panel.val_videos(data_dir, 2)
    assert len(videos) == 2 and all(v.endswith('.mp4') for v in videos)

    rows, names = cam_panel.cam_rows(
        TINY_RSPNET_CONFIG, {'RSPNet': str(checkpoint), 'random init': None},
        videos)
    # per clip: frames, RSPNet, random; 4-frame views of 16 px, every 2nd
    assert rows.shape == (6, 2, 16, 16, 3) and rows.dtype == np.uint8
    assert names == ['val clip 0', 'RSPNet', 'random init',
                     'val clip 1', 'RSPNet', 'random init']
    assert not np.array_equal(rows[1], rows[2])  # other weights, other map
    assert not np.array_equal(rows[0], rows[1])  # the overlay is drawn
    assert not np.array_equal(rows[0], rows[3])  # another clip

    panel = cam_panel.draw_panel(rows, names, 'title',
                                 str(tmp_path / 'panel.png'))
    image = Image.open(panel)
    # 16 px tiles enlarged 4x, 2 px gaps, 96 px of names, 20 px of title
    assert image.size == (96 + 2 * 66 - 2, 20 + 6 * 66 - 2)

    figure = tmp_path / 'figure.png'
    Image.new('RGB', (300, 50), (0, 0, 0)).save(figure)
    cam_panel.append_below(str(figure), panel)
    both = np.asarray(Image.open(figure))
    assert both.shape == (50 + image.size[1], 300, 3)
    assert (both[:50] == 0).all()
    np.testing.assert_array_equal(both[50:, :image.size[0]],
                                  np.asarray(image))
