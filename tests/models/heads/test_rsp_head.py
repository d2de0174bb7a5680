import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmaction.registry import MODELS

from rspnet_mm.models.heads import RSPHead, relative_speed_hinge


def _unit(*shape, seed=0):
    g = torch.Generator().manual_seed(seed)
    return F.normalize(torch.randn(*shape, generator=g), dim=-1)


def test_forward_shape_and_unit_norm():
    head = MODELS.build(dict(type='RSPHead', in_channels=32))
    out = head(torch.randn(5, 32, 2, 3, 3))
    assert out.shape == (5, 128)
    torch.testing.assert_close(out.norm(dim=1), torch.ones(5))
    assert {'fc.weight', 'fc.bias'} == set(head.state_dict())


def test_loss_matches_hand_formula():
    q, kp, kn = (_unit(6, 16, seed=s) for s in range(3))
    head = RSPHead(in_channels=4, feat_dim=16, loss_weight=0.5)
    out = head.loss(q, kp, kn)
    hand = [max(0.0, 2.0 - (float(q[i] @ kp[i]) - float(q[i] @ kn[i])) / 0.07)
            for i in range(6)]
    assert out['loss_rsp'].item() == pytest.approx(0.5 * np.mean(hand),
                                                   rel=1e-5)
    acc = np.mean([float(q[i] @ kp[i]) > float(q[i] @ kn[i])
                   for i in range(6)])
    assert out['rsp_acc'].item() == pytest.approx(acc)
    assert out['rsp_acc'].requires_grad is False


def test_loss_equals_torch_margin_ranking_loss():
    q, kp, kn = (_unit(6, 16, seed=s) for s in range(3, 6))
    head = RSPHead(in_channels=4, feat_dim=16)
    ref = F.margin_ranking_loss((q * kp).sum(1) / 0.07, (q * kn).sum(1) / 0.07,
                                torch.ones(6), margin=2.0)
    torch.testing.assert_close(head.loss(q, kp, kn)['loss_rsp'], ref)


def test_accuracy_counts_correct_rankings():
    q = torch.eye(4)
    kp = torch.eye(4)  # s(q, k+) = 1
    kn = torch.eye(4)[[1, 2, 3, 0]]  # s(q, k-) = 0
    kn[0] = q[0]  # sample 0: tie, not correct
    out = RSPHead(in_channels=2, feat_dim=4).loss(q, kp, kn)
    assert out['rsp_acc'].item() == pytest.approx(0.75)
    # satisfied samples contribute 0, the tie contributes the full margin
    hinge = relative_speed_hinge(q, kp, kn)
    torch.testing.assert_close(hinge, torch.tensor([2.0, 0.0, 0.0, 0.0]))


def test_identical_embeddings_sit_at_the_margin():
    q = _unit(3, 8)
    out = RSPHead(in_channels=2, feat_dim=8, margin=2.0).loss(q, q, q)
    assert out['loss_rsp'].item() == pytest.approx(2.0)


def test_gradient_flows_to_all_three_inputs():
    q, kp, kn = (_unit(4, 8, seed=s).requires_grad_() for s in range(3))
    RSPHead(in_channels=2, feat_dim=8).loss(q, kp, kn)['loss_rsp'].backward()
    for t in (q, kp, kn):
        assert t.grad is not None and t.grad.abs().sum() > 0


def test_official_loss_reference(official_fixtures):
    ref = np.load(official_fixtures / 'loss_reference.npz')
    q, kp, kn = (torch.from_numpy(ref[k]) for k in ('q_m', 'kpos_m', 'kneg_m'))
    head = RSPHead(in_channels=2, margin=float(ref['margin']),
                   temperature=float(ref['T']))
    out = head.loss(q, kp, kn)
    assert out['loss_rsp'].item() == pytest.approx(1.503661, abs=1e-5)
    assert out['loss_rsp'].item() == pytest.approx(float(ref['loss_rsp']),
                                                   abs=1e-5)
    np.testing.assert_allclose(
        relative_speed_hinge(q, kp, kn).numpy(), ref['rsp_hinge_per_sample'],
        atol=1e-5)
    expected_acc = np.mean(ref['rsp_l_pos'] > ref['rsp_l_neg'])
    assert out['rsp_acc'].item() == pytest.approx(expected_acc)


def test_loss_input_errors():
    head = RSPHead(in_channels=2, feat_dim=8)
    q = _unit(4, 8)
    with pytest.raises(ValueError, match=r'k_neg must have shape \(N, 8\)'):
        head.loss(q, q, _unit(4, 7))
    with pytest.raises(ValueError, match='batch sizes differ'):
        head.loss(q, q, _unit(3, 8))
    with pytest.raises(ValueError, match='temperature must be > 0'):
        RSPHead(in_channels=2, temperature=0)
