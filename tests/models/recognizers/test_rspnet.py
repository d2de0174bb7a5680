import copy

import numpy as np
import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.optim import OptimWrapper
from mmengine.registry import init_default_scope

TINY_R3D = dict(type='ResNet3d', depth=18, pretrained=None,
                pretrained2d=False, base_channels=8)  # out_channels 64
PREPROCESSOR = dict(type='ActionDataPreprocessor', format_shape='NCTHW',
                    mean=[128.0] * 3, std=[64.0] * 3)


def _model(backbone=TINY_R3D, in_channels=64, proj_type='mlp', **kwargs):
    init_default_scope('mmaction')
    heads = {
        f'{task}_head': dict(type=head, in_channels=in_channels,
                             proj_type=proj_type)
        for task, head in (('rsp', 'RSPHead'), ('avid', 'AVIDHead'))
    }
    cfg = dict(type='RSPNet', backbone=backbone, queue_len=16,
               data_preprocessor=PREPROCESSOR, **heads)
    cfg.update(kwargs)
    return MODELS.build(cfg).train()


def _data(n=4, clip=(8, 16, 16), seed=0):
    """N samples of views [q, k+, k-]; k+ and k- share window B."""
    g = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    for i in range(n):
        a, b = (torch.randint(0, 256, (3, ) + clip, generator=g)
                for _ in range(2))
        fast = b.roll(1, dims=1)  # a crude "other speed" of window B
        views = torch.stack([a, b, fast]).to(torch.uint8)  # [3, C, T, H, W]
        s = 1 + i % 2
        inputs.append(views)
        samples.append(ActionDataSample(speeds=torch.tensor([s, s, 3 - s])))
    return dict(inputs=inputs, data_samples=samples)


def _key_params(model):
    return {k: v.detach().clone()
            for k, v in model.key_encoder.module.named_parameters()}


def _query_params(model):
    return {k: v.detach().clone()
            for k, v in model._query_encoder().named_parameters()}


def test_state_dict_layout_and_queue():
    model = _model()
    keys = list(model.state_dict())
    for prefix in ('backbone.', 'rsp_head.fc.', 'avid_head.fc.',
                   'key_encoder.module.backbone.',
                   'key_encoder.module.rsp_head.fc.',
                   'key_encoder.module.avid_head.fc.'):
        assert any(k.startswith(prefix) for k in keys), prefix
    assert {'key_encoder.steps', 'queue', 'queue_ptr'} <= set(keys)
    assert model.queue.shape == (128, 16)
    assert model.queue.dtype == torch.float32
    torch.testing.assert_close(model.queue.norm(dim=0), torch.ones(16))
    assert model.queue_ptr.dtype == torch.int64
    assert model.queue_ptr.tolist() == [0]
    assert not any(p.requires_grad
                   for p in model.key_encoder.parameters())
    # the key encoder starts as a copy of the query encoder
    for name, value in _key_params(model).items():
        torch.testing.assert_close(value, _query_params(model)[name])


def test_loss_flow_matches_heads_on_recomputed_embeddings():
    torch.manual_seed(0)
    model = _model()
    batch = model.data_preprocessor(_data(), training=True)
    queue_before = model.queue.clone()
    losses = model(**batch, mode='loss')
    assert set(losses) == {'loss_rsp', 'rsp_acc', 'rsp_acc_q1x',
                           'rsp_acc_q2x', 'loss_avid', 'avid_acc'}
    assert all(torch.isfinite(v) for v in losses.values())
    # recompute: first update copies the query into the key encoder, and
    # in training mode BatchNorm uses batch statistics, so the embeddings
    # are reproducible
    q_in, kp_in, kn_in = batch['inputs'].unbind(1)
    key = model.key_encoder.module
    with torch.no_grad():
        q_feat = model.backbone(q_in)
        emb = {t: (getattr(model, f'{t}_head')(q_feat),
                   key[f'{t}_head'](key['backbone'](kp_in)),
                   key[f'{t}_head'](key['backbone'](kn_in)))
               for t in ('rsp', 'avid')}
        rsp = model.rsp_head.loss(*emb['rsp'])
        avid = model.avid_head.loss(*emb['avid'], queue_before)
    for name, value in {**rsp, **avid}.items():
        torch.testing.assert_close(losses[name], value, atol=1e-5, rtol=1e-5)
    correct = model.rsp_head.correct(*emb['rsp']).float()
    torch.testing.assert_close(losses['rsp_acc_q1x'], correct[[0, 2]].mean())
    torch.testing.assert_close(losses['rsp_acc_q2x'], correct[[1, 3]].mean())
    # the A-VID keys of k- were enqueued, after the loss used the old queue
    assert model.queue_ptr.tolist() == [4]
    torch.testing.assert_close(model.queue[:, :4], emb['avid'][2].T,
                               atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(model.queue[:, 4:], queue_before[:, 4:])


def test_train_step_decreases_loss_on_fixed_batch():
    torch.manual_seed(0)
    model = _model()
    data = _data()
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.05,
                                         momentum=0.9))
    queue, ptr = model.queue.clone(), model.queue_ptr.clone()
    totals = []
    for _ in range(5):
        # same negatives every step: otherwise this batch's own keys would
        # enter the queue and act as false negatives on the next step
        model.queue.copy_(queue)
        model.queue_ptr.copy_(ptr)
        log_vars = model.train_step(data, optim)
        assert torch.isfinite(log_vars['loss'])
        torch.testing.assert_close(
            log_vars['loss'], log_vars['loss_rsp'] + log_vars['loss_avid'])
        totals.append(log_vars['loss'].item())
    assert totals[-1] < 0.8 * totals[0], totals


