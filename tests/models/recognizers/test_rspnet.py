import copy

import numpy as np
import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.optim import OptimWrapper
from mmengine.registry import init_default_scope

import rspnet_mm.models.recognizers.rspnet as rspnet_module
from rspnet_mm.models.recognizers.rspnet import Embeddings

TINY_R3D = dict(type='ResNet3d', depth=18, pretrained=None,
                pretrained2d=False, base_channels=8)  # out_channels 64
PREPROCESSOR = dict(type='ActionDataPreprocessor', format_shape='NCTHW',
                    mean=[128.0] * 3, std=[64.0] * 3)


def _model(backbone=TINY_R3D, in_channels=64, proj_type='mlp', **kwargs):
    init_default_scope('mmaction')
    cfg = dict(type='RSPNet', backbone=backbone, queue_len=16,
               data_preprocessor=PREPROCESSOR,
               rsp_head=dict(type='RSPHead', in_channels=in_channels,
                             proj_type=proj_type),
               avid_head=dict(type='AVIDHead', in_channels=in_channels,
                              proj_type=proj_type))
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


def _record_shuffles(monkeypatch):
    """Record the one-process key permutations (k- first, then k+)."""
    seen = []
    draw = rspnet_module.split_shuffle_index

    def recording(batch_size, groups):
        idx = draw(batch_size, groups)
        seen.append(idx)
        return idx

    monkeypatch.setattr(rspnet_module, 'split_shuffle_index', recording)
    return seen


def _embed_by_hand(encoder, x, order, groups):
    """Embeddings of x (N, C, T, H, W) with BatchNorm over the sub-batches
    ``order.chunk(groups)``, put back in sample order."""
    rsp, avid = torch.empty(len(x), 128), torch.empty(len(x), 128)
    for chunk in order.chunk(groups):
        feat = encoder['backbone'](x[chunk])
        rsp[chunk] = encoder['rsp_head'](feat)
        avid[chunk] = encoder['avid_head'](feat)
    return dict(rsp=rsp, avid=avid)


