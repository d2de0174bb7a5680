"""RSPNet under mmengine's AmpOptimWrapper with bf16 autocast.

mmengine 0.10.7's AmpOptimWrapper refuses to be built without an
accelerator; the autocast it applies works on CPU, so the second test lifts
that check to run one bf16 training step of the recognizer here.
"""
import math

import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.optim.optimizer import amp_optimizer_wrapper
from mmengine.registry import init_default_scope

from rspnet_mm.models.recognizers.rspnet import RSPNet


def tiny_rspnet() -> RSPNet:
    init_default_scope('mmaction')
    torch.manual_seed(0)
    head = dict(in_channels=16, proj_type='mlp', hidden_channels=16)
    return MODELS.build(dict(
        type='RSPNet',
        backbone=dict(type='LiteC3D', channels=(8, 16),
                      strides=((1, 2, 2), (2, 2, 2))),
        rsp_head=dict(type='RSPHead', **head),
        avid_head=dict(type='AVIDHead', **head),
        queue_len=16,
        data_preprocessor=dict(type='ActionDataPreprocessor',
                               format_shape='NCTHW')))


def batch(n: int = 4) -> dict:
    generator = torch.Generator().manual_seed(1)
    samples = []
    for i in range(n):
        sample = ActionDataSample()
        s_q = 1 + i % 2
        sample.set_field(torch.tensor([s_q, s_q, 3 - s_q]), 'speeds')
        samples.append(sample)
    inputs = [torch.randint(0, 256, (3, 3, 4, 32, 32), dtype=torch.uint8,
                            generator=generator) for _ in range(n)]
    return dict(inputs=inputs, data_samples=samples)


def test_amp_optim_wrapper_needs_an_accelerator_in_mmengine_0_10_7():
    params = [torch.nn.Parameter(torch.ones(1))]
    build = amp_optimizer_wrapper.AmpOptimWrapper
    if torch.cuda.is_available():
        build(optimizer=torch.optim.SGD(params, lr=0.1), dtype='bfloat16')
    else:
        with pytest.raises(AssertionError, match='only available'):
            build(optimizer=torch.optim.SGD(params, lr=0.1),
                  dtype='bfloat16')


def test_bf16_train_step_gives_finite_losses(monkeypatch):
    monkeypatch.setattr(amp_optimizer_wrapper, 'is_cuda_available',
                        lambda: True)
    model = tiny_rspnet()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    wrapper = amp_optimizer_wrapper.AmpOptimWrapper(
        optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
        dtype='bfloat16')
    losses = model.train_step(batch(), wrapper)
    assert set(losses) >= {'loss', 'loss_rsp', 'loss_avid', 'rsp_acc',
                           'avid_acc'}
    for name, value in losses.items():
        assert math.isfinite(float(value)), name
    assert losses['loss'].dtype == torch.float32
    assert losses['loss_avid'].dtype == torch.float32  # cross-entropy
    # the heads compute their similarities in fp32 under autocast: a bf16
    # hinge would be quantised to steps of 2**-7 around 2.0
    assert losses['loss_rsp'].dtype == torch.float32
    assert float(losses['loss']) == pytest.approx(
        float(losses['loss_rsp']) + float(losses['loss_avid']), rel=1e-6)
    state = model.state_dict()
    assert state['queue'].dtype == torch.float32
    assert int(state['queue_ptr']) == 4
    changed = [k for k in before if k.startswith('backbone.')
               and not torch.equal(before[k], state[k])]
    assert changed, 'the step did not update the query backbone'
