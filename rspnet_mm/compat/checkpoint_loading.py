"""Safe checkpoint loading: allow exactly what mmengine 0.10.7's files hold,
which torch >= 2.6 refuses (mmengine#1655). Remove :func:`apply` once
mmengine has its ``weights_only`` fix (151a87a)."""
import contextlib
import os
import os.path as osp
import pickle
import re
import threading
from typing import Any, Iterator, Optional

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

TRUST_ENV = 'RSPNET_MM_TRUST_CHECKPOINTS'
_STATE = threading.local()


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint needs objects outside the safe allow-list to load."""


def _history_buffer_getattr(obj: Any, name: str) -> Any:
    """``getattr`` limited to ``HistoryBuffer``'s statistics methods."""
    allowed = {'min', 'max', 'current', 'mean',
               *HistoryBuffer._statistics_methods}
    if obj is HistoryBuffer and name in allowed:
        return getattr(obj, name)
    raise UnsafeCheckpointError(
        f'refusing getattr({obj!r}, {name!r}) while loading a checkpoint')


def _allowed_globals() -> list:
    """What mmengine checkpoints hold besides tensors."""
    dtypes = [getattr(np.dtypes, n) for n in dir(np.dtypes)
              if n.endswith('DType')]
    return [HistoryBuffer, np._core.multiarray._reconstruct,
            np._core.multiarray.scalar, np.ndarray, np.dtype, *dtypes,
            (_history_buffer_getattr, 'builtins.getattr')]


@contextlib.contextmanager
def trusted_checkpoints() -> Iterator[None]:
    """Unpickle without the allow-list inside this block."""
    previous, _STATE.trusted = getattr(_STATE, 'trusted', False), True
    try:
        yield
    finally:
        _STATE.trusted = previous


def load_checkpoint_file(filename: str,
                         map_location: Optional[Any] = 'cpu',
                         trust: bool = False) -> Any:
    """Load a checkpoint file, refusing code-running pickles by default.

    Args:
        map_location: As in :func:`torch.load`.
        trust: Unpickle without the allow-list.

    Returns:
        The unpickled object; FileNotFoundError, RuntimeError (not a torch
        file) or UnsafeCheckpointError (a global not allowed) if none.
    """
    filename = osp.expanduser(filename)
    if (trust or getattr(_STATE, 'trusted', False)
            or os.environ.get(TRUST_ENV, '') in ('1', 'true', 'yes')):
        return torch.load(filename, map_location=map_location,
                          weights_only=False)
    try:
        with torch.serialization.safe_globals(_allowed_globals()):
            return torch.load(filename, map_location=map_location,
                              weights_only=True)
    except pickle.UnpicklingError as err:
        found = re.search(r'GLOBAL [\w.]+', str(err))  # the refused object
        what = found.group(0) if found else str(err).splitlines()[0]
        raise UnsafeCheckpointError(
            f'Refusing to load {filename}: it holds objects outside the safe '
            f'allow-list ({what}). Loading it could run arbitrary code. If '
            f'you trust where the file came from, set {TRUST_ENV}=1 (or use '
            'rspnet_mm.compat.trusted_checkpoints()) and load it again.'
        ) from err
    except (RuntimeError, EOFError, ValueError) as err:
        raise RuntimeError(
            f'{filename} is not a readable torch checkpoint (truncated or '
            f'corrupt?): {err}') from err


def load_from_local(filename, map_location=None):
    """mmengine's local loader, made safe (mmengine logs this name)."""
    return load_checkpoint_file(filename, map_location)


def apply() -> bool:
    """Register :func:`load_from_local` for local paths; True if it was."""
    from mmengine.runner.checkpoint import CheckpointLoader
    if CheckpointLoader._schemes.get('') is load_from_local:
        return False
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_from_local, force=True)
    return True
