"""Finetuning configs load converted official weights; linear probe
keeps the backbone fixed."""
import pytest
import torch
from mmaction.registry import MODELS
from mmengine.config import Config
from mmengine.runner import load_checkpoint

from rspnet_mm.compat import load_checkpoint_file
from rspnet_mm.models.backbones.backbone_checkpoint import (
    save_plain_checkpoint,
)
from rspnet_mm.models.backbones.official_conversion import (
    convert_official_checkpoint,
)
from rspnet_mm.testing.official_weights import official_checkpoint
from rspnet_mm.testing.recipes import REPO_ROOT

CONFIGS = REPO_ROOT / 'configs' / 'finetune'


@pytest.fixture(autouse=True)
def mmaction_scope():
    """Build unscoped names in MMAction2's registries, as a Runner with
    ``default_scope='mmaction'`` does."""
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmaction'):
        yield


@pytest.mark.parametrize('name,classes', [
    ('finetune_r21d_ucf101', 101), ('finetune_c3d_hmdb51', 51),
    ('finetune_r18_ucf101', 101), ('finetune_s3dg_hmdb51', 51)
])
def test_finetune_configs_build(name, classes):
    cfg = Config.fromfile(str(CONFIGS / f'{name}.py'))
    model = MODELS.build(cfg.model)
    assert model.cls_head.num_classes == classes
    assert model.cls_head.in_channels == model.backbone.out_channels
    assert cfg.test_dataloader.dataset.pipeline[1]['num_clips'] == 10


def test_finetune_config_loads_converted_checkpoint_without_missing_keys(
        tmp_path, official_fixtures):
    converted = convert_official_checkpoint(
        official_checkpoint(official_fixtures /
                            'r2plus1d-vcop_manifest.json'))
    path = tmp_path / 'rspnet_r21d.pth'
    save_plain_checkpoint(str(path), converted)
    cfg = Config.fromfile(str(CONFIGS / 'finetune_r21d_ucf101.py'))
    model = MODELS.build(cfg.model)
    model.init_weights()
    # what load_from does (mmengine's loader, non-strict) ...
    load_checkpoint(model, str(path), map_location='cpu', strict=False)
    # ... leaves only the new classifier missing, and nothing unexpected
    result = model.load_state_dict(
        load_checkpoint_file(str(path))['state_dict'], strict=False)
    assert sorted(result.missing_keys) == ['cls_head.fc_cls.bias',
                                           'cls_head.fc_cls.weight']
    assert result.unexpected_keys == []
    state = model.state_dict()
    for key, value in converted['state_dict'].items():
        assert torch.equal(state[key], value), key


def test_linear_probe_leaves_the_backbone_unchanged():
    cfg = Config.fromfile(str(CONFIGS / 'linear_r21d_ucf101.py'))
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    before = {k: v.clone() for k, v in model.backbone.state_dict().items()}
    optimizer = torch.optim.SGD(
        [p for p in model.parameters() if p.requires_grad], lr=0.5,
        momentum=0.9)
    feats = torch.randn(2, 3, 16, 48, 48)
    for _ in range(2):
        scores = model.cls_head(model.backbone(feats))
        loss = torch.nn.functional.cross_entropy(scores,
                                                 torch.tensor([0, 1]))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    after = model.backbone.state_dict()
    for key, value in before.items():  # weights and BN statistics
        assert torch.equal(value, after[key]), key
    assert all(not p.requires_grad for p in model.backbone.parameters())
    assert model.cls_head.fc_cls.weight.requires_grad
