"""VCOPR2Plus1D against the official R2Plus1DNet (fixtures)."""
import pytest
import torch

from rspnet_mm.models.backbones import VCOPR2Plus1D
from rspnet_mm.models.backbones.official_conversion import (
    convert_official_state_dict,
    rename_key,
)
from rspnet_mm.models.backbones.vcop_r2plus1d import (
    FactorisedConv3d,
    official_keys,
    vcop_mid_channels,
)
from rspnet_mm.testing import (
    assert_close_to_official,
    official_backbone_weights,
    run_on_official_fixture,
)


def test_features_match_official(official_fixtures):
    feat, manifest, official = run_on_official_fixture(
        VCOPR2Plus1D(), official_fixtures, 'r2plus1d-vcop')
    assert feat.shape == tuple(manifest['features_shape']) == (2, 512, 2, 7,
                                                               7)
    assert_close_to_official(feat, official)


def test_conversion_maps_block_and_shortcut_keys(official_fixtures):
    official = official_backbone_weights(official_fixtures /
                                         'r2plus1d-vcop_manifest.json')
    ours = convert_official_state_dict(official, 'r2plus1d-vcop')
    assert len(official) == 146 and len(ours) == 144
    assert (ours['conv1.conv.conv_s.weight'] is
            official['conv1.spatial_conv.weight'])
    assert ours['conv1.bn.bias'] is official['bn1.bias']
    assert (ours['layer2.0.downsample.conv.bn_s.running_mean'] is
            official['conv3.block1.downsampleconv.bn.running_mean'])
    assert (ours['layer4.0.downsample.bn.weight'] is
            official['conv5.block1.downsamplebn.weight'])
    assert (ours['layer1.0.conv2.conv.conv_t.weight'] is
            official['conv2.block1.conv2.temporal_conv.weight'])
    assert set(ours) == set(VCOPR2Plus1D().state_dict())


def test_deeper_layers_map_blocks_list():
    model = VCOPR2Plus1D(layer_sizes=(2, 1, 1, 1))
    official = {'conv2.blocks.0.bn2.weight': torch.ones(64)}
    pairs = official_keys(layer_sizes=(2, 1, 1, 1))
    ours = [rename_key(k, pairs) for k in official]
    assert ours == ['layer1.1.conv2.bn.weight']
    assert rename_key(ours[0], pairs, to_official=True) == next(iter(official))
    assert 'layer1.1.conv2.bn.weight' in model.state_dict()


@pytest.mark.parametrize('cin, cout, kernel, mid', [
    (3, 64, (3, 7, 7), 83),
    (64, 128, (1, 1, 1), 42),
    (256, 512, (3, 3, 3), 921),
    (512, 512, (3, 3, 3), 1152),
])
def test_mid_channels_follow_vcop(cin, cout, kernel, mid):
    assert vcop_mid_channels(cin, cout, kernel) == mid
    assert FactorisedConv3d(cin, cout, kernel).conv_s.out_channels == mid


@pytest.mark.parametrize('shape, expected', [
    ((1, 3, 16, 224, 224), (1, 512, 2, 14, 14)),
    ((1, 3, 32, 112, 112), (1, 512, 4, 7, 7)),
    ((1, 3, 8, 112, 112), (1, 512, 1, 7, 7)),
    ((1, 3, 1, 16, 16), (1, 512, 1, 1, 1)),
])
def test_output_shape(shape, expected):
    model = VCOPR2Plus1D().to('meta').eval()
    assert tuple(model(torch.empty(shape, device='meta')).shape) == expected


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match='layer_sizes must be 4'):
        VCOPR2Plus1D(layer_sizes=(1, 1, 1))
    with pytest.raises(ValueError, match='dilation 1'):
        FactorisedConv3d(3, 8, 3, dilation=2)