def _check_losses_against_heads(model, batch, losses, queue_before, perms):
    """Recompute query and key embeddings by hand and the losses from them
    with the heads; check the losses, per-speed accuracies and the queue.

    In training mode BatchNorm uses batch statistics, so the embeddings are
    reproducible; the first key-encoder update copied the query encoder.
    """
    n = batch['inputs'].shape[0]
    groups = model.bn_groups(n)
    in_order = torch.arange(n)
    q_in, kp_in, kn_in = batch['inputs'].unbind(1)
    query, key = model._query_encoder(), model.key_encoder.module
    with torch.no_grad():
        q = _embed_by_hand(query, q_in, in_order, groups)
        k_neg = _embed_by_hand(key, kn_in, perms[0], groups)
        k_pos = _embed_by_hand(key, kp_in, perms[1], groups)
        rsp = model.rsp_head.loss(q['rsp'], k_pos['rsp'], k_neg['rsp'])
        avid = model.avid_head.loss(q['avid'], k_pos['avid'], k_neg['avid'],
                                    queue_before)
    for name, value in {**rsp, **avid}.items():
        torch.testing.assert_close(losses[name], value, atol=1e-5, rtol=1e-5)
    correct = model.rsp_head.correct(q['rsp'], k_pos['rsp'],
                                     k_neg['rsp']).float()
    speeds = torch.stack([s.speeds for s in batch['data_samples']])[:, 0]
    for s in speeds.unique().tolist():
        torch.testing.assert_close(losses[f'rsp_acc_q{s}x'],
                                   correct[speeds == s].mean())
    # the A-VID keys of k- were enqueued, after the loss used the old queue
    assert model.queue_ptr.tolist() == [n]
    torch.testing.assert_close(model.queue[:, :n], k_neg['avid'].T,
                               atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(model.queue[:, n:], queue_before[:, n:])


@pytest.mark.parametrize('bn_splits, groups', [(1, 1), (None, 2), (2, 2)])
def test_loss_flow_matches_heads_on_recomputed_embeddings(
        monkeypatch, bn_splits, groups):
    torch.manual_seed(0)
    model = _model(bn_splits=bn_splits)
    perms = _record_shuffles(monkeypatch)
    batch = model.data_preprocessor(_data(), training=True)
    queue_before = model.queue.clone()
    losses = model(**batch, mode='loss')
    assert set(losses) == {'loss_rsp', 'rsp_acc', 'rsp_acc_q1x',
                           'rsp_acc_q2x', 'loss_avid', 'avid_acc'}
    assert model.bn_groups(4) == groups
    if groups == 1:
        assert perms == []
        perms = [torch.arange(4)] * 2
    else:
        assert len(perms) == 2  # k-, k+
    _check_losses_against_heads(model, batch, losses, queue_before, perms)


def test_split_bn_statistics_per_sub_batch_equal_hand_computation(
        monkeypatch):
    torch.manual_seed(0)
    model = _model(bn_splits=4)
    perms = _record_shuffles(monkeypatch)
    calls = dict(query=[], key=[])
    bns = dict(query=model.backbone.conv1.bn,
               key=model.key_encoder.module['backbone'].conv1.bn)
    for name, bn in bns.items():
        bn.register_forward_hook(
            lambda mod, args, out, name=name: calls[name].append(
                (args[0].detach().clone(), out.detach().clone())))
    batch = model.data_preprocessor(_data(n=8), training=True)
    model(**batch, mode='loss')
    # query: 4 sub-batches of 2 in sample order; keys: 2 views x 4
    assert len(calls['query']) == 4 and len(calls['key']) == 8
    q_in, _, kn_in = batch['inputs'].unbind(1)
    conv = model.backbone.conv1.conv
    for g, (inp, _) in enumerate(calls['query']):
        with torch.no_grad():
            torch.testing.assert_close(inp, conv(q_in[2 * g:2 * g + 2]))
    for j, (inp, _) in enumerate(calls['key'][:4]):  # k- sub-batches
        with torch.no_grad():
            torch.testing.assert_close(inp, conv(kn_in[perms[0][2 * j:][:2]]))
        # the two keys come from two different query sub-batches
        assert len(set((perms[0][2 * j:2 * j + 2] // 2).tolist())) == 2
    for name in bns:
        bn = bns[name]
        for inp, out in calls[name]:
            assert inp.shape[0] == 2
            mean = inp.mean(dim=(0, 2, 3, 4), keepdim=True)
            var = inp.var(dim=(0, 2, 3, 4), unbiased=False, keepdim=True)
            w = bn.weight.view(1, -1, 1, 1, 1)
            b = bn.bias.view(1, -1, 1, 1, 1)
            torch.testing.assert_close(
                out, (inp - mean) / (var + bn.eps).sqrt() * w + b,
                atol=1e-5, rtol=1e-4)
        # statistics of the whole batch would normalise differently
        inp = torch.cat([i for i, _ in calls[name][:4]])
        out = torch.cat([o for _, o in calls[name][:4]])
        whole = torch.nn.functional.batch_norm(
            inp, None, None, bn.weight, bn.bias, training=True, eps=bn.eps)
        assert not torch.allclose(out, whole, atol=1e-3)


def test_split_keys_come_back_in_sample_order(monkeypatch):
    torch.manual_seed(0)
    model = _model(bn_splits=2)
    perms = _record_shuffles(monkeypatch)
    x = model.data_preprocessor(_data(n=8), training=True)['inputs'][:, 2]
    with torch.no_grad():
        keys = model._encode_keys(x, groups=2)
        assert len(perms) == 1 and not torch.equal(perms[0],
                                                   torch.arange(8))
        expected = _embed_by_hand(model.key_encoder.module, x, perms[0], 2)
        unsplit = _embed_by_hand(model.key_encoder.module, x,
                                 torch.arange(8), 1)
    for name in ('rsp', 'avid'):
        torch.testing.assert_close(getattr(keys, name), expected[name])
        assert not torch.allclose(getattr(keys, name), unsplit[name],
                                  atol=1e-3)


def test_split_bn_changes_nothing_with_frozen_bn():
    # norm_eval: BatchNorm uses running statistics; linear heads have no BN
    torch.manual_seed(0)
    model = _model(backbone=dict(TINY_R3D, norm_eval=True),
                   proj_type='linear', bn_splits=2)
    x = model.data_preprocessor(_data(n=8), training=True)['inputs'][:, 2]
    with torch.no_grad():
        split = model._encode_keys(x, groups=2)
        whole = model._encode_keys(x, groups=1)
    for a, b in zip(split, whole):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-5)


def test_split_bn_default_on_in_one_process_only(monkeypatch):
    logged = []
    monkeypatch.setattr(rspnet_module, 'print_log',
                        lambda msg, **kw: logged.append(msg))
    model = _model()
    assert model.bn_groups(32) == 4 and model.bn_groups(6) == 3
    assert model.bn_groups(7) == 1
    assert len(logged) == 1 and 'over 4 sub-batches of 8' in logged[0]
    assert 'bn_splits' in logged[0]
    assert _model(bn_splits=1).bn_groups(32) == 1
    assert _model(shuffle_bn=False).bn_groups(32) == 1
    # under DDP the processes are the splits: today's behaviour by default
    monkeypatch.setattr(rspnet_module, 'get_world_size', lambda: 2)
    assert _model().bn_groups(32) == 1
    assert _model(bn_splits=2).bn_groups(32) == 2
    with pytest.raises(ValueError, match='needs shuffle_bn=True'):
        _model(shuffle_bn=False, bn_splits=2)
    with pytest.raises(ValueError, match='bn_splits must be None or an int'):
        _model(bn_splits=0)


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


def test_head_none_switches_a_task_off():
    data = _data(n=2)
    model = _model(avid_head=None)
    assert model.avid_head is None and not hasattr(model, 'queue')
    assert 'avid_head' not in model.key_encoder.module
    assert not any(k.startswith(('avid_head', 'key_encoder.module.avid'))
                   for k in model.state_dict())
    losses = model(**model.data_preprocessor(data, True), mode='loss')
    assert set(losses) == {'loss_rsp', 'rsp_acc', 'rsp_acc_q1x',
                           'rsp_acc_q2x'}

    model = _model(rsp_head=None,
                   avid_head=dict(type='AVIDHead', in_channels=64,
                                  proj_type='mlp', loss_weight=0.5))
    assert model.rsp_head is None
    assert 'rsp_head' not in model.key_encoder.module
    losses = model(**model.data_preprocessor(data, True), mode='loss')
    assert set(losses) == {'loss_avid', 'avid_acc'}
    unweighted = _model(rsp_head=None)
    unweighted.load_state_dict(model.state_dict())
    unweighted.key_encoder.steps.zero_()
    unweighted.queue.copy_(model.queue)
    model.key_encoder.steps.zero_()
    torch.manual_seed(1)
    half = model(**model.data_preprocessor(data, True), mode='loss')
    torch.manual_seed(1)
    full = unweighted(**model.data_preprocessor(data, True), mode='loss')
    torch.testing.assert_close(half['loss_avid'], 0.5 * full['loss_avid'])

    with pytest.raises(ValueError, match='give rsp_head, avid_head or both'):
        _model(rsp_head=None, avid_head=None)


@pytest.mark.parametrize('key, head', [('rsp_loss_weight', 'rsp_head'),
                                       ('avid_loss_weight', 'avid_head')])
def test_removed_loss_weight_keys_say_where_the_weight_lives(key, head):
    with pytest.raises(ValueError,
                       match=rf'{key} was removed; .* set model\.{head}\.'
                       rf'loss_weight=0\.5 \(or model\.{head}=None'):
        _model(**{key: 0.5})


def test_official_fixture_losses_and_enqueue(official_fixtures):
    ref = np.load(official_fixtures / 'loss_reference.npz')
    t = {k: torch.from_numpy(ref[k]) for k in ref.files}
    model = _model(queue_len=64, proj_type='linear')
    model.queue.copy_(t['queue'])
    model.queue_ptr.zero_()
    fresh = copy.deepcopy(model)
    losses = model.loss_by_embeddings(
        q=Embeddings(rsp=t['q_m'], avid=t['q_a']),
        k_pos=Embeddings(rsp=t['kpos_m'], avid=t['kpos_a']),
        k_neg=Embeddings(rsp=t['kneg_m'], avid=t['kneg_a']))
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
        # predict (the monitor's val loop): pooled query-backbone features
        # averaged over the clips of each video (here 3 clips per video)
        samples = model(**batch, mode='predict')
        pooled = model.backbone(batch['inputs'].flatten(0, 1)).mean(
            dim=(2, 3, 4)).view(2, 3, 64).mean(dim=1)
    for sample, expected in zip(samples, pooled):
        torch.testing.assert_close(sample.video_feature, expected)
    assert not any(k.startswith('feature_head') for k in model.state_dict())
    with pytest.raises(ValueError, match=r'\(N, num_clips, C, T, H, W\)'):
        model(batch['inputs'][:, 0], batch['data_samples'], mode='predict')


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


def test_mmaction_c3d_backbone(monkeypatch):
    torch.manual_seed(0)
    # MMAction2's C3D ends with fc7: (N, 4096) vectors; out_dim=512 is
    # its pool5 size at 16x16x16
    c3d = dict(type='C3D', out_dim=512, dropout_ratio=0.0)
    model = _model(backbone=c3d, in_channels=4096, queue_len=8,
                   proj_type='linear')
    _check_one_step(model, monkeypatch, n=4, clip=(16, 16, 16))


def _check_one_step(model, monkeypatch, n, clip):
    """One loss step equals the heads on hand-recomputed embeddings (the
    DDP counterpart: tests/distributed/test_rspnet_ddp.py)."""
    perms = _record_shuffles(monkeypatch)
    batch = model.data_preprocessor(_data(n=n, clip=clip), training=True)
    queue_before = model.queue.clone()
    losses = model(**batch, mode='loss')
    if n == 2:  # too few samples to split BatchNorm
        assert perms == []
        perms = [torch.arange(n)] * 2
    else:
        assert len(perms) == 2  # k-, k+ (split-BN: 2 sub-batches)
    _check_losses_against_heads(model, batch, losses, queue_before, perms)


@pytest.mark.parametrize('backbone, n', [
    ('VCOPC3D', 4), ('VCOPR2Plus1D', 2), ('HaraResNet3D', 2), ('S3DG', 2)])
def test_rspnet_backbones(backbone, n, monkeypatch):
    torch.manual_seed(0)
    init_default_scope('mmaction')
    probe = MODELS.build(dict(type=backbone))
    t = max(8, probe.min_input_size[0])
    s = max(16, probe.min_input_size[1])
    model = _model(backbone=dict(type=backbone),
                   in_channels=probe.out_channels, queue_len=8,
                   proj_type='linear')
    _check_one_step(model, monkeypatch, n=n, clip=(t, s, s))
