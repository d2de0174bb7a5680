"""VCOPC3D against the official C3D (fixtures) and its shape rules."""
import pytest
import torch

from rspnet_mm.models.backbones import VCOPC3D
from rspnet_mm.models.backbones.official_conversion import (
    convert_official_state_dict,
)
from rspnet_mm.testing import (
    assert_close_to_official,
    official_backbone_weights,
    run_on_official_fixture,
)


def test_features_match_official(official_fixtures):
    feat, manifest, official = run_on_official_fixture(
        VCOPC3D(), official_fixtures, 'c3d')
    assert feat.shape == tuple(manifest['features_shape']) == (2, 512, 2, 7,
                                                               7)
    assert_close_to_official(feat, official)


def test_conversion_renames_and_drops_classifier(official_fixtures):
    official = official_backbone_weights(official_fixtures /
                                         'c3d_manifest.json')
    ours = convert_official_state_dict(official, 'c3d')
    assert len(official) == 58 and len(ours) == 56
    assert ours['conv3a.conv.bias'] is official['conv3a.bias']
    assert ours['conv5b.bn.running_var'] is official['bn5b.running_var']
    assert not any(k.startswith('linear.') for k in ours)
    assert list(ours) == list(VCOPC3D().state_dict())


@pytest.mark.parametrize('shape, expected', [
    ((1, 3, 16, 224, 224), (1, 512, 2, 14, 14)),
    ((2, 3, 32, 112, 112), (2, 512, 4, 7, 7)),
    ((1, 3, 8, 112, 112), (1, 512, 1, 7, 7)),
    ((1, 3, 64, 112, 112), (1, 512, 8, 7, 7)),
])
def test_output_shape(shape, expected):
    model = VCOPC3D().to('meta').eval()
    assert tuple(model(torch.empty(shape, device='meta')).shape) == expected
    assert model.out_channels == expected[1]


def test_too_short_clip_is_refused():
    model = VCOPC3D().to('meta')
    with pytest.raises(ValueError, match='at least 8 frames and 16x16'):
        model(torch.empty(1, 3, 7, 112, 112, device='meta'))
