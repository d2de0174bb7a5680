"""Checkpoint files that are never half-written, and finding the one to
resume from.

mmengine 0.10.7's ``LocalBackend.put`` opens the final path with ``'wb'``
and writes, so a run killed (or out of disk) while saving leaves a
truncated ``iter_N.pth``; ``--resume`` trusts ``last_checkpoint`` and fails
on it. Here: :func:`atomic_write_bytes` (temporary file, fsync, rename),
used by the registered ``atomic_local`` file backend
(:mod:`rspnet_mm.engine.atomic_local_backend`) that
:class:`~rspnet_mm.engine.hooks.AtomicCheckpointHook` writes through, and
:func:`find_latest_complete_checkpoint`, which
:class:`~rspnet_mm.engine.runner.CheckedRunner` uses for
``--resume`` without a path.
"""
import logging
import os
import os.path as osp
import re
import uuid
import zipfile
from typing import List, Optional

from mmengine.logging import print_log

CHECKPOINT_NAME = re.compile(r'^(epoch|iter)_(\d+)\.pth$')
#: The rolling checkpoint AtomicCheckpointHook rewrites.
LATEST_NAME = 'latest.pth'


def atomic_write_bytes(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` so that ``path`` is never partial.

    The bytes go to a temporary file next to ``path`` (same file system),
    are flushed to disk, and the file is renamed over ``path``. If
    anything fails on the way the temporary file is removed and ``path``
    keeps its previous content (or stays absent).

    Args:
        path (str): Target file.
        data (bytes): Content.
    """
    path = str(path)
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = osp.join(folder, f'.{osp.basename(path)}.{uuid.uuid4().hex}.tmp')
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise
    try:  # make the rename itself durable (POSIX)
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def is_complete_checkpoint(path: str) -> bool:
    """Whether ``path`` is a whole ``torch.save`` file.

    ``torch.save`` writes a zip archive whose directory is at the end, so a
    truncated file has none. Files in torch's legacy (non-zip) format
    cannot be checked this way and count as complete.

    Args:
        path (str): Checkpoint file.

    Returns:
        bool: False for a missing, empty or truncated file.
    """
    if not osp.isfile(path) or osp.getsize(path) == 0:
        return False
    if zipfile.is_zipfile(path):
        return True
    with open(path, 'rb') as f:
        return f.read(1) == b'\x80'  # a legacy pickle-format checkpoint


def numbered_checkpoints(work_dir: str) -> List[str]:
    """``epoch_N.pth`` / ``iter_N.pth`` files of ``work_dir``, newest (largest
    N) first."""
    if not osp.isdir(work_dir):
        return []
    found = []
    for name in os.listdir(work_dir):
        match = CHECKPOINT_NAME.match(name)
        if match:
            found.append((int(match.group(2)), osp.join(work_dir, name)))
    return [path for _, path in sorted(found, reverse=True)]


def resume_candidates(work_dir: str) -> List[str]:
    """The checkpoints of ``work_dir`` that ``--resume`` may use, newest
    first: the numbered ones by N, with ``latest.pth`` in front of them
    when it was written after the newest of them."""
    candidates = numbered_checkpoints(work_dir)
    latest = osp.join(work_dir, LATEST_NAME)
    if osp.isfile(latest):
        newer = not candidates or (
            osp.getmtime(latest) >= osp.getmtime(candidates[0]))
        candidates.insert(0 if newer else 1, latest)
    return candidates


def find_latest_complete_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint ``--resume`` should use in ``work_dir``.

    Args:
        work_dir (str): The run's work dir.

    Returns:
        str | None: The file ``last_checkpoint`` names when it is complete;
        otherwise the newest complete checkpoint
        (:func:`resume_candidates`), with a warning; None when the work
        dir has no checkpoint at all.

    Raises:
        RuntimeError: There are checkpoints, but none is complete.
    """
    save_file = osp.join(work_dir, 'last_checkpoint')
    named = None
    if osp.exists(save_file):
        with open(save_file) as f:
            named = f.read().strip() or None
    if named is not None and '://' in named:
        return named  # a remote backend: nothing to check here
    if named is not None and is_complete_checkpoint(named):
        return named
    candidates = resume_candidates(work_dir)
    if named is None and not candidates:
        return None
    problem = (f'{save_file} is missing or empty' if named is None else
               f'{save_file} names {named}, which is '
               + ('missing' if not osp.isfile(named) else
                  'incomplete (truncated while being written?)'))
    for path in candidates:
        if is_complete_checkpoint(path):
            print_log(f'{problem}; resuming from {path}, the newest complete '
                      f'checkpoint in {work_dir}', logger='current',
                      level=logging.WARNING)
            return path
    raise RuntimeError(
        f'cannot resume in {work_dir}: {problem}, and no other complete '
        f'epoch_N.pth / iter_N.pth / {LATEST_NAME} is there (found: '
        f'{candidates}). Start without --resume, or pass --resume PATH with '
        'a good checkpoint')