def test_momentum_update_math_and_no_key_gradient():
    torch.manual_seed(0)
    model = _model(key_momentum=0.999)
    data = _data()
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    initial = _query_params(model)
    model.train_step(data, optim)
    # the first update copies the query encoder (steps == 0)
    for name, value in _key_params(model).items():
        torch.testing.assert_close(value, initial[name])
    old_k, q = _key_params(model), _query_params(model)
    assert any(not torch.equal(old_k[n], q[n]) for n in q)
    model.train_step(data, optim)
    for name, value in _key_params(model).items():
        torch.testing.assert_close(
            value, 0.999 * old_k[name] + 0.001 * q[name],
            atol=1e-7, rtol=1e-6)
    assert model.key_encoder.steps.item() == 2
    for p in model.key_encoder.parameters():
        assert not p.requires_grad and p.grad is None


def test_queue_pointer_wraps_around():
    model = _model(queue_len=8)
    keys = [torch.full((4, 128), float(i)) for i in range(3)]
    model.enqueue(keys[0])
    assert model.queue_ptr.tolist() == [4]
    model.enqueue(keys[1])
    assert model.queue_ptr.tolist() == [0]
    model.enqueue(keys[2])
    assert model.queue_ptr.tolist() == [4]
    assert torch.all(model.queue[:, :4] == 2) and torch.all(
        model.queue[:, 4:] == 1)


def test_queue_len_not_multiple_of_batch_raises():
    model = _model(queue_len=10)
    with pytest.raises(ValueError,
                       match=r'queue_len=10 .* batch size 4 x world size 1 '
                       r'= 4; .* \(e\.g\. 8\) and drop_last=True'):
        model.enqueue(torch.randn(4, 128))


def test_loss_weight_zero_switches_a_task_off():
    data = _data(n=2)
    model = _model(avid_loss_weight=0.0)
    assert not hasattr(model, 'avid_head') and not hasattr(model, 'queue')
    assert 'avid_head' not in model.key_encoder.module
    losses = model(**model.data_preprocessor(data, True), mode='loss')
    assert set(losses) == {'loss_rsp', 'rsp_acc', 'rsp_acc_q1x',
                           'rsp_acc_q2x'}

    model = _model(rsp_loss_weight=0.0, avid_loss_weight=0.5)
    assert not hasattr(model, 'rsp_head')
    assert model.avid_head.loss_weight == 0.5
    losses = model(**model.data_preprocessor(data, True), mode='loss')
    assert set(losses) == {'loss_avid', 'avid_acc'}

    with pytest.raises(ValueError, match='not both 0'):
        _model(rsp_loss_weight=0.0, avid_loss_weight=0.0)
    with pytest.raises(ValueError, match='needs a rsp_head config'):
        _model(rsp_head=None)
    with pytest.raises(ValueError, match='set it in one place'):
        _model(rsp_head=dict(type='RSPHead', in_channels=64,
                             loss_weight=2.0))


