"""Fixes for the pinned upstream stack, applied by ``import rspnet_mm``.

Each fix lives in its own module whose docstring names the upstream version
it is for and how to tell when it can be removed. :func:`apply_all` must run
before anything imports ``mmaction.models``.
"""
from . import (
    atomic_checkpoint,
    checkpoint_loading,
    color_jitter_numpy2,
    cpu_distributed,
    drn_stub,
)
from .checkpoint_loading import (
    TRUST_ENV,
    UnsafeCheckpointError,
    load_checkpoint_file,
    trusted_checkpoints,
)
from .cpu_distributed import DeviceAgnosticDDP

_FIXES = (drn_stub, cpu_distributed, checkpoint_loading, atomic_checkpoint,
          color_jitter_numpy2)


def apply_all() -> dict:
    """Apply every fix once.

    Returns:
        dict: ``{module name: whether it changed anything now}``.
    """
    return {fix.__name__.rsplit('.', 1)[-1]: fix.apply() for fix in _FIXES}


__all__ = [
    'apply_all', 'load_checkpoint_file', 'trusted_checkpoints',
    'UnsafeCheckpointError', 'TRUST_ENV', 'DeviceAgnosticDDP'
]
