"""A local file backend whose writes are atomic: ``atomic_local``.

Selected per use with ``backend_args=dict(backend='atomic_local')`` (the
:class:`~rspnet_mm.engine.hooks.AtomicCheckpointHook` does so for local
work dirs), so only the files written through it change behaviour; every
other file mmengine writes goes through its own ``LocalBackend``.
"""
from pathlib import Path
from typing import Union

from mmengine.fileio import LocalBackend, register_backend

from . import checkpoint_files


@register_backend('atomic_local')
class AtomicLocalBackend(LocalBackend):
    """``LocalBackend`` whose :meth:`put` never leaves a partial file."""

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        """Write ``obj`` to ``filepath`` through a temporary file, fsync and
        rename (:func:`~rspnet_mm.engine.checkpoint_files.atomic_write_bytes`).

        Args:
            obj (bytes): Content.
            filepath (str | Path): Target file.
        """
        checkpoint_files.atomic_write_bytes(str(filepath), obj)