def test_official_fixture_losses_and_enqueue(official_fixtures):
    ref = np.load(official_fixtures / 'loss_reference.npz')
    t = {k: torch.from_numpy(ref[k]) for k in ref.files}
    model = _model(queue_len=64, proj_type='linear')
    model.queue.copy_(t['queue'])
    model.queue_ptr.zero_()
    fresh = copy.deepcopy(model)
    losses = model.loss_by_embeddings(
        q=dict(rsp=t['q_m'], avid=t['q_a']),
        k_pos=dict(rsp=t['kpos_m'], avid=t['kpos_a']),
        k_neg=dict(rsp=t['kneg_m'], avid=t['kneg_a']))
    # the loss used the queue from before the enqueue
    assert losses['loss_avid'].item() == pytest.approx(10.148541, abs=1e-5)
    assert losses['loss_rsp'].item() == pytest.approx(1.503661, abs=1e-5)
    total = losses['loss_avid'] + losses['loss_rsp']
    assert total.item() == pytest.approx(float(ref['loss_total']), abs=1e-5)
    for m in (model, fresh):
        if m is fresh:
            m.enqueue(t['kneg_a'])
        np.testing.assert_allclose(m.queue.numpy(),
                                   ref['queue_after_enqueue'], atol=1e-7)
        assert m.queue_ptr.tolist() == ref['queue_ptr_after'].tolist() == [8]


def test_tensor_mode_and_predict():
    model = _model()
    batch = model.data_preprocessor(_data(n=2), training=False)
    with torch.no_grad():
        feats = model(batch['inputs'], mode='tensor')
        assert feats.shape[:2] == (2 * 3, 64)
        feats = model(batch['inputs'][:, 0], mode='tensor')
        assert feats.shape[:2] == (2, 64)
    with pytest.raises(NotImplementedError, match='pretraining model'):
        model(**batch, mode='predict')


def test_input_and_speed_validation():
    model = _model()
    batch = model.data_preprocessor(_data(n=2), training=True)
    with pytest.raises(ValueError, match=r'\(N, 3, C, T, H, W\)'):
        model(batch['inputs'][:, :2], batch['data_samples'], mode='loss')
    batch['data_samples'][1].speeds = torch.tensor([2, 1, 1])
    with pytest.raises(ValueError, match=r'sample 1 has speeds \[2, 1, 1\]'):
        model(**batch, mode='loss')
    with pytest.raises(ValueError, match='key_momentum'):
        _model(key_momentum=1.0)


def test_shuffle_bn_is_the_identity_in_one_process():
    results = []
    for shuffle_bn in (True, False):
        torch.manual_seed(0)
        model = _model(shuffle_bn=shuffle_bn)
        batch = model.data_preprocessor(_data(n=2), training=True)
        results.append(model(**batch, mode='loss'))
    for name in results[0]:
        torch.testing.assert_close(results[0][name], results[1][name])


def test_mmaction_c3d_backbone():
    torch.manual_seed(0)
    # MMAction2's C3D ends with fc7: (N, 4096) vectors; out_dim=512 is
    # its pool5 size at 16x16x16
    c3d = dict(type='C3D', out_dim=512, dropout_ratio=0.0)
    model = _model(backbone=c3d, in_channels=4096, queue_len=8,
                   proj_type='linear')
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01))
    log_vars = model.train_step(_data(n=2, clip=(16, 16, 16)), optim)
    assert all(torch.isfinite(v) for v in log_vars.values())
    assert {'loss_rsp', 'loss_avid'} <= set(log_vars)


@pytest.mark.parametrize(
    'backbone', ['VCOPC3D', 'VCOPR2Plus1D', 'HaraResNet3D', 'S3DG'])
def test_rspnet_backbones(backbone):
    torch.manual_seed(0)
    init_default_scope('mmaction')
    probe = MODELS.build(dict(type=backbone))
    t = max(8, probe.min_input_size[0])
    s = max(16, probe.min_input_size[1])
    model = _model(backbone=dict(type=backbone),
                   in_channels=probe.out_channels, queue_len=8,
                   proj_type='linear')
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01))
    log_vars = model.train_step(_data(n=2, clip=(t, s, s)), optim)
    assert {'loss_rsp', 'loss_avid', 'rsp_acc', 'avid_acc'} <= set(log_vars)
    assert all(torch.isfinite(v) for v in log_vars.values())
    assert model.queue_ptr.tolist() == [2]
