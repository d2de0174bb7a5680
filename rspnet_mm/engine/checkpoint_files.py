"""Atomic checkpoint writes (mmengine 0.10.7's ``LocalBackend.put`` writes
in place: a kill leaves a truncated file) and the checkpoint to resume."""
import contextlib
import logging
import os
import os.path as osp
import re
import uuid
import zipfile
from pathlib import Path
from typing import Optional, Union

from mmengine.fileio import LocalBackend, register_backend
from mmengine.logging import print_log

CHECKPOINT_NAME = re.compile(r'^(epoch|iter)_(\d+)\.pth$')
#: The rolling checkpoint AtomicCheckpointHook rewrites.
LATEST_NAME = 'latest.pth'


def atomic_write_bytes(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file beside it, fsync and
    rename: on any failure ``path`` keeps its old content (or stays absent)."""
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = osp.join(folder, f'.{osp.basename(path)}.{uuid.uuid4().hex}.tmp')
    try:
        with open(tmp, 'xb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename durable (POSIX)
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


@register_backend('atomic_local')
class AtomicLocalBackend(LocalBackend):
    """``LocalBackend`` whose :meth:`put` never leaves a partial file;
    chosen per use with ``backend_args=dict(backend='atomic_local')``."""

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        """Write ``obj`` to ``filepath`` with :func:`atomic_write_bytes`."""
        atomic_write_bytes(str(filepath), obj)


def is_complete_checkpoint(path: str) -> bool:
    """Whether ``path`` is a zip archive with its end directory (which a
    truncated file lacks) or a legacy pickle (not checkable, counted whole)."""
    if not osp.isfile(path):
        return False
    with open(path, 'rb') as f:  # a legacy pickle, else a zip archive
        return f.read(1) == b'\x80' or zipfile.is_zipfile(f)


def find_latest_complete_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint ``--resume`` should use in ``work_dir``.

    Returns:
        What ``last_checkpoint`` names if complete, else (with a warning)
        the newest complete ``epoch_N.pth`` / ``iter_N.pth`` / ``latest.pth``;
        None without checkpoints; RuntimeError if none is complete.
    """
    save_file = osp.join(work_dir, 'last_checkpoint')
    named = (Path(save_file).read_text().strip() or None
             if osp.exists(save_file) else None)
    if named is not None and ('://' in named  # remote: nothing to check
                              or is_complete_checkpoint(named)):
        return named
    names = os.listdir(work_dir) if osp.isdir(work_dir) else []
    numbered = sorted(((int(m.group(2)), m.group(0)) for m in
                       map(CHECKPOINT_NAME.match, names) if m), reverse=True)
    candidates = [osp.join(work_dir, name) for _, name in numbered]
    latest = osp.join(work_dir, LATEST_NAME)
    if osp.isfile(latest):  # in front if written after the newest, else 2nd
        newer = not candidates or (
            osp.getmtime(latest) >= osp.getmtime(candidates[0]))
        candidates.insert(0 if newer else 1, latest)
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
