"""load_from with a backbone of another architecture stops before training;
a fitting one loads and lists the new classifier; allow_partial loads what
fits."""
import uuid
from pathlib import Path

import pytest
import torch
from mmaction.registry import MODELS, RUNNERS
from mmengine.config import Config

from rspnet_mm.engine.hooks.load_from_check_hook import file_backbone
from rspnet_mm.models.backbones import BackboneStateError
from rspnet_mm.models.backbones.backbone_checkpoint import (
    save_plain_checkpoint,
)
from rspnet_mm.testing.recipes import DEMO_FINETUNE_CONFIG, REPO_ROOT

C3D_FINETUNE = REPO_ROOT / 'configs' / 'finetune' / 'finetune_c3d_ucf101.py'
LITE = dict(type='LiteC3D', channels=(16, 32, 64, 64, 128))


def _backbone_file(path, cfg, meta=True, seed=0):
    torch.manual_seed(seed)
    state = MODELS.build(dict(cfg)).state_dict()
    save_plain_checkpoint(str(path), dict(
        state_dict={f'backbone.{k}': v for k, v in state.items()},
        meta=dict(backbone=cfg) if meta else {}))
    return state


def _runner(config, work_dir, load_from, video_set=None, **options):
    """A runner as MMAction2's tools/train.py builds it."""
    cfg = Config.fromfile(str(config))
    cfg.work_dir, cfg.load_from = str(work_dir), str(load_from)
    if video_set is not None:
        for loader in ('train_dataloader', 'val_dataloader',
                       'test_dataloader'):
            cfg[loader].dataset.ann_file = video_set['ann_file']
            cfg[loader].dataset.data_prefix = dict(video=video_set['root'])
            cfg[loader].num_workers = 0
            cfg[loader].persistent_workers = False
    cfg.merge_from_dict(options)
    # mmengine names a runner's logger after its start second: two runners
    # built in the same second would share one log file.
    cfg.experiment_name = f'{Path(work_dir).name}_{uuid.uuid4().hex[:8]}'
    return RUNNERS.build(cfg)


def _log(runner):
    return (Path(runner.log_dir) / f'{runner.timestamp}.log').read_text()


def test_wrong_architecture_stops_before_the_first_iteration(
        tiny_video_set, tmp_path):
    """The issue's case: the C3D finetune config, an R3D-18 backbone."""
    path = tmp_path / 'rspnet_r18_backbone.pth'
    _backbone_file(path, dict(type='HaraResNet3D', depth=18))
    runner = _runner(C3D_FINETUNE, tmp_path / 'work', path, tiny_video_set)
    with pytest.raises(BackboneStateError) as info:
        runner.train()
    message = str(info.value)
    assert message.startswith(
        f"load_from={path}: the file's backbone does not fit the model's. "
        "It holds a HaraResNet3D backbone ({'type': 'HaraResNet3D', "
        "'depth': 18}, from its meta['backbone']); the config has "
        "model.backbone={'type': 'VCOPC3D'}. Backbone keys: 50 missing "
        'keys (backbone.conv1.conv.bias, backbone.conv2.conv.weight, ')
    assert ('; 114 unexpected keys (backbone.layer1.0.conv1.conv.weight, '
            in message)
    assert ('; 1 shape mismatches (backbone.conv1.conv.weight: file '
            '(64, 3, 7, 7, 7) vs model (64, 3, 3, 3, 3)). Use a VCOPC3D '
            "checkpoint or set model.backbone to the file's. To load only "
            'the tensors that fit, add --cfg-options '
            'default_hooks.load_from_check.allow_partial=True.') in message
    assert runner.iter == 0 and runner.epoch == 0
    assert not list((tmp_path / 'work').glob('*.pth'))


def test_fitting_backbone_loads_and_lists_the_new_classifier(tmp_path):
    path = tmp_path / 'lite_backbone.pth'
    state = _backbone_file(path, LITE)
    runner = _runner(DEMO_FINETUNE_CONFIG, tmp_path / 'work', path)
    runner.load_or_resume()
    loaded = {k: v.cpu() for k, v in
              runner.model.backbone.state_dict().items()}
    assert all(torch.equal(loaded[k], v) for k, v in state.items())
    assert (f'load_from={path}: 2 keys not in the file, kept as initialised '
            "(expected for a finetune's new classifier): "
            'cls_head.fc_cls.weight, cls_head.fc_cls.bias') in _log(runner)


def test_partial_loading_only_when_allowed(tmp_path):
    """The file's last layer is narrower: strict refuses, partial loads
    the other layers and keeps the last one as initialised."""
    path = tmp_path / 'narrow.pth'
    state = _backbone_file(path, dict(LITE, channels=(16, 32, 64, 64, 96)))
    runner = _runner(DEMO_FINETUNE_CONFIG, tmp_path / 'strict', path)
    with pytest.raises(BackboneStateError,
                       match=r'Backbone keys: 5 shape mismatches \(backbone.'
                       r'layers.4.conv.weight: file \(96, 64, 3, 3, 3\) vs '
                       r'model \(128, 64, 3, 3, 3\), backbone.layers.4.bn.'
                       r'weight: file \(96,\) vs model \(128,\)'):
        runner.load_or_resume()

    runner = _runner(DEMO_FINETUNE_CONFIG, tmp_path / 'partial', path,
                     **{'default_hooks.load_from_check.allow_partial': True})
    before = runner.model.backbone.layers[4].conv.weight.detach().cpu()
    runner.load_or_resume()
    loaded = {k: v.cpu() for k, v in
              runner.model.backbone.state_dict().items()}
    assert all(torch.equal(loaded[k], v) for k, v in state.items()
               if not k.startswith('layers.4.'))
    assert torch.equal(loaded['layers.4.conv.weight'], before)
    log = _log(runner)
    assert 'allow_partial=True: loading only the tensors that fit.' in log
    assert ('5 keys of another shape in the file, kept as initialised: '
            'backbone.layers.4.conv.weight, ') in log
    assert 'size mismatch' not in log


def test_official_file_is_pointed_to_the_converter(tmp_path):
    path = tmp_path / 'model_best_c3d.pth.tar'
    torch.save({'arch': 'c3d', 'model': {
        'encoder_q.encoder.conv1.weight': torch.zeros(1)}}, path)
    runner = _runner(DEMO_FINETUNE_CONFIG, tmp_path / 'work', path)
    with pytest.raises(BackboneStateError,
                       match=r'It holds no backbone.\* weights \(first keys: '
                       r'arch, model\);.*Backbone keys: 30 missing keys .*'
                       'convert it first with tools/convert_official_'
                       'checkpoint.py'):
        runner.load_or_resume()


def test_file_backbone_from_meta_or_keys():
    state = {f'backbone.{k}': v for k, v in
             MODELS.build(dict(type='LiteC3D')).state_dict().items()}
    assert file_backbone({'meta': {}}, state) == (
        "a LiteC3D backbone ({'type': 'LiteC3D'}, inferred from its keys)")
    assert file_backbone({'meta': {'backbone': dict(type='S3DG')}},
                         state) == (
        "a S3DG backbone ({'type': 'S3DG'}, from its meta['backbone'])")
    state.pop('backbone.layers.0.conv.weight')
    assert file_backbone({}, state).startswith(
        'a backbone of unknown type (29 backbone.* tensors: layers.0.bn.'
        'weight, ')
    assert file_backbone({}, {'cls_head.fc.weight': torch.ones(1)}) is None
