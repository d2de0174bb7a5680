"""tools/visualize_cam.py: PNG grid and GIF for a recognizer and for an
RSPNet pretraining checkpoint, read back and measured."""
import numpy as np
import pytest
import torch
from PIL import Image

from rspnet_mm.synthetic import write_clip
from rspnet_mm.testing.recipes import REPO_ROOT, load_tool

TINY_RSPNET = REPO_ROOT / 'tests' / 'data' / 'configs' / \
    'tiny_rspnet_synthetic.py'

RECOGNIZER = """
model = dict(
    type='Recognizer3D',
    backbone=dict(type='LiteC3D', channels=(8, 16),
                  strides=((1, 2, 2), (2, 2, 2))),
    cls_head=dict(type='I3DHead', num_classes=3, in_channels=16),
    data_preprocessor=dict(type='ActionDataPreprocessor', mean=[128] * 3,
                           std=[64] * 3, format_shape='NCTHW'))
test_dataloader = dict(dataset=dict(pipeline=[
    dict(type='DecordInit'), dict(type='SampleFrames', clip_len=8,
                                  num_clips=2, test_mode=True),
    dict(type='DecordDecode'), dict(type='Resize', scale=(-1, 32)),
    dict(type='ThreeCrop', crop_size=24),  # becomes a centre crop
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')]))
"""


@pytest.fixture(scope='module')
def video(tmp_path_factory):
    """A 20-frame 32x32 mp4 with a square sliding right."""
    frames = np.full((20, 32, 32, 3), 30, np.uint8)
    for t in range(20):
        frames[t, 10:20, 1 + t:11 + t] = (250, 200, 40)
    path = tmp_path_factory.mktemp('cam') / 'slide.mp4'
    write_clip(frames, path, 10)
    return str(path)


def _tool():
    return load_tool('visualize_cam')


def _check_files(result, clips, frames, tile):
    """PNG: 2 rows per clip x ``frames`` columns of ``tile`` px + 2 px gaps;
    GIF: ``frames`` images of clips x 2 tiles."""
    png = Image.open(result['png'])
    assert png.mode == 'RGB'
    assert png.size == (frames * (tile + 2) - 2, 2 * clips * (tile + 2) - 2)
    gif = Image.open(result['gif'])
    assert gif.n_frames == frames
    assert gif.size == (2 * (tile + 2) - 2, clips * (tile + 2) - 2)
    return np.asarray(png)


def test_recognizer_cam_of_the_predicted_and_a_chosen_class(tmp_path, video):
    config = tmp_path / 'recognizer.py'
    config.write_text(RECOGNIZER)
    from mmaction.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(str(config)).model)
    model.init_weights()
    checkpoint = tmp_path / 'model.pth'
    torch.save(dict(state_dict=model.state_dict()), checkpoint)

    out = tmp_path / 'out'
    result = _tool().main([str(config), str(checkpoint), video, '--out',
                           str(out)])
    # ThreeCrop became one centre crop: 2 clips of 8 frames at 24 px,
    # enlarged 3x to 72 px tiles
    image = _check_files(result, clips=2, frames=8, tile=72)
    assert result['png'] == str(out / 'slide_cam.png')
    assert result['layer'] == 'layers.1'
    assert result['target'].startswith('class ')
    # the first row holds the frames themselves: the square is there
    first = image[:72, :72].reshape(-1, 3)
    assert (np.abs(first.astype(int) - (250, 200, 40)).sum(1) < 60).any()

    chosen = _tool().main([str(config), str(checkpoint), video, '--out',
                           str(out), '--target-class', '2', '--layer',
                           'layers.0'])
    assert chosen['target'] == 'class 2' and chosen['layer'] == 'layers.0'
    with pytest.raises(ValueError, match='--target-class 7: the model has 3'):
        _tool().main([str(config), str(checkpoint), video, '--out',
                      str(out), '--target-class', '7'])


def test_rspnet_cam_of_the_speed_judgement(tmp_path, video):
    result = _tool().main([str(TINY_RSPNET), 'none', video, '--out',
                           str(tmp_path)])
    # q only: 4-frame views of 16 px, enlarged 4x to 64 px tiles
    _check_files(result, clips=1, frames=4, tile=64)
    assert result['target'] == 'rsp'
    assert -2 <= result['score'] <= 2  # a difference of two cosines
    with pytest.raises(ValueError, match='--target-class is for recogn'):
        _tool().main([str(TINY_RSPNET), 'none', video, '--out',
                      str(tmp_path), '--target-class', '1'])


def test_missing_files_are_named(tmp_path, video):
    with pytest.raises(FileNotFoundError, match='nope.pth not found'):
        _tool().main([str(TINY_RSPNET), str(tmp_path / 'nope.pth'), video])
