"""Official pre-training checkpoints -> backbone / recognizer layout."""
import copy

import pytest
import torch
from mmaction.registry import MODELS
from mmengine.model import ExponentialMovingAverage
from torch import nn

from rspnet_mm.models.backbones import BackboneStateError
from rspnet_mm.models.backbones.official_conversion import (
    OFFICIAL_ARCHS,
    convert_official_checkpoint,
    convert_official_state_dict,
    rename_key,
)
from rspnet_mm.testing import (
    load_manifest,
    official_backbone_weights,
    official_checkpoint,
)


@pytest.fixture(scope='module')
def s3dg_checkpoint(official_fixtures):
    return official_checkpoint(official_fixtures / 's3dg_manifest.json')


def _with_model(checkpoint, **changes):
    out = dict(checkpoint)
    out['model'] = copy.copy(checkpoint['model'])
    for key, value in changes.items():
        if value is None:
            del out['model'][key]
        else:
            out['model'][key] = value
    return out


def test_every_supported_arch_has_fixtures(official_fixtures):
    assert sorted(OFFICIAL_ARCHS) == [
        'c3d', 'r2plus1d-vcop', 'resnet18', 's3dg']
    for arch in OFFICIAL_ARCHS:
        assert (official_fixtures / f'{arch}_manifest.json').is_file()
        assert (official_fixtures / f'{arch}_reference.npz').is_file()


@pytest.mark.parametrize('arch', OFFICIAL_ARCHS)
def test_key_table_renames_every_official_key_and_back(official_fixtures,
                                                       arch):
    spec = OFFICIAL_ARCHS[arch]
    official = official_backbone_weights(official_fixtures /
                                         f'{arch}_manifest.json')
    kept = [k for k in official
            if not k.startswith(spec['module'].OFFICIAL_CLASSIFIER)]
    assert len(kept) == len(official) - 2  # the classifier's weight, bias
    ours = [rename_key(k, spec['module'].OFFICIAL_KEYS) for k in kept]
    model_keys = MODELS.build(dict(spec['backbone'])).state_dict()
    assert sorted(ours) == sorted(model_keys)
    back = [rename_key(k, spec['module'].OFFICIAL_KEYS, to_official=True)
            for k in ours]
    assert back == kept


def test_rename_key_matches_whole_name_parts():
    pairs = [('conv1.', 'conv1.conv.'), ('bn1.', 'conv1.bn.')]
    assert rename_key('layer1.conv1.weight', pairs) == (
        'layer1.conv1.conv.weight')
    assert rename_key('bn1.bias', pairs) == 'conv1.bn.bias'
    assert rename_key('sepconv1.weight', pairs) == 'sepconv1.weight'
    assert rename_key('conv1.bn.bias', pairs, to_official=True) == 'bn1.bias'


@pytest.mark.parametrize('arch', OFFICIAL_ARCHS)
def test_backbone_and_full_layouts(official_fixtures, arch):
    manifest = load_manifest(official_fixtures / f'{arch}_manifest.json')
    checkpoint = official_checkpoint(
        manifest, with_arch=False, module_prefix=True)
    model = {k[len('module.'):]: v for k, v in checkpoint['model'].items()}

    # Backbone only; the arch is recognised from the keys.
    out = convert_official_checkpoint(checkpoint, source='ckpt.pth.tar')
    assert out['meta'] == {
        'backbone': OFFICIAL_ARCHS[arch]['backbone'],
        'arch': arch,
        'source': 'ckpt.pth.tar',
        'format': 'rspnet_mm.backbone',
        'official_epoch': 200,
    }
    expected = convert_official_state_dict(
        {k[len('encoder_q.encoder.'):]: v for k, v in model.items()
         if k.startswith('encoder_q.encoder.')}, arch)
    assert out['state_dict'] == {f'backbone.{k}': v
                                 for k, v in expected.items()}
    MODELS.build(out['meta']['backbone']).load_state_dict(expected,
                                                          strict=True)

    # Full recognizer layout: the 1-output classifier (weight, bias) goes
    # from both encoders, key_encoder.steps comes in.
    state = convert_official_checkpoint(checkpoint, full=True)['state_dict']
    assert len(state) == manifest['num_pretrain_keys'] - 4 + 1
    assert {k.split('.')[0] for k in state} == {
        'backbone', 'rsp_head', 'avid_head', 'key_encoder', 'queue',
        'queue_ptr'
    }
    assert state['rsp_head.fc.weight'] is model['encoder_q.fc2.2.weight']
    assert state['avid_head.fc.bias'] is model['encoder_q.fc1.2.bias']
    assert (state['key_encoder.module.rsp_head.fc.bias'] is
            model['encoder_k.fc2.2.bias'])
    first_official = next(k for k in model if k.startswith('encoder_k.'))
    assert (state[f'key_encoder.module.backbone.{next(iter(expected))}'] is
            model[first_official])
    assert torch.equal(state['queue'], model['queue'])
    assert state['queue'].shape == (128, 16384)
    assert state['queue_ptr'].dtype == torch.int64
    assert state['key_encoder.steps'].item() == 1


def test_full_meta(s3dg_checkpoint):
    meta = convert_official_checkpoint(s3dg_checkpoint, full=True)['meta']
    assert meta['format'] == 'rspnet_mm.rspnet'
    assert meta['queue_len'] == 16384
    assert meta['heads'] == dict(proj_type='linear', feat_dim=128)
    assert meta['backbone'] == dict(type='S3DG') and meta['arch'] == 's3dg'


