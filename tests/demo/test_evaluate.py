"""The demo's frozen features: written by rspnet_mm.features, equal to
what MMAction2's test loop with VideoFeatureHead gives."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import PARAM_SCHEDULERS
from mmengine.runner import Runner

from rspnet_mm.demo import evaluate
from rspnet_mm.features import load_features
from rspnet_mm.inference import build_model
from rspnet_mm.testing.recipes import REPO_ROOT


def test_demo_features_match_the_test_loop_and_are_on_disk(tiny_motion_set,
                                                           tmp_path):
    data_dir = osp.dirname(tiny_motion_set['root'])
    torch.manual_seed(0)
    checkpoint = tmp_path / 'init.pth'
    cfg = Config.fromfile(osp.join(REPO_ROOT, evaluate.FEATURES_CONFIG))
    model = build_model(cfg, None)
    torch.save(dict(state_dict=model.state_dict()), checkpoint)

    feats = evaluate.extract_features(str(REPO_ROOT), data_dir, 'train',
                                      str(checkpoint), str(tmp_path))
    assert feats.shape == (6, 128)
    on_disk = load_features(str(tmp_path / 'features_train'))
    np.testing.assert_array_equal(on_disk['videos'], feats)

    dump = tmp_path / 'loop.npz'
    cfg.test_dataloader.dataset.ann_file = tiny_motion_set['train_list']
    cfg.test_dataloader.dataset.data_prefix = dict(
        video=tiny_motion_set['root'])
    cfg.test_dataloader.num_workers = 0
    cfg.test_dataloader.persistent_workers = False
    cfg.test_evaluator = dict(type='VideoRetrievalMetric', topk=(1, ),
                              dump_features=str(dump))
    cfg.work_dir = str(tmp_path / 'loop')
    cfg.load_from = str(checkpoint)
    Runner.from_cfg(cfg).test()
    with np.load(dump) as loop:
        np.testing.assert_allclose(feats, loop['features'], rtol=1e-4,
                                   atol=1e-6)


def test_finetune_protocol_warms_up_for_a_tenth_then_cosine(tmp_path):
    cfg = evaluate.finetune_config(str(REPO_ROOT), str(tmp_path), 'w.pth',
                                   str(tmp_path), iters=200, num_classes=7)
    assert cfg.model.cls_head.num_classes == 7
    assert cfg.load_from == 'w.pth' and cfg.train_cfg.max_iters == 200
    param = torch.nn.Parameter(torch.zeros(1))
    optim = torch.optim.SGD([param], lr=cfg.optim_wrapper.optimizer.lr)
    schedulers = [PARAM_SCHEDULERS.build(dict(s, optimizer=optim, end=s.get(
        'end', 200))) for s in cfg.param_scheduler]
    lrs = []
    for _ in range(200):
        lrs.append(optim.param_groups[0]['lr'])
        optim.step()
        for scheduler in schedulers:
            scheduler.step()
    base = 0.02
    assert lrs[0] == pytest.approx(0.1 * base)  # warm-up from a tenth
    # mmengine's LinearLR reaches the full lr at its last step (19)
    assert lrs[10] == pytest.approx(base * (0.1 + 0.9 * 10 / 19))
    assert lrs[19] == pytest.approx(base)
    assert lrs[110] == pytest.approx(base / 2)  # cosine half-way
    assert lrs[-1] < 1e-3 * base  # cosine to 0 at the end
