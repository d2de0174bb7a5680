import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmaction.registry import MODELS

from rspnet_mm.models.heads import AVIDHead, instance_logits


def _unit(*shape, seed=0, dim=-1):
    g = torch.Generator().manual_seed(seed)
    return F.normalize(torch.randn(*shape, generator=g), dim=dim)


def test_forward_shape_and_unit_norm():
    head = MODELS.build(
        dict(type='AVIDHead', in_channels=32, feat_dim=16, proj_type='mlp'))
    out = head(torch.randn(4, 32, 1, 2, 2))
    assert out.shape == (4, 16)
    torch.testing.assert_close(out.norm(dim=1), torch.ones(4))


def test_loss_matches_hand_formula():
    q, kp, kn = (_unit(5, 8, seed=s) for s in range(3))
    queue = _unit(8, 12, seed=3, dim=0)
    head = AVIDHead(in_channels=2, feat_dim=8, temperature=0.1,
                    loss_weight=2.0)
    out = head.loss(q, kp, kn, queue)
    total = 0.0
    for k in (kp, kn):
        for i in range(5):
            pos = math.exp(float(q[i] @ k[i]) / 0.1)
            neg = sum(math.exp(float(q[i] @ queue[:, j]) / 0.1)
                      for j in range(12))
            total += -math.log(pos / (pos + neg)) / 5
    assert out['loss_avid'].item() == pytest.approx(2.0 * total, rel=1e-5)


def test_accuracy_averages_the_two_terms():
    q = torch.eye(4)[:2]  # 2 samples in 4-D
    kp = q.clone()  # positive beats the queue
    kn = torch.eye(4)[[2, 3]]  # positive similarity 0
    queue = torch.eye(4)[:, :2] * 0.5  # negatives: 0.5 for the own axis
    out = AVIDHead(in_channels=2, feat_dim=4).loss(q, kp, kn, queue)
    assert out['avid_acc'].item() == pytest.approx(0.5)
    assert out['avid_acc'].requires_grad is False


def test_official_loss_reference(official_fixtures):
    ref = np.load(official_fixtures / 'loss_reference.npz')
    q, kp, kn, queue = (torch.from_numpy(ref[k])
                        for k in ('q_a', 'kpos_a', 'kneg_a', 'queue'))
    t = float(ref['T'])
    np.testing.assert_allclose(
        instance_logits(q, kp, queue, t).numpy(), ref['logits1'], atol=1e-4)
    np.testing.assert_allclose(
        instance_logits(q, kn, queue, t).numpy(), ref['logits2'], atol=1e-4)
    out = AVIDHead(in_channels=2, temperature=t).loss(q, kp, kn, queue)
    assert out['loss_avid'].item() == pytest.approx(10.148541, abs=1e-5)
    acc = np.mean([(ref[k].argmax(1) == 0).mean()
                   for k in ('logits1', 'logits2')])
    assert out['avid_acc'].item() == pytest.approx(acc)


def test_loss_input_errors():
    head = AVIDHead(in_channels=2, feat_dim=8)
    q = _unit(4, 8)
    with pytest.raises(ValueError, match=r'queue must have shape \(8, K\)'):
        head.loss(q, q, q, torch.zeros(16, 8))
    with pytest.raises(ValueError, match=r'q must have shape \(N, 8\)'):
        head.loss(q[:, :4], q, q, torch.zeros(8, 4))