def test_full_layout_fits_an_ema_key_encoder(s3dg_checkpoint):
    """The layout the recognizer has: EMA(ModuleDict(backbone, heads))."""
    out = convert_official_checkpoint(s3dg_checkpoint, full=True)

    def encoder():
        head = nn.Module()
        head.fc = nn.Linear(1024, 128)
        return nn.ModuleDict(
            dict(backbone=MODELS.build(dict(type='S3DG')),
                 rsp_head=head, avid_head=copy.deepcopy(head)))

    query = encoder()
    model = nn.Module()
    model.backbone = query['backbone']
    model.rsp_head = query['rsp_head']
    model.avid_head = query['avid_head']
    model.key_encoder = ExponentialMovingAverage(encoder())
    model.register_buffer('queue', torch.zeros(128, 16384))
    model.register_buffer('queue_ptr', torch.zeros(1, dtype=torch.long))
    model.load_state_dict(out['state_dict'], strict=True)
    assert model.key_encoder.steps.item() == 1


@pytest.mark.parametrize('given, match', [
    (dict(arch='c3d'), "x.pth.tar: --arch is 'c3d', but the backbone keys "
     "are those of 's3dg'.*; use --arch s3dg or a checkpoint of c3d"),
    (dict(file_arch='resnet18'), "its 'arch' entry is 'resnet18', but the "
     "backbone keys are those of 's3dg'"),
    (dict(file_arch='slowfast'), "unsupported arch 'slowfast'"),
])
def test_conflicting_or_unknown_arch(s3dg_checkpoint, given, match):
    checkpoint = dict(s3dg_checkpoint)
    if 'file_arch' in given:
        checkpoint['arch'] = given['file_arch']
    with pytest.raises(ValueError, match=match):
        convert_official_checkpoint(
            checkpoint, arch=given.get('arch'), source='x.pth.tar')


def test_unrecognisable_keys_without_arch():
    checkpoint = {'model': {'encoder_q.encoder.mystery.weight': torch.ones(1)}}
    with pytest.raises(ValueError,
                       match="x.pth.tar: cannot tell the architecture.*"
                       r"\['mystery.weight'\]\); pass --arch"):
        convert_official_checkpoint(checkpoint, source='x.pth.tar')


def test_missing_backbone_keys_are_named_officially(s3dg_checkpoint):
    key = 'encoder_q.encoder.feature.sepInc_5c.branch0.bn.weight'
    checkpoint = _with_model(s3dg_checkpoint, **{key: None})
    with pytest.raises(BackboneStateError,
                       match=r'x.pth.tar \(encoder_q.encoder.\*\) does not '
                       r'fit S3DG \(502 keys\): 1 missing keys \('
                       + key.replace('.', r'\.') +
                       r"\)\. Expected an official 's3dg' backbone"):
        convert_official_checkpoint(checkpoint, source='x.pth.tar')


def test_unexpected_and_misshapen_keys(s3dg_checkpoint):
    checkpoint = _with_model(
        s3dg_checkpoint, **{
            'encoder_q.encoder.feature.extra.weight': torch.ones(3),
            'encoder_q.encoder.feature.sepConv1.excitation.bias':
            torch.ones(32),
        })
    with pytest.raises(BackboneStateError,
                       match=r'1 unexpected keys \(feature.extra.weight\); '
                       r'1 shape mismatches \(conv_1a.gate.bias: file '
                       r'\(32,\) vs model \(64,\)\)'):
        convert_official_checkpoint(checkpoint)


def test_key_encoder_is_checked_for_full(s3dg_checkpoint):
    key = 'encoder_k.encoder.feature.sepConv1.sep_conv.0.conv3d.weight'
    checkpoint = _with_model(s3dg_checkpoint, **{key: None})
    convert_official_checkpoint(checkpoint)  # the backbone alone is fine
    with pytest.raises(BackboneStateError,
                       match=r'\(encoder_k.encoder.\*\).*1 missing keys \('
                       + key.replace('.', r'\.')):
        convert_official_checkpoint(checkpoint, full=True)


def test_full_needs_linear_heads_and_queue(s3dg_checkpoint):
    checkpoint = _with_model(
        s3dg_checkpoint, **{'encoder_q.fc1.0.weight': torch.ones(2)})
    with pytest.raises(ValueError, match=r"keys --full cannot map: \["
                       r"'encoder_q.fc1.0.weight'\]"):
        convert_official_checkpoint(checkpoint, full=True)
    checkpoint = _with_model(s3dg_checkpoint, **{'encoder_k.fc2.2.bias': None})
    with pytest.raises(ValueError, match=r'missing encoder_k.fc2.2.bias \(the '
                       r'rsp_head projection\)'):
        convert_official_checkpoint(checkpoint, full=True)
    checkpoint = _with_model(s3dg_checkpoint, queue=None)
    with pytest.raises(ValueError, match="missing 'queue'"):
        convert_official_checkpoint(checkpoint, full=True)


def test_own_checkpoint_is_pointed_to_extract_backbone():
    checkpoint = {'state_dict': {'backbone.conv1.weight': torch.ones(1)}}
    with pytest.raises(ValueError,
                       match="not an official RSPNet pre-training checkpoint"
                       ".*use tools/extract_backbone.py"):
        convert_official_checkpoint(checkpoint, source='mine.pth')
