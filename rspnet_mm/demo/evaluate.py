"""Evaluations of one backbone initialisation on the synthetic set."""
import copy
import os.path as osp
import shutil
from typing import Dict

import numpy as np
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from rspnet_mm.evaluation.functional import (
    cosine_topk,
    knn_predict,
    linear_probe,
)
from rspnet_mm.features import extract

FEATURES_CONFIG = 'configs/demo/features_litec3d_synthetic.py'
FINETUNE_CONFIG = 'configs/demo/finetune_litec3d_synthetic.py'


def _point_at_data(cfg: Config, data_dir: str, loader: str,
                   split: str) -> None:
    dataset = cfg[loader].dataset
    dataset.ann_file = osp.join(data_dir, f'{split}_list.txt')
    dataset.data_prefix = dict(video=osp.join(data_dir, 'videos'))


def extract_features(repo_root: str, data_dir: str, split: str,
                     checkpoint: str, work_dir: str) -> np.ndarray:
    """Pooled, clip-averaged backbone features of every video of a split.

    Written by :func:`rspnet_mm.features.extract` (what
    ``tools/extract_features.py`` runs) into ``work_dir/features_<split>``,
    afresh for each call; the probes read them back from there.

    Args:
        repo_root (str): Repository root.
        data_dir (str): Synthetic data folder.
        split (str): 'train' or 'val'.
        checkpoint (str): Weights with ``backbone.*`` keys.
        work_dir (str): Where the feature folder goes.

    Returns:
        np.ndarray: (V, C) features in list order.
    """
    cfg = Config.fromfile(osp.join(repo_root, FEATURES_CONFIG))
    _point_at_data(cfg, data_dir, 'test_dataloader', split)
    out = osp.join(work_dir, f'features_{split}')
    shutil.rmtree(out, ignore_errors=True)  # another checkpoint's files
    features = extract(cfg, checkpoint, out,
                       batch_size=cfg.test_dataloader.batch_size,
                       progress=True)
    return features['videos']


def probe_all(train_x: np.ndarray, val_x: np.ndarray,
              train_labels: Dict[str, np.ndarray],
              val_labels: Dict[str, np.ndarray], primary: str,
              others) -> Dict[str, np.ndarray]:
    """Per-video success of every frozen-feature evaluation.

    Args:
        train_x (np.ndarray): (N, C) gallery / train features.
        val_x (np.ndarray): (M, C) query / val features.
        train_labels (dict): label option -> (N,) labels.
        val_labels (dict): label option -> (M,) labels.
        primary (str): The primary label option.
        others (Sequence[str]): Label options of the other linear probes.

    Returns:
        dict: (M,) bool arrays: ``linear_probe``, ``knn_top1``,
        ``retrieval_r1``, ``retrieval_r5`` on the primary label and
        ``probe/<name>`` for the others.
    """
    tx, vx = torch.from_numpy(train_x), torch.from_numpy(val_x)
    ty = torch.from_numpy(train_labels[primary])
    vy = torch.from_numpy(val_labels[primary])
    neighbours = cosine_topk(vx, tx, 5)
    hits = ty[neighbours] == vy[:, None]
    results = dict(
        linear_probe=linear_probe(tx, ty, vx, vy).numpy(),
        knn_top1=(knn_predict(tx, ty, vx) == vy).numpy(),
        retrieval_r1=hits[:, :1].any(1).numpy(),
        retrieval_r5=hits.any(1).numpy())
    for name in others:
        correct = linear_probe(tx, torch.from_numpy(train_labels[name]), vx,
                               torch.from_numpy(val_labels[name]))
        results[f'probe/{name}'] = correct.numpy()
    return results


def finetune_config(repo_root: str, data_dir: str, checkpoint: str,
                    work_dir: str, iters: int, num_classes: int) -> Config:
    """The demo's finetuning config for one initialisation.

    The protocol (docs/demo.md) is the same for both initialisations; only
    ``checkpoint`` differs. The warm-up stays the first 10 % of ``iters``.

    Args:
        repo_root (str): Repository root.
        data_dir (str): Synthetic data folder (lists labelled by the
            primary label).
        checkpoint (str): Initial weights (``backbone.*`` keys).
        work_dir (str): Work dir of the run.
        iters (int): Training iterations.
        num_classes (int): Classes of the primary label.

    Returns:
        Config: Ready for ``Runner.from_cfg``.
    """
    cfg = Config.fromfile(osp.join(repo_root, FINETUNE_CONFIG))
    _point_at_data(cfg, data_dir, 'train_dataloader', 'train')
    _point_at_data(cfg, data_dir, 'test_dataloader', 'val')
    cfg.model.cls_head.num_classes = num_classes
    cfg.train_cfg.max_iters = iters
    warmup, cosine = cfg.param_scheduler
    warmup.end = cosine.begin = max(1, iters // 10)
    cfg.work_dir = work_dir
    cfg.load_from = checkpoint
    cfg.custom_hooks = [dict(type='LoopProgressBarHook', desc='finetune')]
    cfg.log_level = 'WARNING'
    return cfg


def finetune(repo_root: str, data_dir: str, checkpoint: str, work_dir: str,
             iters: int, num_classes: int) -> np.ndarray:
    """Finetune the whole network briefly; per-video val success.

    Args: as :func:`finetune_config`.

    Returns:
        np.ndarray: (M,) bool, val video classified right (4-clip test).
    """
    cfg = finetune_config(repo_root, data_dir, checkpoint, work_dir, iters,
                          num_classes)
    runner = Runner.from_cfg(copy.deepcopy(cfg))
    runner.train()
    model = runner.model
    model.eval()
    correct = []
    with torch.no_grad():
        for batch in runner.test_loop.dataloader:
            for sample in model.test_step(batch):
                correct.append(int(sample.pred_label) ==
                               int(sample.gt_label))
    return np.array(correct, dtype=bool)
