"""S3DG against the official S3D-G (fixtures at 112 and 224)."""
import numpy as np
import pytest
import torch

from rspnet_mm.models.backbones import S3DG
from rspnet_mm.models.backbones.official_conversion import (
    convert_official_state_dict,
)
from rspnet_mm.testing import (
    assert_close_to_official,
    load_manifest,
    official_backbone_weights,
    official_input,
    run_on_official_fixture,
)


def _official_s3dg(official_fixtures):
    manifest = load_manifest(official_fixtures / 's3dg_manifest.json')
    model = S3DG().eval()
    model.load_state_dict(
        convert_official_state_dict(official_backbone_weights(manifest),
                                    's3dg'),
        strict=True)
    return model, manifest


def test_features_match_official(official_fixtures):
    feat, manifest, official = run_on_official_fixture(
        S3DG(), official_fixtures, 's3dg')
    assert feat.shape == tuple(manifest['features_shape']) == (2, 1024, 2, 3,
                                                               3)
    assert_close_to_official(feat, official)


def test_features_match_official_at_224(official_fixtures):
    """The one slow test (about 5 s): S3D-G at 16x224x224."""
    model, _ = _official_s3dg(official_fixtures)
    official = np.load(official_fixtures / 's3dg_224_reference.npz')
    with torch.no_grad():
        feat = model(official_input((1, 3, 16, 224, 224), seed=0))
    assert list(feat.shape) == official['features_shape'].tolist() == [
        1, 1024, 2, 7, 7
    ]
    np.testing.assert_allclose(
        feat.mean((2, 3, 4)).numpy(), official['pooled'], rtol=1e-4, atol=1e-4)


def test_conversion_maps_every_official_key(official_fixtures):
    official = official_backbone_weights(official_fixtures /
                                         's3dg_manifest.json')
    ours = convert_official_state_dict(official, 's3dg')
    assert len(official) == 504 and len(ours) == 502
    assert (ours['conv_1a.conv_s.conv.weight'] is
            official['feature.sepConv1.sep_conv.0.conv3d.weight'])
    assert (ours['conv_1a.gate.bias'] is
            official['feature.sepConv1.excitation.bias'])
    assert (ours['mixed_4e.branch2_sep.conv_t.bn.running_var'] is
            official['feature.sepInc_4e.branch2.1.sep_conv.1.bn.running_var'])
    assert (ours['mixed_5c.branch3_proj.conv.weight'] is
            official['feature.sepInc_5c.branch3.1.conv3d.weight'])
    assert list(ours) == list(S3DG().state_dict())


def test_bn_and_gate_follow_the_official_model():
    model = S3DG()
    bn = model.mixed_3b.branch1_sep.conv_t.bn
    assert (bn.eps, bn.momentum) == (1e-3, 1e-3)
    assert model.conv_1a.conv_s.conv.stride == (2, 2, 2)
    assert model.conv_1a.conv_t.conv.stride == (1, 1, 1)
    assert S3DG(gate=False).conv_2c.gate is None
    n_params = sum(p.numel() for p in model.parameters())
    assert n_params == 8_675_744


def test_gate_scales_channels_by_sigmoid_of_mean():
    sep = S3DG().conv_2c.eval()
    x = torch.randn(2, 64, 3, 5, 5)
    with torch.no_grad():
        ungated = sep.conv_t(sep.conv_s(x))
        weight = sep.gate.weight.flatten(1) @ ungated.mean(
            (2, 3, 4)).T + sep.gate.bias[:, None]  # [C, N]
        expected = torch.sigmoid(weight.T)[..., None, None, None] * ungated
        torch.testing.assert_close(sep(x), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('shape, expected', [
    ((1, 3, 16, 224, 224), (1, 1024, 2, 7, 7)),
    ((1, 3, 64, 224, 224), (1, 1024, 8, 7, 7)),
    ((1, 3, 32, 112, 112), (1, 1024, 4, 3, 3)),
    ((1, 3, 5, 17, 17), (1, 1024, 1, 1, 1)),
])
def test_output_shape(shape, expected):
    model = S3DG().to('meta').eval()
    assert tuple(model(torch.empty(shape, device='meta')).shape) == expected


def test_too_small_input_is_refused():
    model = S3DG().to('meta')
    with pytest.raises(ValueError, match='at least 5 frames and 17x17'):
        model(torch.empty(1, 3, 4, 112, 112, device='meta'))
    with pytest.raises(ValueError, match=r'\(N, 3, T, H, W\), got \(1, 16'):
        model(torch.empty(1, 16, 3, 112, 112, device='meta'))
