"""Feature files on disk: shards written atomically, an index, a reader.

Layout of an output folder (every file readable with ``numpy.load`` alone,
no pickle)::

    run.json               what produced the features (config, checkpoint,
                           list, shard size): a resumed run must match it
    clips_00000.npy        (clips of the shard's videos, C) float32 per clip
    counts_00000.npy       (videos of the shard, ) int64 clips per video
    videos_00000.npy       (videos of the shard, C) float32 clip means;
                           written last: the shard is complete once it exists
    ...
    index.npz              ``paths`` (V,) str, ``labels`` (V,) int64,
                           ``clip_counts`` (V,) int64, ``shard`` (V,) int64,
                           in annotation-list order; written when every
                           shard is complete

Each file is written to ``<name>.tmp`` and renamed, so a killed run never
leaves a partial file under a final name.
"""
import json
import os
import os.path as osp
from typing import Dict, List, Sequence

import numpy as np

INDEX = 'index.npz'
RUN = 'run.json'


def shard_name(kind: str, shard: int) -> str:
    """``clips_00003.npy``-style name of one file of a shard."""
    return f'{kind}_{shard:05d}.npy'


def save_atomic(path: str, array: np.ndarray) -> None:
    """``np.save`` to ``path + '.tmp'``, fsync, then rename to ``path``."""
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        np.save(f, array, allow_pickle=False)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def shard_done(out_dir: str, shard: int) -> bool:
    """Whether every file of ``shard`` is in place."""
    return all(osp.isfile(osp.join(out_dir, shard_name(kind, shard)))
               for kind in ('clips', 'counts', 'videos'))


def write_shard(out_dir: str, shard: int, clips: np.ndarray,
                counts: np.ndarray) -> None:
    """Write one shard; its video means last (the completion mark).

    Args:
        out_dir (str): Output folder.
        shard (int): Shard number.
        clips (np.ndarray): (sum(counts), C) per-clip features, videos in
            order.
        counts (np.ndarray): (n,) clips of each video.
    """
    counts = np.asarray(counts, np.int64)
    if clips.shape[0] != counts.sum():
        raise ValueError(f'shard {shard}: {clips.shape[0]} clip features for '
                         f'{counts.sum()} clips')
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    videos = np.stack([clips[s:s + n].mean(axis=0)
                       for s, n in zip(starts, counts)])
    save_atomic(osp.join(out_dir, shard_name('clips', shard)),
                clips.astype(np.float32))
    save_atomic(osp.join(out_dir, shard_name('counts', shard)), counts)
    save_atomic(osp.join(out_dir, shard_name('videos', shard)),
                videos.astype(np.float32))


def check_run(out_dir: str, run: dict) -> None:
    """Record ``run`` in ``out_dir``, or check that it matches the record.

    Raises:
        ValueError: The folder holds features of another run.
    """
    path = osp.join(out_dir, RUN)
    if osp.isfile(path):
        with open(path) as f:
            before = json.load(f)
        if before != run:
            changed = sorted(k for k in set(before) | set(run)
                             if before.get(k) != run.get(k))
            raise ValueError(
                f'{out_dir} holds features of another run '
                f'({", ".join(changed)} differ); resume with the same '
                'arguments, or use a new --out')
        return
    os.makedirs(out_dir, exist_ok=True)
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(run, f, indent=1, sort_keys=True)
    os.replace(tmp, path)


def write_index(out_dir: str, paths: Sequence[str], labels: Sequence[int],
                shard_size: int) -> None:
    """Write ``index.npz`` once every shard is complete."""
    shards = range(-(-len(paths) // shard_size))
    missing = [s for s in shards if not shard_done(out_dir, s)]
    if missing:
        raise RuntimeError(f'{out_dir}: shards {missing} are incomplete; '
                           'run the extraction again to finish them')
    counts = np.concatenate([np.load(osp.join(out_dir,
                                              shard_name('counts', s)))
                             for s in shards])
    path = osp.join(out_dir, INDEX)
    with open(path + '.tmp', 'wb') as f:
        np.savez(f, paths=np.array(paths, dtype=str),
                 labels=np.asarray(labels, np.int64), clip_counts=counts,
                 shard=np.arange(len(paths)) // shard_size)
    os.replace(path + '.tmp', path)


def load_features(out_dir: str) -> Dict[str, np.ndarray]:
    """Read a finished output folder.

    Args:
        out_dir (str): Folder written by ``tools/extract_features.py``.

    Returns:
        dict: ``videos`` (V, C) clip-mean features and ``clips`` (sum of
        clip counts, C) in list order, with the index's ``paths``,
        ``labels``, ``clip_counts`` and ``shard``.
    """
    path = osp.join(out_dir, INDEX)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{path} not found: the extraction into {out_dir} has not '
            'finished (run tools/extract_features.py again to complete it)')
    with np.load(path) as index:
        out = {key: index[key] for key in index.files}
    shards: List[int] = sorted(set(out['shard'].tolist()))
    for kind in ('videos', 'clips'):
        out[kind] = np.concatenate([
            np.load(osp.join(out_dir, shard_name(kind, s))) for s in shards])
    if len(out['videos']) != len(out['paths']):
        raise ValueError(f'{out_dir}: {len(out["videos"])} video features '
                         f'for {len(out["paths"])} index entries; extract '
                         'again into a new folder')
    return out
