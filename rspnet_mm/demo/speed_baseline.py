"""Relative speed on the val set: RSPNet against a frame-difference ranker.

One (q, k+, k-) triple per val video, drawn by the pretraining pipeline
(sampler and augmentation as in training, seeded). RSPNet is right when
s(q, k+) > s(q, k-). The hand-made baseline measures motion as the mean
absolute difference of consecutive frames and picks the key whose motion is
closer to q's in log ratio; it is right when that key is k+.
"""
import os.path as osp
import random
from typing import Dict

import numpy as np
import torch
from mmaction.registry import DATASETS
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from torch.utils.data import DataLoader

from rspnet_mm.evaluation.functional import compare
from rspnet_mm.inference import build_model
from rspnet_mm.visualization.grad_cam import rsp_gap

_EPS = 1e-6


def frame_diff_energy(views: torch.Tensor) -> torch.Tensor:
    """Mean absolute difference of consecutive frames.

    Args:
        views (Tensor): (..., C, T, H, W) clips, any dtype.

    Returns:
        Tensor: (...) float64 motion energies.
    """
    x = views.double()
    return (x[..., 1:, :, :] - x[..., :-1, :, :]).abs().mean(dim=(-4, -3, -2,
                                                                  -1))


def frame_diff_correct(views: torch.Tensor) -> torch.Tensor:
    """The ranker on (N, 3, C, T, H, W) views q, k+, k-: (N,) bool."""
    log_energy = torch.log(frame_diff_energy(views) + _EPS)  # [N, 3]
    to_pos = (log_energy[:, 0] - log_energy[:, 1]).abs()
    to_neg = (log_energy[:, 0] - log_energy[:, 2]).abs()
    return to_pos < to_neg


def speed_judgements(config: str, checkpoint: str, data_dir: str,
                     seed: int = 0, batch_size: int = 16
                     ) -> Dict[str, np.ndarray]:
    """Per val video: is the speed judged right by RSPNet, by the ranker.

    Args:
        config (str): The pretraining config.
        checkpoint (str): The pretraining checkpoint.
        data_dir (str): Synthetic data folder (``val_list.txt``,
            ``videos/``).
        seed (int): Seed of the triples. Defaults to 0.
        batch_size (int): Videos per forward pass. Defaults to 16.

    Returns:
        dict: ``rspnet`` and ``frame_diff``, (M,) bool each.
    """
    cfg = Config.fromfile(config)
    model = build_model(cfg, checkpoint)
    dataset = DATASETS.build(dict(
        cfg.train_dataloader.dataset,
        ann_file=osp.join(data_dir, 'val_list.txt'),
        data_prefix=dict(video=osp.join(data_dir, 'videos'))))
    random.seed(seed)
    np.random.seed(seed)
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=False,
                        num_workers=0, collate_fn=pseudo_collate)
    rspnet, ranker = [], []
    with torch.no_grad():
        for batch in loader:
            raw = torch.stack(batch['inputs'])  # [B, 3, C, T, H, W] uint8
            ranker.append(frame_diff_correct(raw))
            inputs = model.data_preprocessor(batch, training=False)['inputs']
            rspnet.append(rsp_gap(model, inputs) > 0)
    return dict(rspnet=torch.cat(rspnet).numpy(),
                frame_diff=torch.cat(ranker).numpy())


def speed_baseline_summary(judgements: Dict[str, np.ndarray]) -> dict:
    """``compare`` of the ranker (as ``frame_diff``) and RSPNet."""
    result = compare(judgements['frame_diff'], judgements['rspnet'])
    return {key.replace('random', 'frame_diff'): value
            for key, value in result.items()}


def format_speed_baseline(result: dict, n: int) -> str:
    """One markdown row (with its header) for the demo's report."""
    low, high = result['diff_ci']
    return '\n'.join([
        f'| relative speed on val (n={n}) | frame-difference ranker | '
        'RSPNet | difference, 95% CI | RSPNet better |',
        '|---|---|---|---|---|',
        f'| rsp_acc | {result["frame_diff"]:.1f} | {result["rspnet"]:.1f} '
        f'| {result["rspnet"] - result["frame_diff"]:+.1f} [{low:+.1f}, '
        f'{high:+.1f}] | {"yes" if result["rspnet_better"] else "no"} |'])
