"""The official-weight regeneration helper against the fixtures."""
import math
import zlib

import numpy as np
import pytest
import torch

from rspnet_mm.testing import (
    OFFICIAL_ARCHS,
    load_manifest,
    official_backbone_weights,
    official_checkpoint,
    official_input,
    official_pretrain_state_dict,
)
from rspnet_mm.testing.official_weights import fill_official_tensor


def test_input_rule_reproduces_the_fixture_input(official_fixtures):
    official = np.load(official_fixtures / 'c3d_reference.npz')
    np.testing.assert_array_equal(official_input().numpy(), official['input'])


def test_fill_rule():
    key = 'layer1.0.conv1.weight'
    gen = torch.Generator().manual_seed(zlib.crc32(key.encode()))
    expected = torch.randn(4, 2, 3, generator=gen) * math.sqrt(2 / 6)
    assert torch.equal(fill_official_tensor(key, (4, 2, 3)), expected)
    assert fill_official_tensor('bn.num_batches_tracked', ()).dtype == (
        torch.int64)
    var = fill_official_tensor('bn.running_var', (100, ))
    assert 0.5 <= var.min() and var.max() < 1.5


@pytest.mark.parametrize('arch', OFFICIAL_ARCHS)
def test_layouts_follow_the_manifest(official_fixtures, arch):
    manifest = load_manifest(official_fixtures / f'{arch}_manifest.json')
    backbone = official_backbone_weights(manifest)
    assert [[k, list(v.shape)] for k, v in backbone.items()] == [
        [k, s] for k, s, _ in manifest['backbone_state_dict']
    ]
    state = official_pretrain_state_dict(manifest, module_prefix=True)
    assert len(state) == manifest['num_pretrain_keys']
    assert [k[len('module.'):] for k in state] == [
        k for k, _, _ in manifest['pretrain_state_dict']
    ]
    first = next(iter(backbone))
    assert torch.equal(state[f'module.encoder_k.encoder.{first}'],
                       backbone[first])
    assert torch.allclose(state['module.queue'].norm(dim=0),
                          torch.ones(manifest['pretrain_state_dict'][0][1][1]))


def test_checkpoint_dict_like_pretrain_py(official_fixtures):
    checkpoint = official_checkpoint(official_fixtures / 's3dg_manifest.json')
    assert set(checkpoint) == {
        'epoch', 'arch', 'model', 'best_loss', 'optimizer', 'scheduler'
    }
    assert checkpoint['arch'] == 's3dg'
    assert 'arch' not in official_checkpoint(
        official_fixtures / 's3dg_manifest.json', with_arch=False)
