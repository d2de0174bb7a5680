"""Finetuning configs load converted official weights; linear probe
keeps the backbone fixed."""
import pytest
import torch
from mmaction.registry import MODELS
from mmengine.config import Config
from mmengine.dataset import Compose
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


# The reference recipes (rspnet-reference.md §4) and its SSv2 schedule:
# config, classes, batch, lr, epochs, scheduler
RECIPES = [line.split() for line in """
    c3d_ucf101   101  20  0.005  30  CosineAnnealingLR
    r18_ucf101   101  32  0.1    30  CosineAnnealingLR
    r21d_ucf101  101   8  0.1    30  CosineAnnealingLR
    s3dg_ucf101  101   4  0.005  50  CosineAnnealingLR
    c3d_hmdb51    51   6  0.005 100  MultiStepLR
    r18_hmdb51    51  64  0.01   30  MultiStepLR
    r21d_hmdb51   51  16  0.1    30  CosineAnnealingLR
    s3dg_hmdb51   51   4  0.005  50  CosineAnnealingLR
    c3d_sthv2    174  20  0.01   50  MultiStepLR
    r18_sthv2    174  32  0.01   50  MultiStepLR
    r21d_sthv2   174   8  0.01   50  MultiStepLR
    s3dg_sthv2   174   4  0.01   50  MultiStepLR
""".strip().splitlines()]
BACKBONES = dict(c3d='VCOPC3D', r18='HaraResNet3D', r21d='VCOPR2Plus1D',
                 s3dg='S3DG')
CHECKPOINTS = dict(c3d='rspnet_c3d_k400_200e', r18='rspnet_r18_k400_200e',
                   r21d='rspnet_r21d_k400_200e',
                   s3dg='rspnet_s3dg_k400_1000e')


@pytest.mark.parametrize('name,classes,batch,lr,epochs,scheduler', RECIPES,
                         ids=[r[0] for r in RECIPES])
def test_finetune_matrix_resolves_to_the_reference_recipes(
        name, classes, batch, lr, epochs, scheduler):
    cfg = Config.fromfile(str(CONFIGS / f'finetune_{name}.py'))
    arch, data = name.split('_')
    assert cfg.model.backbone.type == BACKBONES[arch]
    assert cfg.model.cls_head.num_classes == int(classes)
    assert cfg.model.cls_head.in_channels == (1024 if arch == 's3dg'
                                              else 512)
    assert cfg.train_dataloader.batch_size == int(batch)
    assert cfg.optim_wrapper.optimizer.lr == float(lr)
    assert cfg.optim_wrapper.optimizer.weight_decay == 1e-4
    assert cfg.train_cfg.max_epochs == int(epochs)
    assert [s.type for s in cfg.param_scheduler] == [scheduler]
    if scheduler == 'MultiStepLR':
        milestones = [20, 40] if data == 'sthv2' else [50, 70, 90]
        assert cfg.param_scheduler[0].milestones == milestones
    assert cfg.load_from == f'checkpoints/{CHECKPOINTS[arch]}_backbone.pth'
    dataset = cfg.train_dataloader.dataset
    root = dict(ucf101='ucf101', hmdb51='hmdb51', sthv2='sthv2')[data]
    assert dataset.data_prefix.video == f'data/{root}/videos'
    assert dataset.ann_file.startswith(f'data/{root}/{root}_train_')
    assert cfg.test_dataloader.dataset.ann_file.startswith(
        f'data/{root}/{root}_val_')
    steps = [s.type for s in dataset.pipeline]
    if data == 'sthv2':  # 'cover' sampling, no flip
        assert 'Flip' not in steps and steps[1] == 'UniformSample'
    else:
        assert 'Flip' in steps and steps[1] == 'SampleFrames'
    clip_len = 64 if arch == 's3dg' and data != 'sthv2' else 16
    assert dataset.pipeline[1].clip_len == clip_len
    assert cfg.val_cfg.type == 'ValLoop' and cfg.test_cfg.type == 'TestLoop'


def test_sthv2_config_builds_and_its_pipeline_covers_the_video():
    cfg = Config.fromfile(str(CONFIGS / 'finetune_r21d_sthv2.py'))
    model = MODELS.build(cfg.model)
    assert model.cls_head.num_classes == 174
    frames = Compose(cfg.test_dataloader.dataset.pipeline[1:2])(
        dict(total_frames=160, start_index=0))['frame_inds']
    # one frame near the middle of each of 16 segments of 10 frames
    assert len(frames) == 16
    for i, frame in enumerate(frames.tolist()):
        assert 10 * i + 3 <= frame <= 10 * i + 6, (i, frame)


@pytest.mark.parametrize('arch', sorted(BACKBONES))
@pytest.mark.parametrize('data', ['ucf101', 'hmdb51'])
def test_linear_probe_and_retrieval_exist_for_every_backbone(arch, data):
    linear = Config.fromfile(str(CONFIGS / f'linear_{arch}_{data}.py'))
    finetune = Config.fromfile(str(CONFIGS / f'finetune_{arch}_{data}.py'))
    assert linear.model.backbone.frozen_stages == 4
    assert linear.optim_wrapper.optimizer.weight_decay == 0.0
    assert linear.model.cls_head == finetune.model.cls_head
    retrieval = Config.fromfile(str(REPO_ROOT / 'configs' / 'retrieval' /
                                    f'retrieval_{arch}_{data}.py'))
    assert retrieval.model.backbone == finetune.model.backbone
    assert retrieval.model.cls_head.type == 'VideoFeatureHead'
    assert retrieval.test_evaluator.type == 'VideoRetrievalMetric'
    assert retrieval.test_evaluator.topk == (1, 5, 10, 20, 50)
    gallery = retrieval.gallery_dataloader.dataset
    query = retrieval.test_dataloader.dataset
    assert gallery.ann_file == finetune.train_dataloader.dataset.ann_file
    assert query.ann_file == finetune.test_dataloader.dataset.ann_file
    # both through the 10-clip test pipeline, no augmentation
    assert gallery.pipeline == query.pipeline == \
        finetune.test_dataloader.dataset.pipeline
    assert gallery.pipeline[1].num_clips == 10
    assert retrieval.test_cfg.type == 'TestLoop'
