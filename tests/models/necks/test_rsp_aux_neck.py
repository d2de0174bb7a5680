from pathlib import Path

import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.optim import OptimWrapper
from mmengine.registry import init_default_scope

from rspnet_mm.models.necks import RSPAuxNeck

CONFIG = (Path(__file__).resolve().parents[3] / 'configs' / 'examples' /
          'i3d_resnet3d_rsp-aux.py')


def _neck(margin=2.0, **kwargs):
    return RSPAuxNeck(
        rsp_head=dict(type='RSPHead', in_channels=8, feat_dim=4,
                      margin=margin), **kwargs)


def _samples(n):
    return [ActionDataSample().set_gt_label(i % 3) for i in range(n)]


def test_training_splits_views_and_returns_rsp_loss():
    neck = _neck().train()
    x = torch.randn(2 * 3, 8, 2, 2, 2)  # N=2 samples x [q, k+, k-]
    out, loss_aux = neck(x, data_samples=_samples(2))
    torch.testing.assert_close(out, x[[0, 3]])  # the q view of each sample
    head = neck.rsp_head
    expected = head.loss(head(x[[0, 3]]), head(x[[1, 4]]), head(x[[2, 5]]))
    assert set(loss_aux) == {'loss_rsp', 'rsp_acc'}
    torch.testing.assert_close(loss_aux['loss_rsp'], expected['loss_rsp'])
    torch.testing.assert_close(loss_aux['rsp_acc'], expected['rsp_acc'])


def test_detach_keys_stops_gradient_through_keys():
    x = torch.randn(6, 8, 1, 2, 2, generator=torch.Generator().manual_seed(0))
    x.requires_grad_()
    for detach, key_grad in ((True, False), (False, True)):
        x.grad = None
        # a margin no pair satisfies keeps every hinge active
        _, loss_aux = _neck(margin=100.0, detach_keys=detach).train()(
            x, data_samples=_samples(2))
        loss_aux['loss_rsp'].backward()
        views = x.grad.view(2, 3, -1).abs().sum(dim=2)  # [N, view]
        assert bool((views[:, 0] > 0).all())
        assert bool((views[:, 1:] > 0).any()) is key_grad


def test_passthrough_at_test_time_and_without_samples():
    neck = _neck()
    x = torch.randn(5, 8, 1, 2, 2)
    neck.eval()
    out, loss_aux = neck(x)
    assert out is x and loss_aux == {}
    out, loss_aux = neck(x, data_samples=_samples(5))
    assert out is x and loss_aux == {}
    neck.train()
    out, loss_aux = neck(x)  # mode='tensor' passes no data samples
    assert out is x and loss_aux == {}


def test_training_with_wrong_view_count_raises():
    neck = _neck().train()
    with pytest.raises(ValueError, match=r'3 views .* saw 4 clips for 2'):
        neck(torch.randn(4, 8, 1, 2, 2), data_samples=_samples(2))


def test_recognizer3d_train_step_with_example_config():
    init_default_scope('mmaction')
    cfg = Config.fromfile(str(CONFIG))
    # the example's structure at an eighth of the width, to stay fast
    cfg.model.backbone.base_channels = 8
    cfg.model.neck.rsp_head.in_channels = 64
    cfg.model.cls_head.in_channels = 64
    model = MODELS.build(cfg.model)
    model.train()
    torch.manual_seed(0)
    n = 2
    data = dict(
        inputs=[torch.randint(0, 256, (3, 3, 8, 32, 32), dtype=torch.uint8)
                for _ in range(n)],
        data_samples=_samples(n))
    # loss_rsp alone reaches the backbone
    batch = model.data_preprocessor(data, training=True)
    losses = model(**batch, mode='loss')
    assert {'loss_cls', 'loss_rsp', 'rsp_acc'} <= set(losses)
    losses['loss_rsp'].backward()
    grad = model.backbone.conv1.conv.weight.grad
    assert grad is not None and grad.abs().sum() > 0
    model.zero_grad()
    # a real optimizer step through Recognizer3D
    before = model.backbone.conv1.conv.weight.detach().clone()
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01))
    log_vars = model.train_step(data, optim)
    assert {'loss', 'loss_cls', 'loss_rsp', 'rsp_acc'} <= set(log_vars)
    torch.testing.assert_close(log_vars['loss'],
                               log_vars['loss_cls'] + log_vars['loss_rsp'])
    assert not torch.equal(before, model.backbone.conv1.conv.weight)
    # inference on ordinary clips: the neck passes them through
    model.eval()
    with torch.no_grad():
        preds = model.test_step(dict(
            inputs=[torch.randint(0, 256, (1, 3, 8, 32, 32),
                                  dtype=torch.uint8)],
            data_samples=_samples(1)))
    assert preds[0].pred_score.shape == (101, )
