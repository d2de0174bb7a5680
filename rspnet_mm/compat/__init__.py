"""Fixes for the pinned upstream stack (docs/upstream-stack.md).

Each fix lives in its own module whose docstring names the upstream version
it is for and how to tell when it can be removed. Where mmengine or
MMAction2 has an extension point the fix is a registered component that a
config selects, and nothing changes for code that does not select it:

* ``DeviceAgnosticDDP`` (``cpu_distributed``, ``MODEL_WRAPPERS``): DDP of
  CPU modules, selected by ``model_wrapper_cfg`` in
  ``configs/_base_/default_runtime.py``;
* ``HueSafeColorJitter`` (``color_jitter_numpy2``, ``TRANSFORMS``):
  MMAction2's ``ColorJitter`` under numpy 2, for pipelines that name it;
* atomic checkpoints, safe deletion of old ones, rolling checkpoints, save
  on SIGTERM (``rspnet_mm.engine``: ``AtomicCheckpointHook``, the
  ``atomic_local`` file backend) and an honest ``--resume``
  (``CheckedRunner``), selected in ``default_runtime.py``.

:func:`apply_all` (run by ``import rspnet_mm``, before anything imports
``mmaction.models``) applies the import-time fixes, kept only where there
is no extension point:

* ``drn_stub``: puts stand-in modules into ``sys.modules``, because the
  broken wheel fails inside ``import mmaction.models`` itself, before any
  registry or config is read;
* ``cpu_distributed``: makes ``torch.cuda.set_device`` a no-op while CUDA
  is unavailable, because mmengine's ``init_dist`` (called by
  ``Runner.setup_env`` for every launcher) calls it unconditionally and
  offers no hook before that;
* ``checkpoint_loading``: registers the safe loader for local paths in
  mmengine's ``CheckpointLoader`` scheme registry; this is mmengine's own
  extension point, but the registry is global, so it applies to every
  local load (``load_from``, resume, ``init_cfg=Pretrained``, tools).
"""
from . import checkpoint_loading, cpu_distributed, drn_stub
from .checkpoint_loading import (
    TRUST_ENV,
    UnsafeCheckpointError,
    load_checkpoint_file,
    trusted_checkpoints,
)
from .cpu_distributed import DeviceAgnosticDDP

_FIXES = (drn_stub, cpu_distributed, checkpoint_loading)


def apply_all() -> dict:
    """Apply every import-time fix once.

    Returns:
        dict: ``{module name: whether it changed anything now}``.
    """
    return {fix.__name__.rsplit('.', 1)[-1]: fix.apply() for fix in _FIXES}


__all__ = [
    'apply_all', 'load_checkpoint_file', 'trusted_checkpoints',
    'UnsafeCheckpointError', 'TRUST_ENV', 'DeviceAgnosticDDP'
]
