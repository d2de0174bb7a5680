"""Checkpoints that are never half-written, and a resume that checks them.

Upstream: mmengine 0.10.7. ``save_checkpoint`` serialises to memory and
then ``LocalBackend.put`` opens the final path with ``'wb'`` and writes, so
a run killed (or out of disk) during the write leaves a truncated
``iter_N.pth``. ``CheckpointHook._save_checkpoint_with_step`` also deletes
the oldest kept checkpoint *before* writing the new one, and then rewrites
``last_checkpoint`` in place. With ``max_keep_ckpts=1`` a crash during a
save therefore leaves no usable checkpoint at all, and ``--resume`` (which
trusts ``last_checkpoint``) fails on the broken or deleted file.

Fix, applied by :func:`apply`:

* ``LocalBackend.put`` writes to a temporary file in the same folder,
  flushes it to disk and renames it over the target (``os.replace``,
  atomic on POSIX and Windows), so ``iter_N.pth`` either does not exist or
  is complete;
* ``CheckpointHook._save_checkpoint_with_step`` writes the new checkpoint,
  then ``last_checkpoint`` (atomically too), and only then deletes the
  checkpoint that fell out of ``max_keep_ckpts``;
* auto-resume (``find_latest_checkpoint``, used by ``--resume`` without a
  path) checks the file ``last_checkpoint`` names; if it is missing or
  incomplete it resumes from the newest complete ``iter_N.pth`` /
  ``epoch_N.pth`` of the work dir with a warning, and if there is none it
  raises an error that says so instead of loading a broken file.

Remove when: mmengine writes checkpoints atomically and deletes old ones
after the new one is written (check ``LocalBackend.put``,
``CheckpointHook._save_checkpoint_with_step``).
"""
import logging
import os
import os.path as osp
import re
import uuid
import zipfile
from typing import List, Optional

from mmengine.dist import is_main_process
from mmengine.logging import print_log

CHECKPOINT_NAME = re.compile(r'^(epoch|iter)_(\d+)\.pth$')
_ORIGINALS = {}


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


def find_latest_complete_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint ``--resume`` should use in ``work_dir``.

    Args:
        work_dir (str): The run's work dir.

    Returns:
        str | None: The file ``last_checkpoint`` names when it is complete;
        otherwise the newest complete numbered checkpoint; None when the
        work dir has no checkpoint at all (training starts afresh, as in
        mmengine).

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
    candidates = numbered_checkpoints(work_dir)
    if named is None and not candidates:
        print_log('Did not find last_checkpoint to be resumed.',
                  logger='current')
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
        f'epoch_N.pth / iter_N.pth is there (found: {candidates}). Start '
        'without --resume, or pass --resume PATH with a good checkpoint')


def _put(self, obj: bytes, filepath) -> None:
    """``LocalBackend.put`` writing atomically."""
    atomic_write_bytes(str(filepath), obj)


def _save_checkpoint_with_step(self, runner, step, meta) -> None:
    """``CheckpointHook._save_checkpoint_with_step`` that deletes the
    outdated checkpoint only after the new one and ``last_checkpoint`` are
    written."""
    outdated = None
    if self.max_keep_ckpts > 0 and not (self.keep_ckpt_ids
                                        and self.keep_ckpt_ids[-1] == step):
        if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
            outdated = self.keep_ckpt_ids.popleft()
        self.keep_ckpt_ids.append(step)
        runner.message_hub.update_info('keep_ckpt_ids',
                                       list(self.keep_ckpt_ids))
    ckpt_filename = self.filename_tmpl.format(step)
    self.last_ckpt = self.file_backend.join_path(self.out_dir, ckpt_filename)
    runner.message_hub.update_info('last_ckpt', self.last_ckpt)
    runner.save_checkpoint(
        self.out_dir,
        ckpt_filename,
        self.file_client_args,
        save_optimizer=self.save_optimizer,
        save_param_scheduler=self.save_param_scheduler,
        meta=meta,
        by_epoch=self.by_epoch,
        backend_args=self.backend_args,
        **self.args)
    if not is_main_process():
        return
    atomic_write_bytes(osp.join(runner.work_dir, 'last_checkpoint'),
                       str(self.last_ckpt).encode())
    if outdated is not None:
        path = self.file_backend.join_path(
            self.out_dir, self.filename_tmpl.format(outdated))
        if self.file_backend.isfile(path):
            self.file_backend.remove(path)
        elif self.file_backend.isdir(path):
            self.file_backend.rmtree(path)  # deepspeed checkpoints


def apply() -> bool:
    """Install the three replacements (once).

    Returns:
        bool: True when they were installed now.
    """
    from mmengine.fileio.backends import LocalBackend
    from mmengine.hooks import CheckpointHook
    from mmengine.runner import checkpoint as checkpoint_module
    from mmengine.runner import runner as runner_module
    if LocalBackend.put is _put:
        return False
    _ORIGINALS.update(
        put=LocalBackend.put,
        save_with_step=CheckpointHook._save_checkpoint_with_step,
        find_latest=checkpoint_module.find_latest_checkpoint)
    LocalBackend.put = _put
    CheckpointHook._save_checkpoint_with_step = _save_checkpoint_with_step
    checkpoint_module.find_latest_checkpoint = \
        find_latest_complete_checkpoint
    runner_module.find_latest_checkpoint = find_latest_complete_checkpoint
    return True
