"""Write a synthetic motion data set to disk: the mp4 clips, the MMAction2
annotation lists for every label option, the metadata, and read it back."""
from __future__ import annotations

import json
import multiprocessing
from pathlib import Path
from typing import Any, Iterable, Sequence

import cv2
import numpy as np
from tqdm import tqdm

from .config import (
    LABEL_OPTIONS,
    SyntheticMotionConfig,
    _check_label_by,
    _fail,
)
from .motion import clip_layout, make_clip_specs
from .render import iter_frames

_SPLITS = ('train', 'val')


def write_clip(frames: Iterable[np.ndarray], path: str | Path,
               fps: float) -> None:
    """Write RGB frames as an mp4 (OpenCV ``mp4v``, no ffmpeg binary).

    Args:
        frames: (T, H, W, 3) uint8 RGB frames, or an iterable of
            (H, W, 3) frames (e.g. :func:`iter_frames`).
        path: Output ``.mp4`` file; its folder must exist.
        fps: Frame rate.
    """
    frames = iter(frames)
    first = next(frames, None)
    if first is None:
        raise ValueError(f'no frames to write to {path}')
    height, width = first.shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'mp4v'),
                             float(fps), (width, height))
    if not writer.isOpened():
        raise OSError(f'OpenCV cannot open {path} for writing an mp4v '
                      'video; check that the folder exists and is writable')
    try:
        writer.write(cv2.cvtColor(first, cv2.COLOR_RGB2BGR))
        for frame in frames:
            writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    finally:
        writer.release()


def _render_and_write(job: tuple[dict, str]) -> None:
    spec, path = job
    write_clip(iter_frames(spec), path, spec['fps'])


def generate_dataset(cfg: SyntheticMotionConfig,
                     out_dir: str | Path,
                     workers: int = 0,
                     progress: bool = False) -> list[dict[str, Any]]:
    """Render every clip and write the lists, classes and metadata.

    Args:
        cfg: Data set options.
        out_dir: Output folder (created; files of an earlier run with the
            same names are overwritten).
        workers: Worker processes rendering clips; 0 or 1 renders in this
            process.
        progress: Show a tqdm progress bar.

    Returns:
        list[dict]: The metadata records written to ``metadata.jsonl``:
        each clip spec plus its ``layout``.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) \
            or workers < 0:
        _fail('workers', workers, 'must be an integer >= 0',
              'use 0 to render in this process')
    out_dir = Path(out_dir)
    specs = make_clip_specs(cfg)
    for split in _SPLITS:
        (out_dir / 'videos' / split).mkdir(parents=True, exist_ok=True)
    jobs = [(spec, str(out_dir / 'videos' / spec['path']))
            for spec in specs]
    bar = tqdm(total=len(jobs), unit='clip', desc='synthetic motion',
               disable=not progress)
    if workers > 1:
        with multiprocessing.Pool(workers) as pool:
            for _ in pool.imap_unordered(_render_and_write, jobs):
                bar.update(1)
    else:
        for job in jobs:
            _render_and_write(job)
            bar.update(1)
    bar.close()
    records = [dict(spec, layout=clip_layout(spec)) for spec in specs]
    with open(out_dir / 'metadata.jsonl', 'w') as f:
        for record in records:
            f.write(json.dumps(record) + '\n')
    classes = {label: cfg.class_names(label) for label in LABEL_OPTIONS}
    with open(out_dir / 'generation.json', 'w') as f:
        json.dump({'config': cfg.to_dict(), 'classes': classes}, f,
                  indent=2)
    write_annotation_lists(records, out_dir, cfg.label_by,
                           classes[cfg.label_by])
    for label in LABEL_OPTIONS:
        write_annotation_lists(records, out_dir / 'labels' / label, label,
                               classes[label])
    return records


def write_annotation_lists(records: Iterable[dict[str, Any]],
                           out_dir: str | Path,
                           label_by: str,
                           class_names: Sequence[str]) -> None:
    """Write MMAction2 ``VideoDataset`` lists and ``classes.txt``.

    Args:
        records: Clip specs or metadata records (with ``labels``).
        out_dir: Folder for ``train_list.txt``, ``val_list.txt`` and
            ``classes.txt`` (created).
        label_by: Label option whose class index ends each line.
        class_names: Names in label order, written to ``classes.txt``.
    """
    _check_label_by(label_by)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    lines: dict[str, list[str]] = {split: [] for split in _SPLITS}
    for record in records:
        label = record['labels'][label_by]
        if not 0 <= label < len(class_names):
            raise ValueError(f'clip {record["path"]}: {label_by} label '
                             f'{label} is outside the {len(class_names)} '
                             'class names; regenerate the metadata')
        lines[record['split']].append(f'{record["path"]} {label}\n')
    for split in _SPLITS:
        (out_dir / f'{split}_list.txt').write_text(''.join(lines[split]))
    (out_dir / 'classes.txt').write_text(
        ''.join(f'{name}\n' for name in class_names))


def load_metadata(out_dir: str | Path) -> list[dict[str, Any]]:
    """Read ``metadata.jsonl`` written by :func:`generate_dataset`."""
    path = Path(out_dir) / 'metadata.jsonl'
    if not path.is_file():
        raise FileNotFoundError(f'{path} not found; generate the data set '
                                'with tools/data/generate_synthetic_motion.py')
    records = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise ValueError(f'{path}:{number}: not a JSON record '
                                 f'({err}); regenerate the data set') from err
    return records
