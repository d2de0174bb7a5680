"""Pooled backbone features of every video of a config's test list.

The videos of ``test_dataloader.dataset`` are cut into shards of
``shard_size`` in list order; each process (rank) extracts the shards
``rank, rank + world, ...`` that are not complete yet, in batches, and
writes them atomically (:mod:`.shards`). Rank 0 writes the index once all
shards are there, so a killed run resumes where it stopped.
"""
import os
import os.path as osp
from typing import Dict, Optional

import numpy as np
import torch
from mmaction.registry import DATASETS
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.dist import barrier, get_dist_info
from torch import nn
from torch.utils.data import DataLoader, Subset
from tqdm import tqdm

from ..inference import build_model
from . import shards


def run_description(cfg: Config, checkpoint: Optional[str],
                    shard_size: int, seed: int) -> Dict[str, object]:
    """What a resumed run must share with the first one (JSON-ready)."""
    dataset = cfg.test_dataloader.dataset
    state = None
    if checkpoint is not None:
        stat = os.stat(checkpoint)
        state = [osp.abspath(checkpoint), stat.st_size, stat.st_mtime_ns]
    return dict(model=str(cfg.model.get('backbone', cfg.model)),
                checkpoint=state, ann_file=str(dataset.get('ann_file')),
                data_prefix=str(dataset.get('data_prefix')),
                pipeline=str(dataset.get('pipeline')),
                shard_size=int(shard_size),
                seed=None if checkpoint is not None else int(seed))


@torch.no_grad()
def clip_features(model: nn.Module, batch: dict) -> tuple:
    """Globally pooled backbone features of a batch of videos.

    Args:
        model (nn.Module): Recognizer or RSPNet with ``data_preprocessor``
            and ``extract_feat(inputs, stage='backbone')``.
        batch (dict): Collated ``inputs`` (list of (clips, C, T, H, W)) and
            ``data_samples``.

    Returns:
        tuple: (sum of clips, C) float32 features and (B,) clips per video.
    """
    counts = [int(x.shape[0]) for x in batch['inputs']]
    data = model.data_preprocessor(batch, training=False)
    inputs = data['inputs']  # [B, clips, C, T, H, W]
    feat, _ = model.extract_feat(inputs, stage='backbone')
    # feat: [B * clips, C, T', H', W']
    pooled = feat.float().mean(dim=(2, 3, 4))  # [B * clips, C]
    return pooled.cpu().numpy(), np.array(counts, np.int64)


def extract(cfg: Config, checkpoint: Optional[str], out_dir: str,
            batch_size: int = 8, shard_size: int = 256,
            num_workers: Optional[int] = None, seed: int = 0,
            progress: bool = True) -> Optional[Dict[str, np.ndarray]]:
    """Extract (or finish extracting) the features into ``out_dir``.

    Args:
        cfg (Config): Config with ``model`` and ``test_dataloader``.
        checkpoint (str, optional): Weights, loaded as a runner's
            ``load_from``; None keeps the initialisation.
        out_dir (str): Output folder (see :mod:`.shards`).
        batch_size (int): Videos per forward pass. Defaults to 8.
        shard_size (int): Videos per shard. Defaults to 256.
        num_workers (int, optional): Loader workers; the config's when
            None.
        seed (int): Torch seed of the initialisation, before loading the
            checkpoint (the features of ``checkpoint=None`` depend on it).
            Defaults to 0.
        progress (bool): Show a progress bar on rank 0.

    Returns:
        dict | None: :func:`shards.load_features` on rank 0, None on the
        other ranks.
    """
    if shard_size < 1 or batch_size < 1:
        raise ValueError(f'batch_size={batch_size} and shard_size='
                         f'{shard_size} must be >= 1')
    rank, world = get_dist_info()
    run = run_description(cfg, checkpoint, shard_size, seed)
    if rank == 0:
        shards.check_run(out_dir, run)
    barrier()
    torch.manual_seed(seed)
    model = build_model(cfg, checkpoint)
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    todo = [s for s in range(-(-len(dataset) // shard_size))
            if s % world == rank and not shards.shard_done(out_dir, s)]
    if num_workers is None:
        num_workers = cfg.test_dataloader.get('num_workers', 0)
    total = sum(len(range(s * shard_size,
                          min((s + 1) * shard_size, len(dataset))))
                for s in todo)
    bar = tqdm(total=total, unit='video', desc=f'features rank {rank}',
               disable=not progress or rank != 0)
    for shard in todo:
        indices = range(shard * shard_size,
                        min((shard + 1) * shard_size, len(dataset)))
        loader = DataLoader(Subset(dataset, indices), batch_size=batch_size,
                            num_workers=num_workers,
                            collate_fn=pseudo_collate)
        clips, counts = [], []
        for batch in loader:
            feats, n = clip_features(model, batch)
            clips.append(feats)
            counts.append(n)
            bar.update(len(n))
        shards.write_shard(out_dir, shard, np.concatenate(clips),
                           np.concatenate(counts))
    bar.close()
    barrier()
    if rank != 0:
        return None
    shards.write_index(out_dir, [info['filename'] for info in infos],
                       [int(info.get('label', -1)) for info in infos],
                       shard_size)
    return shards.load_features(out_dir)
