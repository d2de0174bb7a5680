"""tools/extract_backbone.py on a fake rspnet-mm training checkpoint."""

import pytest
import torch
from mmaction.registry import MODELS
from mmengine.config import Config
from mmengine.logging import HistoryBuffer

from rspnet_mm.testing.recipes import load_tool

BACKBONE = dict(type='S3DG', gate=False)


tool = load_tool('extract_backbone')


def _config(backbone):
    return Config(
        dict(
            model=dict(
                type='RSPNet',
                backbone=dict(backbone, pretrained='old.pth'),
                rsp_head=dict(type='RSPHead', in_channels=1024))))


@pytest.fixture(scope='module')
def backbone_state():
    torch.manual_seed(0)
    return MODELS.build(dict(BACKBONE)).state_dict()


def _write_checkpoint(path, state, with_cfg=True):
    meta = {'epoch': 3, 'iter': 30, 'seed': 0}
    if with_cfg:
        meta['cfg'] = _config(BACKBONE).pretty_text
    buffer = HistoryBuffer()
    buffer.update(1.5)
    torch.save({
        'meta': meta,
        'state_dict': {
            **{f'backbone.{k}': v for k, v in state.items()},
            'rsp_head.fc.weight': torch.zeros(128, 1024),
            'key_encoder.module.backbone.conv_2b.conv.weight':
            torch.zeros(1),
            'queue': torch.zeros(128, 8),
        },
        'message_hub': {'log_scalars': {'train/loss': buffer}},
    }, path)


def test_extracts_with_the_stored_config(tmp_path, backbone_state, capsys):
    # the output folder does not exist yet (checkpoints/ on a fresh clone)
    src, dst = tmp_path / 'epoch_3.pth', tmp_path / 'new' / 'backbone.pth'
    _write_checkpoint(src, backbone_state)
    assert tool.main([str(src), str(dst)]) == 0
    assert 'wrote' in capsys.readouterr().out
    saved = torch.load(dst, weights_only=True)
    assert saved['meta'] == {
        'backbone': BACKBONE, 'source': str(src),
        'format': 'rspnet_mm.backbone', 'epoch': 3, 'iter': 30
    }
    state = {k[len('backbone.'):]: v for k, v in saved['state_dict'].items()}
    assert list(state) == list(backbone_state)
    assert all(torch.equal(state[k], v) for k, v in backbone_state.items())
    model = MODELS.build(dict(type='S3DG', gate=False, pretrained=str(dst)))
    model.init_weights()
    assert torch.equal(model.conv_2c.conv_t.conv.weight,
                       backbone_state['conv_2c.conv_t.conv.weight'])


def test_config_argument(tmp_path, backbone_state, capsys):
    src, dst = tmp_path / 'no_cfg.pth', tmp_path / 'backbone.pth'
    _write_checkpoint(src, backbone_state, with_cfg=False)
    assert tool.main([str(src), str(dst)]) == 1
    assert "stores no config (meta['cfg']); pass --config" in (
        capsys.readouterr().err)
    config = tmp_path / 'pretrain.py'
    _config(BACKBONE).dump(config)
    assert tool.main([str(src), str(dst), '--config', str(config)]) == 0
    assert torch.load(dst, weights_only=True)['meta']['backbone'] == BACKBONE


def test_config_that_does_not_fit_is_an_error(tmp_path, backbone_state,
                                              capsys):
    src = tmp_path / 'epoch_3.pth'
    _write_checkpoint(src, backbone_state)
    config = tmp_path / 'gated.py'
    _config(dict(type='S3DG')).dump(config)
    assert tool.main([str(src), str(tmp_path / 'b.pth'), '--config',
                      str(config)]) == 1
    err = capsys.readouterr().err
    assert ('does not fit S3DG (502 keys): 40 missing keys (conv_1a.gate.'
            'weight, conv_1a.gate.bias, ' in err)
    assert "Config: {'type': 'S3DG'}" in err


def test_official_checkpoint_is_pointed_to_the_converter(tmp_path, capsys):
    src = tmp_path / 'official.pth.tar'
    torch.save({'model': {'queue': torch.zeros(2)}, 'arch': 'c3d'}, src)
    assert tool.main([str(src), str(tmp_path / 'b.pth')]) == 1
    assert ('convert it first with tools/convert_official_checkpoint.py'
            in capsys.readouterr().err)
