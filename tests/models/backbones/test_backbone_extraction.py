"""Backbone config and weights out of an rspnet-mm checkpoint."""
import pytest
import torch
from mmengine.config import Config

from rspnet_mm.models.backbones import BackboneStateError
from rspnet_mm.models.backbones.backbone_extraction import (
    backbone_config_from_meta,
    extract_backbone,
)


def test_config_text_from_meta():
    text = Config(
        dict(model=dict(
            type='RSPNet',
            backbone=dict(type='HaraResNet3D', depth=10,
                          init_cfg=dict(type='Pretrained', checkpoint='x')))
             )).pretty_text
    cfg = backbone_config_from_meta({'cfg': text}, 'a.pth')
    assert cfg == {'type': 'HaraResNet3D', 'depth': 10}
    assert backbone_config_from_meta({'epoch': 1}, 'a.pth') is None


def test_config_without_backbone_or_unreadable():
    text = Config(dict(model=dict(type='RSPNet'))).pretty_text
    with pytest.raises(BackboneStateError, match='has no model.backbone'):
        backbone_config_from_meta({'cfg': text}, 'a.pth')
    with pytest.raises(BackboneStateError,
                       match=r"a.pth: meta\['cfg'\] is not a readable "
                       r'config .*pass --config'):
        backbone_config_from_meta({'cfg': 'model = dict('}, 'a.pth')


def test_no_backbone_weights():
    checkpoint = {'state_dict': {'cls_head.fc.weight': torch.zeros(1)}}
    with pytest.raises(BackboneStateError,
                       match=r"a.pth: no 'backbone.\*' weights in its "
                       r"state_dict \(first keys: \['cls_head.fc.weight'\]"):
        extract_backbone(checkpoint, 'a.pth', dict(type='S3DG'))
