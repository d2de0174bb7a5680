"""The headline pretraining config builds and trains on real videos."""
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from rspnet_mm.synthetic import (
    SyntheticMotionConfig,
    generate_dataset,
)
from rspnet_mm.testing.recipes import REPO_ROOT

CONFIGS = REPO_ROOT / 'configs'


@pytest.mark.parametrize('name', [
    'rspnet_s3dg_k400', 'rspnet_s3dg_ucf101', 'rspnet_c3d_k400',
    'rspnet_r21d_k400', 'rspnet_r18_ucf101'
])
def test_pretraining_configs_keep_the_reference_recipe(name):
    cfg = Config.fromfile(str(CONFIGS / f'{name}.py'))
    assert cfg.model.type == 'RSPNet'
    assert cfg.model.queue_len == 16384 and cfg.model.key_momentum == 0.999
    assert cfg.model.rsp_head.margin == 2.0
    assert cfg.model.rsp_head.temperature == 0.07
    assert cfg.optim_wrapper.optimizer.momentum == 0.9
    assert cfg.optim_wrapper.optimizer.weight_decay == 1e-4
    assert cfg.train_cfg.max_epochs == 200
    assert cfg.auto_scale_lr == dict(enable=True, base_batch_size=64)
    assert cfg.param_scheduler[0].eta_min_ratio == 1e-3
    assert cfg.default_hooks.checkpoint.interval == 50
    size = cfg.train_dataloader.dataset.pipeline[1]['size']
    assert size == (224 if 's3dg' in name else 112)
    expected_lr = {'s3dg': 0.05, 'r21d': 0.05, 'c3d': 0.1, 'r18': 0.1}
    assert cfg.optim_wrapper.optimizer.lr == expected_lr[name.split('_')[1]]


def test_s3dg_k400_config_runs_one_iteration_on_synthetic_videos(tmp_path):
    data = tmp_path / 'data'
    generate_dataset(SyntheticMotionConfig(n_clips=2, val_fraction=0.0,
                                           size=64, seed=1), data)
    cfg = Config.fromfile(str(CONFIGS / 'rspnet_s3dg_k400.py'))
    cfg.merge_from_dict({
        'train_dataloader.dataset.ann_file': str(data / 'train_list.txt'),
        'train_dataloader.dataset.data_prefix.video': str(data / 'videos'),
        'train_dataloader.batch_size': 2,
        'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        'train_cfg.max_epochs': 1,
        'env_cfg.dist_cfg.backend': 'gloo',
    })
    cfg.work_dir = str(tmp_path / 'work')
    runner = Runner.from_cfg(cfg)
    before = runner.model.backbone.state_dict()['conv1.conv.weight'].clone() \
        if 'conv1.conv.weight' in runner.model.backbone.state_dict() else None
    runner.train()
    assert runner.iter == 1
    model = runner.model
    assert int(model.queue_ptr) == 2  # one batch of 2 k- keys enqueued
    # auto_scale_lr: 0.05 x (2 x 1) / 64, then one cosine epoch step
    assert runner.optim_wrapper.param_groups[0]['initial_lr'] == \
        pytest.approx(0.05 * 2 / 64)
    losses = runner.message_hub.log_scalars
    for key in ('train/loss_rsp', 'train/loss_avid', 'train/rsp_acc'):
        assert torch.isfinite(torch.tensor(losses[key].current()))
    if before is not None:
        after = model.backbone.state_dict()['conv1.conv.weight']
        assert not torch.equal(before, after)


def test_pretraining_configs_have_split_bn_and_head_weights():
    cfg = Config.fromfile(str(CONFIGS / 'rspnet_c3d_k400.py'))
    assert cfg.model.shuffle_bn is True and cfg.model.bn_splits is None
    assert cfg.model.rsp_head.loss_weight == 1.0
    assert cfg.model.avid_head.loss_weight == 1.0
    assert 'rsp_loss_weight' not in cfg.model
    assert cfg.get('val_cfg') is None  # the monitor is an option


def test_monitor_base_replaces_the_pretraining_runtime(tmp_path):
    # what the comment in rspnet_c3d_k400.py tells users to do
    text = (CONFIGS / 'rspnet_c3d_k400.py').read_text().replace(
        "'_base_/pretrain_runtime.py'", "'_base_/pretrain_monitor.py'")
    text = text.replace("'_base_/", f"'{CONFIGS}/_base_/")
    path = tmp_path / 'rspnet_c3d_k400_monitor.py'
    path.write_text(text)
    cfg = Config.fromfile(str(path))
    assert cfg.val_cfg == dict(type='RepresentationMonitorLoop')
    assert cfg.val_evaluator == dict(type='RepresentationMonitorMetric',
                                     k=10)
    dataset = cfg.val_dataloader.dataset
    assert dataset.ann_file == 'data/ucf101/ucf101_val_split_1_videos.txt'
    assert dataset.data_prefix.video == 'data/ucf101/videos'
    assert dataset.pipeline[1].num_clips == 1
    assert dataset.pipeline[4].crop_size == 112
    assert cfg.default_hooks.checkpoint.save_best == 'knn_top1'
    assert cfg.default_hooks.checkpoint.rule == 'greater'
    # the pretraining runtime underneath is kept
    assert cfg.default_hooks.checkpoint.interval == 50
    assert cfg.train_cfg.max_epochs == 200


def test_demo_config_monitors_the_synthetic_val_set():
    cfg = Config.fromfile(str(CONFIGS / 'rspnet_litec3d_synthetic.py'))
    assert cfg.val_cfg.type == 'RepresentationMonitorLoop'
    assert cfg.val_dataloader.dataset.ann_file == \
        'data/synthetic_motion/val_list.txt'
    assert cfg.train_cfg.val_interval == 100
    assert cfg.default_hooks.logger.log_metric_by_epoch is False
    assert cfg.default_hooks.checkpoint.save_best == 'knn_top1'
