"""Backbone checkpoint files: strict checks, pretrained=, save format,
extraction from an rspnet-mm checkpoint."""
import pytest
import torch
from mmaction.registry import MODELS
from mmengine.config import Config
from torch import nn

from rspnet_mm.models.backbones import BackboneStateError
from rspnet_mm.models.backbones.backbone_checkpoint import (
    backbone_config_from_meta,
    check_backbone_state_dict,
    extract_backbone,
    load_backbone_checkpoint,
    plain_backbone_config,
    save_plain_checkpoint,
)


@pytest.fixture(scope='module')
def s3dg_file(tmp_path_factory):
    """A converter-format S3DG checkpoint with random weights."""
    torch.manual_seed(0)
    model = MODELS.build(dict(type='S3DG'))
    model.init_weights()
    state = model.state_dict()
    path = tmp_path_factory.mktemp('ckpt') / 's3dg_backbone.pth'
    save_plain_checkpoint(
        str(path), {
            'state_dict': {f'backbone.{k}': v
                           for k, v in state.items()},
            'meta': {'backbone': {'type': 'S3DG'}, 'arch': 's3dg'},
        })
    return path, state


def test_pretrained_loads_strictly(s3dg_file):
    path, state = s3dg_file
    model = MODELS.build(dict(type='S3DG', pretrained=str(path)))
    model.init_weights()
    loaded = model.state_dict()
    assert all(torch.equal(loaded[k], v) for k, v in state.items())


def test_file_is_tensors_and_plain_values(s3dg_file):
    path, state = s3dg_file
    saved = torch.load(path, weights_only=True)
    assert saved['meta'] == {'backbone': {'type': 'S3DG'}, 'arch': 's3dg'}
    assert len(saved['state_dict']) == len(state) == 502
    assert all(k.startswith('backbone.') for k in saved['state_dict'])


def test_wrong_architecture_file_is_refused(s3dg_file):
    path, _ = s3dg_file
    model = MODELS.build(dict(type='VCOPC3D', pretrained=str(path)))
    with pytest.raises(BackboneStateError,
                       match=r's3dg_backbone.pth holds a S3DG backbone .* '
                       r'being loaded into VCOPC3D; use backbone='):
        model.init_weights()


def test_wrong_architecture_state_dict_names_the_keys(s3dg_file):
    _, state = s3dg_file
    with pytest.raises(BackboneStateError) as info:
        check_backbone_state_dict(
            MODELS.build(dict(type='VCOPC3D')), state, 'weights.pth')
    message = str(info.value)
    assert message.startswith('weights.pth does not fit VCOPC3D (56 keys): '
                              '56 missing keys (conv1.conv.weight, '
                              'conv1.conv.bias, ')
    assert '502 unexpected keys (conv_1a.conv_s.conv.weight' in message
    assert '(51 more)' in message


def test_shape_mismatch_is_named():
    model = MODELS.build(dict(type='HaraResNet3D'))
    state = model.state_dict()
    state['layer4.1.conv2.conv.weight'] = torch.zeros(512, 512, 1, 3, 3)
    with pytest.raises(BackboneStateError,
                       match=r'1 shape mismatches \(layer4.1.conv2.conv.'
                       r'weight: file \(512, 512, 1, 3, 3\) vs model '
                       r'\(512, 512, 3, 3, 3\)\)'):
        check_backbone_state_dict(model, state, 'x.pth')


def test_official_keys_get_a_conversion_hint():
    model = MODELS.build(dict(type='VCOPC3D'))
    state = {'encoder_q.encoder.conv1.weight': torch.zeros(1)}
    with pytest.raises(BackboneStateError,
                       match='convert it first with tools/convert_official_'
                       'checkpoint.py'):
        check_backbone_state_dict(model, state, 'official.pth.tar')


def test_recognizer_checkpoint_gives_the_query_backbone(tmp_path):
    model = nn.Sequential(nn.Linear(2, 1))
    path = tmp_path / 'epoch_3.pth'
    torch.save({
        'state_dict': {
            'module.backbone.0.weight': torch.ones(1, 2),
            'backbone.0.bias': torch.ones(1),
            'key_encoder.module.backbone.0.weight': torch.zeros(1, 2),
            'rsp_head.fc.weight': torch.zeros(2),
        },
        'meta': {'epoch': 3},
    }, path)
    load_backbone_checkpoint(model, str(path))
    assert torch.equal(model[0].weight, torch.ones(1, 2))
    torch.save({'meta': {}}, path)
    with pytest.raises(BackboneStateError, match='epoch_3.pth holds no '
                       r'weights \(top-level keys: meta\)'):
        load_backbone_checkpoint(model, str(path))


def test_official_file_as_pretrained_gets_a_conversion_hint(tmp_path):
    path = tmp_path / 'model_best_c3d.pth.tar'
    torch.save({'arch': 'c3d', 'epoch': 200,
                'model': {'queue': torch.zeros(2)}}, path)
    model = MODELS.build(dict(type='VCOPC3D', pretrained=str(path)))
    with pytest.raises(BackboneStateError,
                       match="has 'model' but no 'state_dict'.*convert it "
                       'first with tools/convert_official_checkpoint.py'):
        model.init_weights()


def test_plain_backbone_config_drops_weight_sources():
    cfg = plain_backbone_config(
        dict(type='S3DG', gate=False, pretrained='a.pth',
             init_cfg=dict(type='Pretrained'), norm_cfg=dict(type='BN3d')))
    assert cfg == dict(type='S3DG', gate=False, norm_cfg=dict(type='BN3d'))
    with pytest.raises(BackboneStateError, match='backbone.act=<object'):
        plain_backbone_config(dict(type='S3DG', act=object()))


def test_config_text_from_meta():
    text = Config(
        dict(model=dict(
            type='RSPNet',
            backbone=dict(type='HaraResNet3D', depth=10,
                          init_cfg=dict(type='Pretrained', checkpoint='x')))
             )).pretty_text
    cfg = backbone_config_from_meta({'cfg': text}, 'a.pth')
    assert cfg == {'type': 'HaraResNet3D', 'depth': 10}
    with pytest.raises(BackboneStateError,
                       match=r"a.pth stores no config \(meta\['cfg'\]\); "
                       'pass --config with the pretraining config'):
        backbone_config_from_meta({'epoch': 1}, 'a.pth')


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
