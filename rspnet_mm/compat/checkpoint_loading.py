"""Safe checkpoint loading for mmengine 0.10.7 under torch >= 2.6.

Upstream: mmengine 0.10.7's ``load_from_local`` calls ``torch.load`` without
``weights_only``. Since torch 2.6 that means ``weights_only=True``, which
refuses mmengine's own checkpoints (``UnpicklingError: Unsupported global
mmengine.logging.history_buffer.HistoryBuffer``), so ``load_from``,
``--resume`` and ``tools/test.py`` all fail (mmengine#1655). The common
workaround, ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1``, lets any file run code.

Fix: :func:`load_checkpoint_file` keeps ``weights_only=True`` and extends
torch's allow-list with exactly what mmengine checkpoints hold: the
``HistoryBuffer`` class, numpy arrays, scalars and dtypes, and a restricted
``getattr`` that only resolves ``HistoryBuffer``'s registered statistics
methods (that is how a pickled ``HistoryBuffer`` refers to ``min``/``max``/
``mean``/``current``). Any other global is refused with
:class:`UnsafeCheckpointError`, which names the file and the global. A user
who trusts a file opts in with ``RSPNET_MM_TRUST_CHECKPOINTS=1`` or the
:func:`trusted_checkpoints` context manager; then the file is read with
``weights_only=False``. :func:`apply` registers the loader as mmengine's
local-file scheme, so every mmengine path (``load_from``, resume,
``init_cfg=Pretrained``, ``test.py``) goes through it.

Remove when: mmengine releases its ``weights_only`` fix (commit 151a87a on
main, after 0.10.7) *and* the safe default above still holds with it; keep
:func:`load_checkpoint_file` for the project's own tools either way.
"""
import contextlib
import os
import os.path as osp
import pickle
import threading
from typing import Any, Iterator, Optional

import numpy as np
import torch

TRUST_ENV = 'RSPNET_MM_TRUST_CHECKPOINTS'
_STATE = threading.local()
_DEFAULT_STATISTICS = frozenset({'min', 'max', 'current', 'mean'})


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint needs objects outside the safe allow-list to load."""


def _history_buffer_getattr(obj: Any, name: str) -> Any:
    """``getattr`` limited to ``HistoryBuffer``'s statistics methods."""
    from mmengine.logging import HistoryBuffer
    allowed = _DEFAULT_STATISTICS | set(HistoryBuffer._statistics_methods)
    if obj is HistoryBuffer and name in allowed:
        return getattr(obj, name)
    raise UnsafeCheckpointError(
        f'refusing getattr({obj!r}, {name!r}) while loading a checkpoint')


def _allowed_globals() -> list:
    from mmengine.logging import HistoryBuffer
    dtype_classes = [
        getattr(np.dtypes, name) for name in dir(np.dtypes)
        if name.endswith('DType')
    ]
    return [
        HistoryBuffer,
        np._core.multiarray._reconstruct,
        np._core.multiarray.scalar,
        np.ndarray,
        np.dtype,
        *dtype_classes,
        (_history_buffer_getattr, 'builtins.getattr'),
    ]


def checkpoints_trusted() -> bool:
    """Whether the user opted in to loading arbitrary pickles."""
    return (os.environ.get(TRUST_ENV, '') in ('1', 'true', 'yes')
            or getattr(_STATE, 'trusted', False))


@contextlib.contextmanager
def trusted_checkpoints() -> Iterator[None]:
    """Load files inside this block with ``weights_only=False``.

    Only use it for files from a source you trust: unpickling them can run
    arbitrary code.
    """
    previous = getattr(_STATE, 'trusted', False)
    _STATE.trusted = True
    try:
        yield
    finally:
        _STATE.trusted = previous


def load_checkpoint_file(filename: str,
                         map_location: Optional[Any] = 'cpu') -> Any:
    """Load a checkpoint file, refusing code-running pickles by default.

    Args:
        filename (str): Path of the file.
        map_location (optional): As in :func:`torch.load`. Defaults to
            ``'cpu'``.

    Returns:
        Any: The unpickled object (usually a dict).

    Raises:
        FileNotFoundError: The file does not exist.
        UnsafeCheckpointError: The file needs a global outside the
            allow-list and the user has not opted in.
        RuntimeError: The file is truncated or not a torch checkpoint.
    """
    filename = osp.expanduser(str(filename))
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename} can not be found.')
    if checkpoints_trusted():
        return torch.load(filename, map_location=map_location,
                          weights_only=False)
    try:
        with torch.serialization.safe_globals(_allowed_globals()):
            return torch.load(filename, map_location=map_location,
                              weights_only=True)
    except pickle.UnpicklingError as err:
        raise UnsafeCheckpointError(
            f'Refusing to load {filename}: it holds objects outside the '
            f'safe allow-list ({_unpickler_reason(err)}). Loading it could '
            f'run arbitrary code. If you trust where the file came from, '
            f'set {TRUST_ENV}=1 (or use '
            f'rspnet_mm.compat.trusted_checkpoints()) and load it again.'
        ) from err
    except (RuntimeError, EOFError, ValueError) as err:
        raise RuntimeError(
            f'{filename} is not a readable torch checkpoint (truncated or '
            f'corrupt?): {err}') from err


def _unpickler_reason(err: Exception) -> str:
    """The part of torch's long message that names the refused object."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    for line in lines:
        if line.startswith('WeightsUnpickler error:'):
            detail = line.split(':', 1)[1].strip()
            if detail:
                return detail.split('. Please use')[0]
    for line in lines:
        if line.startswith(('Trying to load', 'Unsupported')):
            return line
    skip = ('Weights only load failed', 'Please file an issue',
            'Check the documentation', 'WeightsUnpickler error', '(1)',
            '(2)')
    rest = [line for line in lines if not line.startswith(skip)]
    return (rest or lines or [type(err).__name__])[0]


def _mmengine_local_loader(filename, map_location=None):
    return load_checkpoint_file(filename, map_location=map_location)


def apply() -> bool:
    """Register :func:`load_checkpoint_file` for mmengine's local paths.

    Returns:
        bool: True when the loader was (re-)registered.
    """
    from mmengine.runner.checkpoint import CheckpointLoader
    current = CheckpointLoader._schemes.get('')
    if current is _mmengine_local_loader:
        return False
    CheckpointLoader.register_scheme(
        prefixes='', loader=_mmengine_local_loader, force=True)
    return True
