"""RSPNet for MMAction2 1.x.

Importing this package first applies the import-time fixes for the pinned
upstream stack (``rspnet_mm.compat``), then registers the plugin's
datasets, transforms, models, metrics and runtime components (hooks, loops,
samplers, runner) into MMAction2's registries.
"""
from .compat import apply_all as _apply_upstream_fixes

_apply_upstream_fixes()

from . import datasets, engine, evaluation, models  # noqa: E402,F401
from .compat import color_jitter_numpy2  # noqa: E402,F401  (registers)

__version__ = '0.1.0'
