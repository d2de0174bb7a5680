"""HaraResNet3D against the official 3D ResNet-18 (fixtures)."""
import math

import pytest
import torch

from rspnet_mm.models.backbones import HaraResNet3D
from rspnet_mm.models.backbones.official_conversion import (
    convert_official_state_dict,
)
from rspnet_mm.testing import (
    assert_close_to_official,
    load_manifest,
    official_backbone_weights,
    run_on_official_fixture,
)


def test_features_match_official(official_fixtures):
    """Compared on PyTorch's native conv kernel: features reach ~70 here and
    oneDNN's AVX2 kernels differ from the fixture's by up to 3.5e-4 (about
    1e-5 relative), beyond atol 1e-4 for small values; the native kernel
    stays within 1.8e-4 as the fixture README reports."""
    # not torch.backends.mkldnn.flags(): it warns about Intel GPU TF32
    mkldnn = torch.backends.mkldnn.enabled
    torch.backends.mkldnn.enabled = False
    try:
        feat, manifest, official = run_on_official_fixture(
            HaraResNet3D(depth=18), official_fixtures, 'resnet18')
    finally:
        torch.backends.mkldnn.enabled = mkldnn
    assert feat.shape == tuple(manifest['features_shape']) == (2, 512, 1, 4,
                                                               4)
    assert_close_to_official(feat, official)


def test_conversion_maps_shortcut_b(official_fixtures):
    official = official_backbone_weights(official_fixtures /
                                         'resnet18_manifest.json')
    ours = convert_official_state_dict(official, 'resnet18')
    assert len(official) == 122 and len(ours) == 120
    assert ours['conv1.conv.weight'] is official['conv1.weight']
    assert (ours['layer3.0.downsample.conv.weight'] is
            official['layer3.0.downsample.0.weight'])
    assert (ours['layer3.0.downsample.bn.running_var'] is
            official['layer3.0.downsample.1.running_var'])
    assert ours['layer4.1.conv2.bn.bias'] is official['layer4.1.bn2.bias']
    assert list(ours) == list(HaraResNet3D().state_dict())


def test_parameter_count_equals_official(official_fixtures):
    manifest = load_manifest(official_fixtures / 'resnet18_manifest.json')
    official = sum(
        math.prod(shape) for key, shape, _ in manifest['backbone_state_dict']
        if not key.startswith('fc.') and 'running' not in key
        and 'num_batches' not in key)
    model = HaraResNet3D()
    assert sum(p.numel() for p in model.parameters()) == official == 33203904


@pytest.mark.parametrize('depth, blocks', [(10, (1, 1, 1, 1)),
                                           (34, (3, 4, 6, 3))])
def test_other_depths(depth, blocks):
    model = HaraResNet3D(depth=depth)
    assert tuple(len(getattr(model, f'layer{i}')) for i in range(1, 5)) == (
        blocks)
    with pytest.raises(ValueError, match=r'depth must be one of \[10, 18'):
        HaraResNet3D(depth=50)


@pytest.mark.parametrize('shape, expected', [
    ((1, 3, 16, 224, 224), (1, 512, 1, 7, 7)),
    ((1, 3, 32, 112, 112), (1, 512, 2, 4, 4)),
    ((1, 3, 64, 224, 224), (1, 512, 4, 7, 7)),
    ((1, 3, 8, 112, 112), (1, 512, 1, 4, 4)),
])
def test_output_shape(shape, expected):
    model = HaraResNet3D().to('meta').eval()
    assert tuple(model(torch.empty(shape, device='meta')).shape) == expected
