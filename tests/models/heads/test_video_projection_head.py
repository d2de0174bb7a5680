import pytest
import torch
import torch.nn.functional as F
from mmaction.registry import MODELS

from rspnet_mm.models.heads import VideoProjectionHead


def test_linear_head_pools_projects_and_normalises():
    head = VideoProjectionHead(in_channels=16, feat_dim=8)
    feat = torch.randn(3, 16, 2, 4, 4)
    out = head(feat)
    assert out.shape == (3, 8)
    torch.testing.assert_close(out.norm(dim=1), torch.ones(3))
    # the reference head: AdaptiveAvgPool3d(1) -> Flatten -> Linear
    expected = F.normalize(head.fc(feat.mean(dim=(2, 3, 4))), dim=1)
    torch.testing.assert_close(out, expected)
    assert set(head.state_dict()) == {'fc.weight', 'fc.bias'}


def test_pooled_input_is_accepted():
    head = VideoProjectionHead(in_channels=16, feat_dim=8)
    feat = torch.randn(3, 16, 2, 4, 4)
    torch.testing.assert_close(head(feat), head(feat.mean(dim=(2, 3, 4))))


def test_mlp_head_layout_and_output():
    head = MODELS.build(
        dict(type='VideoProjectionHead', in_channels=16, feat_dim=8,
             proj_type='mlp', hidden_channels=32))
    assert head.fc_hidden.weight.shape == (32, 16)
    assert head.fc.weight.shape == (8, 32)
    out = head(torch.randn(4, 16, 1, 2, 2))
    assert out.shape == (4, 8)
    torch.testing.assert_close(out.norm(dim=1), torch.ones(4))
    # hidden width defaults to in_channels
    head = VideoProjectionHead(in_channels=16, proj_type='mlp')
    assert head.fc_hidden.weight.shape == (16, 16)


def test_bad_inputs_raise_clear_errors():
    head = VideoProjectionHead(in_channels=16)
    with pytest.raises(ValueError, match=r'in_channels=16 .* C=12'):
        head(torch.randn(2, 12, 1, 2, 2))
    with pytest.raises(ValueError, match=r'\(N, C, T, H, W\) or \(N, C\)'):
        head(torch.randn(2, 16, 4))
    with pytest.raises(TypeError, match='single output stage'):
        head((torch.randn(2, 16, 1, 2, 2), ))
    with pytest.raises(ValueError, match="proj_type .* 'conv'"):
        VideoProjectionHead(in_channels=16, proj_type='conv')
    with pytest.raises(ValueError, match='feat_dim must be a positive int'):
        VideoProjectionHead(in_channels=16, feat_dim=0)
