"""Shared backbone behaviour: frozen stages, norm_eval, init, inputs."""
import pytest
import torch
from mmaction.registry import MODELS
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

BACKBONES = ['S3DG', 'VCOPC3D', 'VCOPR2Plus1D', 'HaraResNet3D']


def _bns(modules):
    return [m for module in modules for m in module.modules()
            if isinstance(m, _BatchNorm)]


@pytest.mark.parametrize('backbone', BACKBONES)
def test_registered_with_stem_and_four_stages(backbone):
    model = MODELS.build(dict(type=backbone))
    stages = model.stage_modules()
    assert len(stages) == 5
    staged = {id(p) for modules in stages for m in modules
              for p in m.parameters()}
    assert staged == {id(p) for p in model.parameters()}


@pytest.mark.parametrize('backbone', BACKBONES)
@pytest.mark.parametrize('frozen_stages', [0, 2])
def test_frozen_stages_stay_frozen_in_train_mode(backbone, frozen_stages):
    model = MODELS.build(dict(type=backbone, frozen_stages=frozen_stages))
    model.init_weights()
    model.train()
    stages = model.stage_modules()
    frozen = [m for s in stages[:frozen_stages + 1] for m in s]
    free = [m for s in stages[frozen_stages + 1:] for m in s]
    assert all(not p.requires_grad for m in frozen for p in m.parameters())
    assert all(p.requires_grad for m in free for p in m.parameters())
    assert all(not bn.training for bn in _bns(frozen))
    assert all(bn.training for bn in _bns(free))
    assert model.training


def test_frozen_stage_statistics_do_not_move():
    model = MODELS.build(dict(type='VCOPR2Plus1D', frozen_stages=1))
    model.train()
    stem_bn = model.conv1.bn
    stage1_bn = model.layer1[0].conv1.bn
    stage2_bn = model.layer2[0].conv1.bn
    before = [bn.running_mean.clone() for bn in (stem_bn, stage1_bn,
                                                 stage2_bn)]
    out = model(torch.randn(2, 3, 2, 16, 16))
    out.mean().backward()
    assert torch.equal(stem_bn.running_mean, before[0])
    assert torch.equal(stage1_bn.running_mean, before[1])
    assert not torch.equal(stage2_bn.running_mean, before[2])
    assert model.conv1.conv.conv_s.weight.grad is None
    assert model.layer1[0].conv2.conv.conv_t.weight.grad is None
    assert model.layer2[0].conv1.conv.conv_s.weight.grad is not None


def test_norm_eval_keeps_every_bn_in_eval_mode():
    model = MODELS.build(dict(type='VCOPR2Plus1D', norm_eval=True)).train()
    bns = _bns([model])
    assert bns and all(not bn.training for bn in bns)
    assert all(p.requires_grad for p in model.parameters())


@pytest.mark.parametrize('value', [-2, 5, 1.0])
def test_bad_frozen_stages_is_refused(value):
    with pytest.raises(ValueError, match=r'frozen_stages must be an int in '
                       r'\[-1, 4\].*got ' + str(value)):
        MODELS.build(dict(type='S3DG', frozen_stages=value))


def test_pretrained_and_init_cfg_are_exclusive():
    with pytest.raises(ValueError, match='either pretrained or init_cfg'):
        MODELS.build(
            dict(
                type='VCOPC3D',
                pretrained='x.pth',
                init_cfg=dict(type='Pretrained', checkpoint='x.pth')))


@pytest.mark.parametrize('backbone', BACKBONES)
def test_init_weights_kaiming_and_bn_constants(backbone):
    torch.manual_seed(0)
    model = MODELS.build(dict(type=backbone))
    for m in model.modules():
        if isinstance(m, _BatchNorm):
            nn.init.normal_(m.weight)
    model.init_weights()
    convs = [m for m in model.modules() if isinstance(m, nn.Conv3d)]
    biggest = max(convs, key=lambda m: m.weight.numel())
    fan_out = biggest.weight.shape[0] * biggest.weight[0, 0].numel()
    assert biggest.weight.std().item() == pytest.approx(
        (2 / fan_out)**0.5, rel=0.05)
    assert all(m.bias is None or not m.bias.any() for m in convs)
    for bn in _bns([model]):
        assert torch.equal(bn.weight, torch.ones_like(bn.weight))
        assert not bn.bias.any()


def test_init_cfg_is_applied_when_given():
    model = MODELS.build(
        dict(
            type='VCOPC3D',
            init_cfg=dict(type='Constant', layer='Conv3d', val=0.5,
                          bias=0)))
    model.init_weights()
    assert torch.all(model.conv5b.conv.weight == 0.5)


@pytest.mark.parametrize('backbone', BACKBONES)
def test_wrong_input_layout_is_refused(backbone):
    model = MODELS.build(dict(type=backbone)).to('meta')
    with pytest.raises(ValueError, match=r'expects clips shaped \(N, 3, T, '
                       r"H, W\), got \(2, 16, 3, 112, 112\).*NCTHW"):
        model(torch.empty(2, 16, 3, 112, 112, device='meta'))
