"""Prefix renaming between official and our keys."""
import torch

from rspnet_mm.models.backbones.official_keys import (
    conv_bn_pairs,
    official_key_of,
    rename_official_keys,
)

PAIRS = [('conv1.', 'stem.conv.'), ('conv1.bn.', 'stem.bn_s.'),
         ('bn1.', 'stem.bn.')]


def test_longest_prefix_wins_and_unknown_keys_pass_through():
    state = {k: torch.zeros(1) for k in (
        'conv1.weight', 'conv1.bn.bias', 'bn1.running_mean', 'fc.weight',
        'other.weight')}
    out = rename_official_keys(state, PAIRS, drop_prefixes=('fc.', ))
    assert list(out) == ['stem.conv.weight', 'stem.bn_s.bias',
                         'stem.bn.running_mean', 'other.weight']


def test_official_key_of_inverts_the_pairs():
    assert official_key_of('stem.bn_s.bias', PAIRS) == 'conv1.bn.bias'
    assert official_key_of('stem.conv.weight', PAIRS) == 'conv1.weight'
    assert official_key_of('head.weight', PAIRS) == 'head.weight'


def test_conv_bn_pairs():
    assert conv_bn_pairs('a.', 'b.') == [('a.conv3d.', 'b.conv.'),
                                         ('a.bn.', 'b.bn.')]
