"""A tiny real pretraining run with the representation monitor on."""
import json

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from rspnet_mm.evaluation.functional import knn_predict, retrieval_recall
from rspnet_mm.testing.recipes import REPO_ROOT

TINY = REPO_ROOT / 'tests' / 'data' / 'configs' / 'tiny_rspnet_synthetic.py'
DEMO = REPO_ROOT / 'configs' / 'rspnet_litec3d_synthetic.py'
NAMES = ('knn_top1', 'retrieval_r1', 'retrieval_r5')


@pytest.fixture(scope='module')
def motion_set(tmp_path_factory):
    """16 synthetic 32 px clips of two classes, half of them in val."""
    from rspnet_mm import synthetic as sm
    out = tmp_path_factory.mktemp('motion')
    sm.generate_dataset(sm.SyntheticMotionConfig(
        n_clips=16, val_fraction=0.5, size=32, min_frames=8, max_frames=12,
        seed=5, rspnet_window=0, kinds=('translate', 'spin'),
        speed_bands=1), out)
    return out


def _config(data, work_dir):
    cfg = Config.fromfile(str(TINY))
    demo = Config.fromfile(str(DEMO))  # the demo's monitor, on the tiny set
    cfg.val_cfg = demo.val_cfg
    cfg.val_evaluator = dict(demo.val_evaluator, k=3)
    cfg.val_dataloader = demo.val_dataloader
    cfg.val_dataloader.update(num_workers=0, batch_size=3)
    for loader, split in (('train_dataloader', 'train'),
                          ('val_dataloader', 'val')):
        cfg[loader].dataset.ann_file = str(data / f'{split}_list.txt')
        cfg[loader].dataset.data_prefix = dict(video=str(data / 'videos'))
    cfg.train_cfg.update(max_iters=4, val_interval=2)
    cfg.default_hooks.checkpoint.update(save_best='knn_top1', rule='greater')
    assert cfg.default_hooks.logger.log_metric_by_epoch is False
    cfg.work_dir = str(work_dir)
    return cfg


def test_monitor_logs_scores_and_keeps_the_best_checkpoint(motion_set,
                                                           tmp_path):
    runner = Runner.from_cfg(_config(motion_set, tmp_path))
    runner.train()
    scalars = next(tmp_path.glob('*/vis_data/scalars.json'))
    records = [json.loads(line) for line in scalars.read_text().splitlines()]
    monitored = [r for r in records if 'knn_top1' in r]
    assert [r['step'] for r in monitored] == [2, 4]
    for record in monitored:
        for name in NAMES:
            assert 0.0 <= record[name] <= 1.0
        assert record['retrieval_r1'] <= record['retrieval_r5']
        assert 0.0 < record['monitor_seconds'] < 60.0
        assert not any('loss' in key for key in record)
    # save_best kept the checkpoint of the best knn_top1
    best = max(monitored, key=lambda r: r['knn_top1'])
    best_files = list(tmp_path.glob('best_knn_top1_iter_*.pth'))
    assert [p.name for p in best_files] == \
        [f'best_knn_top1_iter_{best["step"]}.pth']

    # the last scores are those of the final query backbone's pooled
    # features, recomputed here without the loop
    model = runner.model.eval()
    feats, labels = [], []
    with torch.no_grad():
        for batch in runner.val_dataloader:
            batch = model.data_preprocessor(batch, False)
            out = model.backbone(batch['inputs'].flatten(0, 1))
            feats.append(out.mean(dim=(2, 3, 4)))  # one clip per video
            labels += [int(s.gt_label) for s in batch['data_samples']]
    feats, labels = torch.cat(feats), torch.tensor(labels)
    assert len(labels) == 8 and set(labels.tolist()) == {0, 1}
    knn = (knn_predict(feats, labels, feats, k=3, exclude_self=True)
           == labels).double().mean()
    recall = retrieval_recall(feats, labels, topk=(1, 5))
    assert monitored[-1]['knn_top1'] == pytest.approx(float(knn), abs=1e-6)
    assert monitored[-1]['retrieval_r1'] == pytest.approx(
        recall['R@1'] / 100, abs=1e-6)
    assert monitored[-1]['retrieval_r5'] == pytest.approx(
        recall['R@5'] / 100, abs=1e-6)
